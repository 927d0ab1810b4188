"""Catalogue items for tests: complete, publishable items built through the service layer."""

from tongban.catalog import actions
from tongban.catalog.actions import MaterialSpec
from tongban.catalog.models import BasicItem

COMPLETE = {
    "acceptance_conditions": "符合条件的申请人",
    "process": "申请\n受理\n决定",
    "result_name": "批准文书",
    "consult_phone": "0374-12345",
    "supervision_phone": "0374-12345",
    "office_hours": "周一至周五 9:00-17:00",
    "legal_limit": 20,
    "promised_limit": 5,
    "is_online": True,
    "online_url": "https://www.hnzwfw.gov.cn/",
    "handling_forms": "1,2",
}


def basic_item(code="010101001000", name="示例许可事项", **extra):
    existing = BasicItem.objects.filter(basic_code=code).first()
    if existing:
        return existing
    return actions.create_basic_item(
        actor=None,
        basic_code=code,
        name=name,
        item_type=extra.pop("item_type", "01"),
        legal_basis=extra.pop("legal_basis", "《中华人民共和国行政许可法》第十二条"),
        service_object=extra.pop("service_object", "1,2"),
        **extra,
    )


def complete_item(department, *, code="010101001000", name="示例许可事项", materials=2, **elements):
    basic = basic_item(code, name)
    data = {**COMPLETE, **elements}
    item = actions.create_item(actor=None, basic_item=basic, department=department, elements=data)
    draft = item.versions.get()
    actions.set_structure(
        actor=None,
        version=draft,
        handling_items=[],
        materials=[MaterialSpec(f"材料{i}", "申请人", 1, 0) for i in range(1, materials + 1)],
        questions=[],
    )
    return item, draft


def edit_section_data(page, key: str) -> dict:
    """What the catalogue edit page's section `key` posts as it stands (its stored values)."""
    form = next(s["form"] for s in page.context["sections"] if s["key"] == key)
    data = {"section": key}
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[f"{key}-{name}"] = value
    return data
