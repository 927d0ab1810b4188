"""Demo licence types and licences (idempotent): the types whose names the demo catalogue uses as
结果名称 or as 可由电子证照替代, and licences in the demo wallets so that 免证可办 and the expiry
reminder can be shown at once (张示例 17000000001 holds 居民身份证 and 居民户口簿; the demo
enterprise holds 营业执照 and a 食品经营许可证 that expires in 25 days)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from tongban.accounts.models import CitizenProfile, EnterpriseProfile
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo
from tongban.core.identifiers import IdType
from tongban.licences import actions
from tongban.licences.models import Licence, LicenceType

TYPES = [
    # (name, department key, 3-digit suffix, holder kind, validity years, fields, notes)
    (
        "公共场所卫生许可证",
        "wj",
        "001",
        "enterprise",
        4,
        [{"key": "business_scope", "label": "许可项目", "default": "住宿、沐浴、美容美发场所"}],
        "请在经营场所醒目位置公示本许可证；许可事项变更的，应当依法申请变更。",
    ),
    (
        "食品经营许可证",
        "sj",
        "002",
        "enterprise",
        5,
        [
            {
                "key": "business_scope",
                "label": "经营项目",
                "default": "预包装食品销售、热食类食品制售",
            }
        ],
        "食品经营者应当在经营场所显著位置悬挂或者摆放食品经营许可证。",
    ),
    ("营业执照", "sj", "001", "enterprise", 0, [], ""),
    (
        "网络预约出租汽车驾驶员证",
        "jt",
        "001",
        "person",
        6,
        [{"key": "service_platform", "label": "服务平台", "default": "不限"}],
        "驾驶员从事网约车服务时应当随车携带本证，并接受服务质量信誉考核。",
    ),
    (
        "货车电子通行证",
        "ga",
        "003",
        "person",
        1,
        [
            {"key": "plate_number", "label": "号牌号码", "default": ""},
            {"key": "start_date", "label": "通行起始日期", "default": ""},
            {"key": "end_date", "label": "通行截止日期", "default": ""},
        ],
        "仅限在通行证载明的期间、按规定的时段和路线通行；期间以外本证无效。",
    ),
    (
        "居民身份证",
        "ga",
        "001",
        "person",
        20,
        [{"key": "address", "label": "住址", "default": "河南省许昌市魏都区"}],
        "",
    ),
    (
        "居民户口簿",
        "ga",
        "002",
        "person",
        0,
        [{"key": "household_type", "label": "户别", "default": "家庭户"}],
        "",
    ),
]


def _types(log) -> dict[str, LicenceType]:
    made = {}
    for name, key, suffix, holder_kind, years, fields, notes in TYPES:
        department = core_demo.department(key)
        kind, created = LicenceType.objects.get_or_create(
            type_code=department.uscc + suffix,
            defaults={
                "name": name,
                "issuing_department": department,
                "holder_kind": holder_kind,
                "validity_years": years,
                "fields": fields,
                "pdf_notes": notes,
            },
        )
        items = ServiceItem.objects.filter(
            current_version__result_name=name, department=department
        )[:20]
        if created and items:
            kind.issued_for_items.add(*items)
            kind.renewal_item = items[0]
            kind.save(update_fields=["renewal_item"])
        made[name] = kind
    return made


def _issue(kind, name, id_type, id_number, **extra):
    if Licence.objects.filter(
        licence_type=kind, holder_id_index=Licence.index_for(id_type, id_number)
    ).exists():
        return 0
    actions.issue(
        licence_type=kind,
        holder_name=name,
        holder_id_type=id_type,
        holder_id_number=id_number,
        data={f["key"]: f.get("default", "") for f in kind.fields},
        **extra,
    )
    return 1


def load(log) -> None:
    kinds = _types(log)
    issued = 0
    try:
        for profile in CitizenProfile.objects.order_by("pk")[:3]:
            for name in ("居民身份证", "居民户口簿"):
                issued += _issue(
                    kinds[name], profile.real_name, IdType.CITIZEN_ID, profile.id_number
                )
        for enterprise in EnterpriseProfile.objects.order_by("pk")[:1]:
            issued += _issue(kinds["营业执照"], enterprise.name, IdType.USCC, enterprise.uscc)
            today = timezone.localdate()
            issued += _issue(
                kinds["食品经营许可证"],
                enterprise.name,
                IdType.USCC,
                enterprise.uscc,
                issued_on=today.replace(year=today.year - 5) + datetime.timedelta(days=26),
                valid_until=today + datetime.timedelta(days=25),
            )
    except ValidationError as error:  # e.g. no licence seal: the rest of the demo still loads
        log(f"电子证照：签发演示证照失败：{'；'.join(error.messages)}")
    log(f"电子证照：证照类型 {len(kinds)} 类，新签发 {issued} 张")
