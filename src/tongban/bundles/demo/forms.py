"""The members' application forms (JSON Schema properties, required fields, the content title) and
the 出生医学证明 licence type the newborn bundle's first member issues."""

from tongban.applications import actions as intake
from tongban.applications import formlib
from tongban.applications.models import ApplicationForm
from tongban.bundles.demo.items import item
from tongban.core import demo as core_demo
from tongban.licences.models import LicenceType


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


def ensure_forms() -> None:
    for key, (properties, required, title) in FORMS.items():
        member = item(key)
        if member.forms.filter(status=ApplicationForm.Status.PUBLISHED).exists():
            continue
        schema, layout = formlib.build(properties, required, content_title=title)
        intake.publish_form(actor=None, service_item=member, schema=schema, layout=layout)


def ensure_licence_type() -> None:
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
