"""Demo 一件事: 新生儿出生一件事 (citizen) and 开办餐饮店一件事 (enterprise), with the demo items, forms,
licence types, staff and the comprehensive window they need, generated through the service layers.
Idempotent: keyed on 基本编码 + department, bundle code, login names.

新生儿出生一件事: 出生医学证明 (卫健) → 出生登记 (公安, starts by itself with the 出生医学证明 licence);
城乡居民医保参保登记 (医保); 社会保障卡申领 (人社, when asked for, after 参保). 开办餐饮店一件事: 企业变更登记
(增加餐饮服务, 市场监管: a new version of the 营业执照) → 食品经营许可 (starts by itself with it);
公共场所卫生许可 and 设置大型户外广告审批 by situation.
"""

from django.contrib.auth import get_user_model

from tongban.accounts import actions as accounts
from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.applications import actions as intake
from tongban.applications import formlib
from tongban.applications.models import ApplicationForm
from tongban.bundles import notices
from tongban.bundles.actions import types
from tongban.bundles.models import Bundle
from tongban.catalog import actions as catalog
from tongban.catalog import demo as catalog_demo
from tongban.catalog.actions import MaterialSpec as M
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo
from tongban.core.models import ServiceHall, Window
from tongban.licences.models import LicenceType
from tongban.notify.models import MessageTemplate

PASSWORD = "Tongban2026"
CODES = {
    "birth_cert": ("200601004000", "wj"),
    "birth_registration": ("070501031000", "ga"),
    "resident_insurance": ("200101031000", "yb"),
    "social_card": ("200201020000", "rs"),
    "enterprise_change": ("070301031000", "sj"),
    "food_licence": ("010301002000", "sj"),
    "venue_hygiene": ("010601001000", "wj"),
    "outdoor_sign": ("010801008000", "cg"),
}
BIRTH_QUESTION = {"您要办理哪种业务?": "新生儿首次办理"}
FOOD_QUESTION = {"您要办理哪种业务?": "新开店铺（新设）"}
VENUE_QUESTION = {"您要办理哪种业务?": "首次申请（新设）"}

NEW_ITEMS = [
    catalog_demo._item(
        "070501031000",
        "出生登记",
        "07",
        "《中华人民共和国户口登记条例》第七条",
        ["ga"],
        objects="1",
        person_themes="birth,household",
        exercise_content="婴儿出生后一个月以内申报出生登记",
        keywords="新生儿落户 上户口 出生落户",
        legal_limit=None,
        legal_limit_note="法律法规未规定办结时限",
        promised_limit=3,
        handling_type="2",
        max_visits=1,
        acceptance_conditions="婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报。",
        process="申请\n受理\n审核\n登记",
        result_name="出生登记",
        is_online=True,
        online_url=catalog_demo.ONLINE_URL,
        handling_forms="1,2",
        structure=dict(
            handling=[],
            questions=[],
            materials=[
                M("出生医学证明", "助产机构", 1, 0, replaceable_by_licence_type="出生医学证明"),
                M("父母双方居民户口簿", "公安机关", 1, 0, replaceable_by_licence_type="居民户口簿"),
            ],
        ),
    ),
    catalog_demo._item(
        "200101031000",
        "城乡居民基本医疗保险参保登记",
        "20",
        "《中华人民共和国社会保险法》第二十五条",
        ["yb"],
        objects="1",
        person_themes="birth,medical",
        exercise_content="城乡居民（含新生儿）参加基本医疗保险的登记",
        keywords="新生儿医保 居民医保 参保",
        legal_limit=None,
        legal_limit_note="法律法规未规定办结时限",
        promised_limit=2,
        handling_type="2",
        max_visits=1,
        acceptance_conditions="本市户籍或居住证持有人中未参加职工基本医疗保险的城乡居民。",
        process="申请\n受理\n审核\n登记",
        result_name="参保登记",
        is_online=True,
        online_url=catalog_demo.ONLINE_URL,
        handling_forms="1,2",
        structure=dict(
            handling=[],
            questions=[],
            materials=[
                M("出生医学证明", "助产机构", 1, 0, replaceable_by_licence_type="出生医学证明")
            ],
        ),
    ),
    catalog_demo._item(
        "070301031000",
        "企业变更登记",
        "07",
        "《中华人民共和国市场主体登记管理条例》第二十四条",
        ["sj"],
        objects="2",
        enterprise_themes="start",
        exercise_content="企业名称、住所、经营范围等登记事项的变更登记",
        keywords="营业执照变更 经营范围变更 增加经营范围",
        legal_limit=None,
        legal_limit_note="法律法规未规定办结时限",
        promised_limit=1,
        handling_type="2",
        max_visits=0,
        acceptance_conditions="登记事项发生变更的企业，自作出变更决议、决定或者法定变更事项发生之日起30日内申请。",
        process="申请\n受理\n审核\n核准\n换发营业执照",
        result_name="营业执照",
        is_online=True,
        online_url=catalog_demo.ONLINE_URL,
        handling_forms="1,2",
        structure=dict(
            handling=[("01", "企业变更登记（经营范围变更）", "")],
            questions=[],
            materials=[
                M("企业变更登记申请书", "市场监督管理部门", 1, 0),
                M("变更经营范围的股东会决议", "申请人", 1, 0),
            ],
        ),
    ),
]

