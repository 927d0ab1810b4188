"""Case-handling fixtures: a department with seals and one person per role, a published 承诺件
(legal 20, promised 5 working days) and a way to travel to a given Beijing time."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts import actions as accounts
from tongban.applications import actions as intake
from tongban.applications.tests.conftest import pdf_bytes
from tongban.catalog import actions as catalog
from tongban.catalog.tests.factories import complete_item
from tongban.conftest import PASSWORD

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10):
    """Travel to `day` at `hour` o'clock Beijing time (the clock stands still)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING), tick=False
    )


def staff(department, login, *roles):
    return accounts.create_staff(
        actor=None,
        login_name=login,
        display_name=f"{login}示例",
        department=department,
        roles=list(roles),
        password=PASSWORD,
    )


@pytest.fixture
def team(department):
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
def promise_item(department, team):
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


def submit_application(owner, item, **kwargs):
    application = intake.start_application(owner=owner, service_item=item, channel="pc", **kwargs)
    intake.save_section(
        application=application, actor=owner, section=1, raw={"request_detail": "申请办理许可"}
    )
    intake.save_section(
        application=application, actor=owner, section=2, raw={"delivery_method": "window"}
    )
    for material in intake.required_materials(application):
        intake.attach_file(
            application=application,
            actor=owner,
            material_id=material.pk,
            uploaded=SimpleUploadedFile("申请书.pdf", pdf_bytes()),
        )
    return intake.submit(application=application, actor=owner)
