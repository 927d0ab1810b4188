"""The fixtures every domain's tests build on, available to all of them (loaded with
`-p tongban.testing.plugin`). Models are imported inside the fixtures: the plugin is loaded before
Django is set up. A conftest fixture of the same name overrides one of these."""

import datetime

import pytest

from tongban.testing.clock import at
from tongban.testing.factories import staff


@pytest.fixture
def team(department):
    """The department's business seal and one person per handling role."""
    from tongban.seals import actions as seals

    with at(datetime.date(2026, 9, 1)):
        seals.create_seal(None, department, f"{department.name}业务专用章", "business")
    return {
        "clerk": staff(department, "clerk1", "window_clerk"),
        "handler": staff(department, "handler1", "handler"),
        "reviewer": staff(department, "reviewer1", "reviewer"),
        "approver": staff(department, "approver1", "approver"),
        "supervisor": staff(department, "super1", "supervisor"),
        "catalogue": staff(department, "cat1", "catalogue_admin"),
    }


@pytest.fixture
def catalogue_admin(department):
    """The department's catalogue administrator (事项管理员)."""
    return staff(department, "catadmin", "catalogue_admin", display_name="事项管理员")


@pytest.fixture
def promise_item(department, team):
    """A published 承诺件: 公共场所卫生许可, legal limit 20, promised 5 working days."""
    from tongban.catalog import actions as catalog
    from tongban.testing.catalog import complete_item

    with at(datetime.date(2026, 9, 1)):
        item, draft = complete_item(
            department,
            code="010101002000",
            name="公共场所卫生许可",
            materials=1,
            handling_type="2",
            legal_limit=20,
            promised_limit=5,
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    return item


@pytest.fixture
def licence_type(department, team, promise_item):
    """The department's 电子证照专用章, and 公共场所卫生许可 issuing a 公共场所卫生许可证 (person
    holder, 1 year, reminders 90/30/7)."""
    from tongban.licences.models import LicenceType
    from tongban.seals import actions as seals

    with at(datetime.date(2026, 9, 1)):
        seals.create_seal(None, department, f"{department.name}电子证照专用章", "licence")
    kind = LicenceType.objects.create(
        name="公共场所卫生许可证",
        type_code=department.uscc + "001",
        issuing_department=department,
        holder_kind=LicenceType.HolderKind.PERSON,
        validity_years=1,
        reminder_days="90,30,7",
        fields=[{"key": "request_detail", "label": "许可项目"}],
        renewal_item=promise_item,
    )
    kind.issued_for_items.add(promise_item)
    return kind