# The members that were not online in the demo catalogue are, for the bundle.
MAKE_ONLINE = ["birth_cert", "social_card", "venue_hygiene", "outdoor_sign"]


def _text(title, *, min_length=2, max_length=100, **extra):
    return {
        "type": "string",
        "title": title,
        "minLength": min_length,
        "maxLength": max_length,
        **extra,
    }


BABY = {
    "baby_name": _text("新生儿姓名", max_length=30),
    "baby_gender": {"type": "string", "title": "新生儿性别", "enum": ["男", "女"]},
    "baby_birth_date": {"type": "string", "title": "出生日期", "format": "date"},
}
BIRTH_PLACE = {"birth_hospital": _text("出生医院", max_length=100)}
STORE = {
    "store_name": _text("门店名称", max_length=100),
    "store_address": _text("经营场所地址", min_length=6, max_length=200),
}

FORMS = {
    "birth_cert": (
        {**BABY, **BIRTH_PLACE, "mother_name": _text("母亲姓名", max_length=30)},
        ["baby_name", "baby_gender", "baby_birth_date", "birth_hospital", "mother_name"],
        "新生儿信息",
    ),
    "birth_registration": (
        {
            **BABY,
            "household_relation": {
                "type": "string",
                "title": "新生儿与户主关系",
                "enum": ["子", "女", "孙子", "孙女"],
            },
        },
        ["baby_name", "baby_gender", "baby_birth_date", "household_relation"],
        "落户信息",
    ),
    "resident_insurance": (
        {
            **BABY,
            "insured_region": {
                "type": "string",
                "title": "参保地",
                "enum": ["魏都区", "建安区", "禹州市"],
            },
        },
        ["baby_name", "baby_birth_date", "insured_region"],
        "参保信息",
    ),
    "social_card": (
        {
            **BABY,
            "bank_name": {
                "type": "string",
                "title": "社保卡合作银行",
                "enum": ["中国工商银行", "中国农业银行", "中国建设银行"],
            },
        },
        ["baby_name", "bank_name"],
        "制卡信息",
    ),
    "enterprise_change": (
        {**STORE, "business_scope": _text("变更后经营范围", max_length=300)},
        ["store_name", "store_address", "business_scope"],
        "变更事项",
    ),
    "food_licence": (
        {
            **STORE,
            "business_scope": _text("变更后经营范围", max_length=300),
            "food_safety_manager": _text("食品安全管理员", max_length=30),
        },
        ["store_name", "store_address", "business_scope", "food_safety_manager"],
        "经营信息",
    ),
    "outdoor_sign": (
        {**STORE, "sign_size": _text("招牌尺寸（长×高，米）", min_length=3, max_length=30)},
        ["store_name", "store_address", "sign_size"],
        "招牌信息",
    ),
}

WINDOW = ("许昌市政务服务中心", "A09", "一件事综合窗口", ["wj", "ga", "yb", "rs", "sj", "cg"])
STAFF = (
    [("yjsclerk", "一件事综合窗口受理员", "wj", [Role.WINDOW_CLERK])]
    + [
        (f"{key}_{role.value.split('_')[0]}", f"{label}{role.label}", key, [role])
        for key, label in [
            ("wj", "卫健"),
            ("ga", "公安"),
            ("yb", "医保"),
            ("rs", "人社"),
            ("sj", "市场监管"),
            ("cg", "城管"),
        ]
        for role in (Role.HANDLER, Role.REVIEWER, Role.APPROVER)
    ]
    + [("rs_window", "人社即办窗口", "rs", [Role.WINDOW_CLERK])]
)


def item(key: str) -> ServiceItem:
    code, dept = CODES[key]
    return ServiceItem.objects.select_related("current_version").get(
        basic_item__basic_code=code, department=core_demo.department(dept)
    )


def _ensure_items(admin) -> None:
    catalog_demo.ensure_items(NEW_ITEMS, admin=admin)
    for key in MAKE_ONLINE:
        member = item(key)
        if member.current_version.is_online:
            continue
        draft = catalog.new_draft(
            actor=admin, item=member, change_note="纳入“一件事”，开通网上办理"
        )
        catalog.update_draft(
            actor=admin,
            version=draft,
            elements={"is_online": True, "online_url": catalog_demo.ONLINE_URL},
        )
        catalog.publish(actor=admin, version=draft)


