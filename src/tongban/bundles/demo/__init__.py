"""Demo 一件事: 新生儿出生一件事 (citizen) and 开办餐饮店一件事 (enterprise), with the demo items, forms,
licence types, staff and the comprehensive window they need, generated through the service layers.
Idempotent: keyed on 基本编码 + department, bundle code, login names.

新生儿出生一件事: 出生医学证明 (卫健) → 出生登记 (公安, starts by itself with the 出生医学证明 licence);
城乡居民医保参保登记 (医保); 社会保障卡申领 (人社, when asked for, after 参保). 开办餐饮店一件事: 企业变更登记
(增加餐饮服务, 市场监管: a new version of the 营业执照) → 食品经营许可 (starts by itself with it);
公共场所卫生许可 and 设置大型户外广告审批 by situation.

Modules by subject: `items` (the members' catalogue items), `forms` (their application forms and
the 出生医学证明 licence type), `staff` (the comprehensive window and the departments' staff) and
`bundles` (the two bundles, in creation order).
"""

from django.contrib.auth import get_user_model

from tongban.bundles import notices
from tongban.bundles.demo import bundles, forms, items, staff
from tongban.bundles.demo.items import item  # noqa: F401 (tests find the demo members by key)
from tongban.bundles.demo.staff import logins  # noqa: F401 (settings.DEMO_LOGINS)
from tongban.bundles.models import Bundle
from tongban.notify.models import MessageTemplate


def load(log) -> None:
    admin = get_user_model().objects.filter(login_name="admin").first()
    if admin is None:
        raise RuntimeError("演示一件事需要先加载演示账户（平台管理员 admin）")
    items.ensure_items(admin)
    forms.ensure_forms()
    forms.ensure_licence_type()
    staff.ensure_staff()
    bundles.ensure_bundles(admin)
    # The bundle's message templates (also put in by this app's migration; a flushed database
    # has them back here).
    notices.load(MessageTemplate)
    log(f"一件事：{Bundle.objects.count()} 个（新生儿出生一件事、开办餐饮店一件事）")
