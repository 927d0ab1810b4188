"""Issue 19, points 1–4: case dates in years the holiday package does not know, the year that is
confirmed only by an administrator, open cases following calendar corrections, and limits shown in
their own unit with the countdown stopped on finished cases."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tongban.applications.states import Status
from tongban.cases import actions, calendar_sync
from tongban.cases.models import Case
from tongban.cases.tests.test_commitments import _apply, item  # noqa: F401 (a 容缺 item)
from tongban.catalog import actions as catalog
from tongban.core import calendar_actions
from tongban.core.models import AuditRecord
from tongban.testing.builders import submit_application
from tongban.testing.catalog import complete_item
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def _accepted(citizen, team, service_item, day):
    with at(day):
        application = submit_application(citizen, service_item)
        actions.accept(application=application, actor=team["clerk"])
    application.refresh_from_db()
    return application


def _notice_text(application) -> str:
    document = application.case.documents.get(kind="受理通知书").document
    with document.file.open("rb") as handle:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_case_accepted_before_new_year_2027_is_not_due_on_yuandan(
    client, citizen, team, promise_item
):
    application = _accepted(citizen, team, promise_item, D(2026, 12, 4))
    case = application.case
    # 20 working days from Friday 2026-12-04: Friday 2027-01-01 is 元旦, so Monday 2027-01-04.
    assert case.legal_due_date == D(2027, 1, 4)
    assert "2027年的国务院节假日安排尚未确认" in _notice_text(application).replace("\n", "")
    with at(D(2026, 12, 7)):
        client.force_login(team["clerk"])
        staff_page = client.get(reverse("cases:detail", args=[application.public_id]))
        client.force_login(citizen)
        citizen_page = client.get(reverse("applications:draft", args=[application.public_id]))
    assert "data-unconfirmed" in staff_page.content.decode()
    assert "2027 年的节假日安排尚未确认" in staff_page.content.decode()
    citizen_html = citizen_page.content.decode()
    assert "data-unconfirmed" not in citizen_html  # the promised date (12/11) lies in 2026 …
    with at(D(2026, 12, 7)):
        case.effective_due_date = D(2027, 1, 4)  # … until it is moved into 2027
        case.save(update_fields=["effective_due_date"])
        citizen_html = client.get(
            reverse("applications:draft", args=[application.public_id])
        ).content.decode()
    assert "data-unconfirmed" in citizen_html and "未确认" in citizen_html


def test_deemed_acceptance_across_spring_festival_2027_waits_for_the_latest_plausible_day(
    citizen, team, promise_item
):
    with at(D(2027, 2, 4)):  # Thursday before 除夕
        application = submit_application(citizen, promise_item)
    # Monday–Friday counting would have accepted it on 2/12; the statutory days alone give 2/17 as
    # the clerk's last day; the schedule may still rest until 初八 (2/13), so the latest is 2/19.
    for day in (D(2027, 2, 12), D(2027, 2, 18), D(2027, 2, 19)):
        with at(day):
            assert actions.apply_deemed_acceptance() == [], day
    with at(D(2027, 2, 20)):
        assert actions.apply_deemed_acceptance() == [application.case_number]
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    assert application.case.deemed_accepted and application.case.accepted_on == D(2027, 2, 4)


def test_deemed_acceptance_in_a_confirmed_year_is_not_delayed(
    citizen, team, promise_item, platform_admin
):
    with at(D(2026, 12, 4)):
        calendar_actions.confirm_year(actor=platform_admin, year=2027, basis="国办发明电")
    with at(D(2027, 2, 4)):
        application = submit_application(citizen, promise_item)
    with at(D(2027, 2, 17)):  # the 5th working day by the confirmed calendar: still staff's
        assert actions.apply_deemed_acceptance() == []
    with at(D(2027, 2, 18)):
        assert actions.apply_deemed_acceptance() == [application.case_number]


def test_open_cases_follow_a_calendar_correction_once(
    citizen,
    team,
    promise_item,
    platform_admin,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    application = _accepted(citizen, team, promise_item, D(2026, 12, 4))
    case = application.case
    assert (case.promised_due_date, case.legal_due_date) == (D(2026, 12, 11), D(2027, 1, 4))
    with at(D(2026, 12, 14)):
        actions.raise_warnings()
    case.refresh_from_db()
    assert case.warning == "red"

    with at(D(2026, 12, 14)), django_capture_on_commit_callbacks(execute=True):
        for day in (7, 8, 9):  # a local closure, entered afterwards as rest days
            calendar_actions.set_day(
                actor=platform_admin, date=D(2026, 12, day), is_working_day=False, name="临时停工"
            )
    case.refresh_from_db()
    # Promised: 12/10, 11, 14, 15, 16; statutory 20 days: three days later, 2027-01-07.
    assert (case.promised_due_date, case.legal_due_date) == (D(2026, 12, 16), D(2027, 1, 7))
    assert case.effective_due_date == D(2026, 12, 16)
    assert case.warning == "yellow"  # two working days left on 12/14, no longer overdue
    # Three rows in one transaction: three recounts queued after commit, the first moves the
    # dates, the others find nothing left to do.
    moves = application.events.filter(action="办理期限调整", is_public=True)
    assert moves.count() == 1
    assert "承诺办结日期由2026-12-11调整为2026-12-16" in moves.get().opinion
    assert "法定办结日期由2027-01-04调整为2027-01-07" in moves.get().opinion
    assert AuditRecord.objects.filter(action="cases.due_dates_recounted").count() == 1

    with at(D(2026, 12, 14)):  # the task again: nothing moved, nothing written
        assert calendar_sync.follow_calendar() == {"checked": 1, "moved": 0}
    assert moves.count() == 1

    with at(D(2026, 12, 14)), django_capture_on_commit_callbacks(execute=True):
        calendar_actions.remove_day(actor=platform_admin, date=D(2026, 12, 9))
    case.refresh_from_db()
    assert case.promised_due_date == D(2026, 12, 15)


def test_confirming_a_year_recounts_and_drops_the_unconfirmed_flag(
    client,
    citizen,
    team,
    promise_item,
    platform_admin,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    application = _accepted(citizen, team, promise_item, D(2026, 12, 4))
    with at(D(2026, 12, 7)), django_capture_on_commit_callbacks(execute=True):
        # The State Council's schedule turns Monday 2027-01-04 into a rest day; then the year is
        # confirmed complete.
        calendar_actions.set_day(
            actor=platform_admin, date=D(2027, 1, 4), is_working_day=False, name="元旦调休"
        )
        calendar_actions.confirm_year(actor=platform_admin, year=2027, basis="国办发明电")
    case = Case.objects.get(application=application)
    assert case.legal_due_date == D(2027, 1, 5)
    with at(D(2026, 12, 7)):
        client.force_login(team["clerk"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
    assert "data-unconfirmed" not in page and "data-legal-due>2027-01-05" in page


def test_finished_suspension_is_recounted_after_a_correction(
    citizen, team, promise_item, platform_admin
):
    application = _accepted(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        actions.start_suspension(
            application=application,
            actor=team["handler"],
            kind="testing",
            reason="委托检测",
            started_on=D(2026, 11, 3),
        )
    with at(D(2026, 11, 6)):
        suspension = actions.end_suspension(
            application=application, actor=team["handler"], ended_on=D(2026, 11, 6), result="合格"
        )
    assert suspension.working_days == 3  # 11/3, 4, 5
    with at(D(2026, 11, 9)):
        calendar_actions.set_day(
            actor=platform_admin, date=D(2026, 11, 4), is_working_day=False, name="临时停工"
        )
        calendar_sync.follow_calendar()
    suspension.refresh_from_db()
    assert suspension.working_days == 2
    event = application.events.get(action="办理期限调整")
    assert "特别程序暂停的工作日数已按新的工作日历重新计算" in event.opinion


@pytest.fixture
def natural_day_item(department, team):
    with at(D(2026, 9, 1)):
        item, draft = complete_item(
            department,
            code="010101003000",
            name="大货车入市通行证",
            materials=1,
            handling_type="2",
            legal_limit=15,
            legal_limit_unit="N",
            promised_limit=15,
            promised_limit_unit="N",
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    return item


def test_natural_day_limit_is_labelled_in_natural_days(client, citizen, team, natural_day_item):
    application = _accepted(citizen, team, natural_day_item, D(2026, 11, 2))
    assert application.case.promised_due_date == D(2026, 11, 17)  # 15 calendar days
    assert "15个自然日" in _notice_text(application)
    with at(D(2026, 11, 3)):
        client.force_login(team["clerk"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
    assert "15 个自然日" in page and "11 个工作日" not in page


def test_finished_case_shows_no_countdown(client, citizen, team, promise_item):
    application = _accepted(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 4)):
        for actor in (team["handler"], team["reviewer"], team["approver"]):
            step = application.case.steps.get(finished_at=None)
            actions.complete_step(
                application=application,
                actor=actor,
                step_id=step.pk,
                action="approve",
                opinion="符合条件",
            )
        actions.complete(application=application, actor=team["clerk"])
    with at(D(2026, 12, 20)):  # long after the promised date of 11/9
        client.force_login(team["clerk"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
    assert "超期" not in page and "剩 " not in page
    assert "data-clock-stopped" in page and "已于 2026-11-04 办结，计时停止" in page


def test_deferred_material_across_spring_festival_2027_is_closed_only_after_the_latest_day(
    citizen,
    team,
    item,  # noqa: F811 (the fixture imported above)
):
    from tongban.cases import commitments

    with at(D(2027, 2, 4)):
        application = _apply(citizen, item, defer=["卫生检测报告"])
        actions.accept(application=application, actor=team["clerk"])
    deferred = application.commitments.get()
    deferred.refresh_from_db()
    assert deferred.supply_by == D(2027, 2, 17)  # the applicant is told the statutory reading
    with at(D(2027, 2, 18), hour=0):
        assert commitments.enforce_deferred()["closed"] == 0  # the schedule may rest to 2/13
    with at(D(2027, 2, 20), hour=0):
        assert commitments.enforce_deferred()["closed"] == 1