def _ensure_forms() -> None:
    for key, (properties, required, title) in FORMS.items():
        member = item(key)
        if member.forms.filter(status=ApplicationForm.Status.PUBLISHED).exists():
            continue
        schema, layout = formlib.build(properties, required, content_title=title)
        intake.publish_form(actor=None, service_item=member, schema=schema, layout=layout)


def _ensure_licence_type() -> None:
    department = core_demo.department("wj")
    kind, _ = LicenceType.objects.get_or_create(
        type_code=department.uscc + "002",
        defaults={
            "name": "出生医学证明",
            "issuing_department": department,
            "holder_kind": "person",
            "validity_years": 0,
            "fields": [
                {"key": "baby_name", "label": "新生儿姓名"},
                {"key": "baby_birth_date", "label": "出生日期"},
                {"key": "birth_hospital", "label": "出生地点"},
            ],
            "pdf_notes": "本证明是新生儿申报户口的依据，请妥善保管。",
        },
    )
    kind.issued_for_items.add(item("birth_cert"))


def _ensure_staff() -> None:
    hall_name, number, name, keys = WINDOW
    hall = ServiceHall.objects.get(name=hall_name)
    window, _ = Window.objects.get_or_create(
        hall=hall, number=number, defaults={"name": name, "is_comprehensive": True}
    )
    window.departments.set([core_demo.department(k) for k in keys])
    for login, display, key, roles in STAFF:
        if User.objects.filter(login_name=login).exists():
            continue
        user = accounts.create_staff(
            actor=None,
            login_name=login,
            display_name=display,
            department=core_demo.department(key),
            roles=roles,
            password=PASSWORD,
        )
        if login == "yjsclerk":
            accounts.set_workplace(actor=None, user=user, hall=hall, window=window)


def _ensure_bundles(admin) -> None:
    code = {key: item(key).implementation_code for key in CODES}
    wanted = [
        (
            "newborn",
            "新生儿出生一件事",
            "person",
            "wj",
            "新生儿出生后，出生医学证明、户口登记、医保参保和社保卡一次申请，各部门联动办理。",
            [
                types.MemberSpec(code["birth_cert"], True, "", BIRTH_QUESTION),
                types.MemberSpec(code["birth_registration"], True, code["birth_cert"]),
                types.MemberSpec(code["resident_insurance"], True, code["birth_cert"]),
                types.MemberSpec(code["social_card"], False, code["resident_insurance"]),
            ],
            [
                types.QuestionSpec(
                    "是否同时为新生儿申领社会保障卡?",
                    [("是，一并申领", [code["social_card"]]), ("否，暂不申领", [])],
                )
            ],
        ),
        (
            "restaurant",
            "开办餐饮店一件事",
            "enterprise",
            "sj",
            "企业开设餐饮门店：经营范围变更、食品经营许可，以及按需办理的公共场所卫生许可和户外招牌设置，一次申请。",
            [
                types.MemberSpec(code["enterprise_change"], True),
                types.MemberSpec(
                    code["food_licence"], True, code["enterprise_change"], FOOD_QUESTION
                ),
                types.MemberSpec(code["venue_hygiene"], False, "", VENUE_QUESTION),
                types.MemberSpec(code["outdoor_sign"], False),
            ],
            [
                types.QuestionSpec(
                    "门店是否同时经营住宿、沐浴、美容美发等公共场所?",
                    [("是", [code["venue_hygiene"]]), ("否", [])],
                ),
                types.QuestionSpec(
                    "是否在门店外设置户外招牌?",
                    [("是", [code["outdoor_sign"]]), ("否", [])],
                ),
            ],
        ),
    ]
    for slug, name, theme, dept, description, members, questions in wanted:
        if Bundle.objects.filter(code=slug).exists():
            continue
        version = types.create_bundle(
            actor=None,
            code=slug,
            name=name,
            theme=theme,
            lead_department=core_demo.department(dept),
            description=description,
        )
        types.set_structure(actor=None, version=version, members=members, questions=questions)
        types.publish(actor=admin, version=version)


def load(log) -> None:
    admin = get_user_model().objects.filter(login_name="admin").first()
    if admin is None:
        raise RuntimeError("演示一件事需要先加载演示账户（平台管理员 admin）")
    _ensure_items(admin)
    _ensure_forms()
    _ensure_licence_type()
    _ensure_staff()
    _ensure_bundles(admin)
    # The bundle's message templates (also put in by this app's migration; a flushed database
    # has them back here).
    notices.load(MessageTemplate)
    log(f"一件事：{Bundle.objects.count()} 个（新生儿出生一件事、开办餐饮店一件事）")


def logins() -> list[tuple[str, str, str]]:
    return [(display, login, PASSWORD) for login, display, _key, _roles in STAFF]
