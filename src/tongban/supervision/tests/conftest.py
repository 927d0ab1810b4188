"""Supervision fixtures: the case-handling team and 承诺件 of cases.tests, a leader, and cases
carried through their steps at given Beijing times."""

import datetime

import pytest

from tongban.cases import actions
from tongban.cases.tests.conftest import (  # noqa: F401 (fixtures)
    at,
    promise_item,
    staff,
    submit_application,
    team,
)

D = datetime.date


@pytest.fixture(autouse=True)
def _no_suppression(settings):
    settings.SUPERVISION_MIN_COUNT = 1


@pytest.fixture
def leader(other_department):
    return staff(other_department, "leader1", "leader")


def open_step(application):
    return application.case.steps.get(finished_at=None)


def approve_all(application, people):
    for actor in (people["handler"], people["reviewer"], people["approver"]):
        actions.complete_step(
            application=application,
            actor=actor,
            step_id=open_step(application).pk,
            action="approve",
            opinion="同意",
        )


def accepted(citizen, item, people, day, hour=9):
    with at(day, hour):
        application = submit_application(citizen, item)
        actions.accept(application=application, actor=people["clerk"])
    return application
