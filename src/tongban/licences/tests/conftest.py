"""Licence fixtures on top of the case-handling ones: the department gets an 电子证照专用章, and
公共场所卫生许可 issues a 公共场所卫生许可证 (person holder, 1 year, reminders 90/30/7)."""

import datetime

import pytest

from tongban.cases import actions as cases
from tongban.cases.tests.conftest import at, promise_item, team  # noqa: F401 (fixtures)
from tongban.licences import actions
from tongban.licences.models import LicenceType


@pytest.fixture
def licence_type(department, team, promise_item):  # noqa: F811
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


@pytest.fixture(autouse=True)
def _ratings_not_migrated_yet(request, monkeypatch):
    """The ratings app is being built alongside; until its tables exist, completing a case must
    not fail on its invitation hook (this fixture does nothing once they exist)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from django.db import connection

    if "ratings_ratinginvitation" not in connection.introspection.table_names():
        try:
            import tongban.ratings.actions as ratings
        except ImportError:
            return
        monkeypatch.setattr(ratings, "invite_after_completion", lambda *a, **k: None, raising=False)


@pytest.fixture
def licence(citizen, licence_type):
    """A 公共场所卫生许可证 issued directly to the citizen on 2026-10-08."""
    with at(datetime.date(2026, 10, 8)):
        return actions.issue(
            licence_type=licence_type,
            holder_name="示例老人",
            holder_id_type="111",
            holder_id_number=citizen.citizen.id_number,
            data={"request_detail": "餐饮场所"},
        )


def approve_all(application, people) -> None:
    """承办 → 审核 → 批准, each approving (the deciding is not what these tests are about)."""
    for role in ("handler", "reviewer", "approver"):
        step = application.case.steps.get(finished_at=None)
        cases.complete_step(
            application=application,
            actor=people[role],
            step_id=step.pk,
            action="approve",
            opinion="符合条件",
        )
