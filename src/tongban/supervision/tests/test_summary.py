import pytest

from tongban.cases import actions
from tongban.supervision import summary
from tongban.supervision.models import CaseFact, DailyCaseFigure
from tongban.supervision.tests.conftest import D, accepted, approve_all, at, submit_application

pytestmark = pytest.mark.django_db


def _totals():
    rows = DailyCaseFigure.objects.all()
    return {
        key: sum(getattr(r, key) for r in rows)
        for key in ("cases", "accepted", "completed", "on_time", "used_days", "promised_days")
    }


def test_fold_counts_cases_once_and_follows_new_history(citizen, team, promise_item):
    early = accepted(citizen, promise_item, team, D(2026, 11, 2))
    late = accepted(citizen, promise_item, team, D(2026, 11, 2))
    with at(D(2026, 11, 2)):
        approve_all(early, team)
        approve_all(late, team)
    with at(D(2026, 11, 4)):
        actions.complete(application=early, actor=team["clerk"])  # 2 working days, on time
    with at(D(2026, 11, 11)):
        actions.complete(application=late, actor=team["clerk"])  # 7 working days, late
        assert summary.fold() == 2
    totals = _totals()
    assert totals == {
        "cases": 2,
        "accepted": 2,
        "completed": 2,
        "on_time": 1,
        "used_days": 9,
        "promised_days": 10,
    }
    # Nothing new: nothing refolded, the same figures.
    with at(D(2026, 11, 11), 11):
        assert summary.fold() == 0
    assert _totals() == totals
    # One new submission: only it is folded.
    with at(D(2026, 11, 12)):
        third = submit_application(citizen, promise_item)
    with at(D(2026, 11, 12), 11):
        assert summary.fold() == 1
    assert _totals()["cases"] == 3
    assert CaseFact.objects.get(application_id=third.pk).status == "submitted"
    # A full rebuild agrees with the steps.
    before = sorted(DailyCaseFigure.objects.values_list("day", "status", "cases", "on_time"))
    summary.rebuild()
    assert (
        sorted(DailyCaseFigure.objects.values_list("day", "status", "cases", "on_time")) == before
    )


def test_acceptance_event_refreshes_at_once(
    citizen, team, promise_item, django_capture_on_commit_callbacks
):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        with django_capture_on_commit_callbacks(execute=True):
            actions.accept(application=application, actor=team["clerk"])
    fact = CaseFact.objects.get(application_id=application.pk)
    assert fact.accepted_on == D(2026, 11, 2) and fact.status == "accepted"
    assert fact.case_number == application.case_number


def test_facts_carry_no_person(citizen, team, promise_item):
    accepted(citizen, promise_item, team, D(2026, 11, 2))
    summary.fold()
    fields = {f.name for f in CaseFact._meta.get_fields()}
    assert not fields & {"applicant_name", "applicant_id", "owner", "contact_phone", "assignee"}


def _suspend_over_national_day(application, team):
    """A 检测 from Tuesday 29 September to Friday 9 October 2026: 国庆 (1–7 October) inside."""
    with at(D(2026, 9, 29)):
        actions.start_suspension(
            application=application,
            actor=team["handler"],
            kind="testing",
            reason="委托检测",
            started_on=D(2026, 9, 29),
        )


def test_ended_suspension_counts_at_once_across_a_holiday(
    citizen, team, promise_item, django_capture_on_commit_callbacks
):
    from tongban.supervision.models import Finding

    application = accepted(citizen, promise_item, team, D(2026, 9, 28))
    _suspend_over_national_day(application, team)
    summary.fold()
    assert CaseFact.objects.get(application_id=application.pk).suspended_days == 0
    Finding.objects.create(
        application_id=application.pk,
        case_number=application.case_number,
        public_id=application.public_id,
        department_id=application.case.department_id,
        region_code="",
        service_item_id=promise_item.pk,
        kind=Finding.Kind.LONG_SUSPENSION,
        reason="暂停计时过长",
        measure=10,
        norm=5,
    )
    with at(D(2026, 10, 9)), django_capture_on_commit_callbacks(execute=True):
        suspension = actions.end_suspension(
            application=application, actor=team["handler"], ended_on=D(2026, 10, 9), result="合格"
        )
    # No fold ran: the event alone put the procedure into the figures.
    fact = CaseFact.objects.get(application_id=application.pk)
    # 9/29, 9/30 and 10/8: the holiday week is not counted, nor the day it ended (exclusive).
    assert suspension.working_days == 3
    assert fact.suspended_days == 3
    assert not Finding.objects.get(application_id=application.pk).open


def test_periodic_fold_sees_a_suspension_ended_in_place(citizen, team, promise_item):
    application = accepted(citizen, promise_item, team, D(2026, 9, 28))
    _suspend_over_national_day(application, team)
    with at(D(2026, 9, 29), 18):
        summary.fold()
    assert CaseFact.objects.get(application_id=application.pk).suspended_days == 0
    # Ended without the event reaching us (a worker down): the next fold still catches it, as the
    # suspension's row changed in place but the case's timeline grew.
    with at(D(2026, 10, 9)):
        suspension = actions.end_suspension(
            application=application, actor=team["handler"], ended_on=D(2026, 10, 9), result="合格"
        )
    with at(D(2026, 10, 9), 11):
        assert summary.fold() == 1
    fact = CaseFact.objects.get(application_id=application.pk)
    assert fact.suspended_days == suspension.working_days > 0


def test_a_fold_catches_up_past_one_page_of_history(citizen, team, promise_item, monkeypatch):
    """More new history than one page per source (a restore, the first fold of a large city): one
    fold still folds every case, so the minute task after it has nothing left to do."""
    monkeypatch.setattr(summary, "PAGE", 2)
    with at(D(2026, 11, 2)):
        submitted = [submit_application(citizen, promise_item) for _ in range(5)]
    with at(D(2026, 11, 2), 11):
        assert summary.rebuild() == 5
        assert set(CaseFact.objects.values_list("application_id", flat=True)) == {
            a.pk for a in submitted
        }
        assert summary.fold() == 0
