"""Ratings fixtures: the case-handling team and item (cases tests), a hall with a window for the
clerk, and a helper that takes a case from submission to 办结 through cases.actions."""

import datetime

import pytest

from tongban.cases import actions as cases
from tongban.cases.tests.conftest import (  # noqa: F401 (promise_item and team are fixtures)
    at,
    promise_item,
    submit_application,
    team,
)
from tongban.core.models import ServiceHall, Window


def complete_case(owner, people, item, day=datetime.date(2026, 11, 2)):
    """Submitted, accepted, three review steps and 办结, all on `day`."""
    with at(day):
        application = submit_application(owner, item)
        cases.accept(application=application, actor=people["clerk"])
        for role in ("handler", "reviewer", "approver"):
            application.refresh_from_db()
            step = application.case.steps.get(finished_at=None)
            cases.complete_step(
                application=application,
                actor=people[role],
                step_id=step.pk,
                action="approve",
                opinion="符合条件",
            )
        cases.complete(application=application, actor=people["clerk"])
    application.refresh_from_db()
    return application


@pytest.fixture
def hall_clerk(team, region_city, department):  # noqa: F811
    hall = ServiceHall.objects.create(
        name="许昌市政务服务中心",
        kind=ServiceHall.Kind.CENTRE,
        region=region_city,
        address="许昌市魏都区示例路1号",
    )
    window = Window.objects.create(hall=hall, number="A08", name="民政综合窗口")
    window.departments.add(department)
    clerk = team["clerk"]
    profile = clerk.staff_profile
    profile.hall, profile.window = hall, window
    profile.save()
    return clerk
