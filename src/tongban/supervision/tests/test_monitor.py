import pytest
from django.urls import reverse

from tongban.cases import actions
from tongban.cases.models import SupervisionNotice
from tongban.supervision import monitor
from tongban.supervision.models import Finding, StepNorm
from tongban.supervision.tests.conftest import D, accepted, at, open_step

pytestmark = pytest.mark.django_db


def _handle(application, actor, action="approve"):
    actions.complete_step(
        application=application,
        actor=actor,
        step_id=open_step(application).pk,
        action=action,
        opinion="意见",
    )


@pytest.fixture
def usual(citizen, team, promise_item):
    """Six cases whose 承办 step took one hour each."""
    cases = [accepted(citizen, promise_item, team, D(2026, 11, 2), 9) for _ in range(6)]
    with at(D(2026, 11, 2), 10):
        for application in cases:
            _handle(application, team["handler"])
    return cases


def test_slow_step_is_found_with_its_reason_and_supervised_from_the_finding(
    client, citizen, team, promise_item, usual, department
):
    slow = accepted(citizen, promise_item, team, D(2026, 11, 3), 9)
    with at(D(2026, 11, 6), 9):
        result = monitor.run()
    assert result["slow_step"] == 1
    norm = StepNorm.objects.get(step_name="承办")
    assert (norm.samples, norm.median_hours, norm.p90_hours) == (6, 1.0, 1.0)
    finding = Finding.objects.get(kind=Finding.Kind.SLOW_STEP)
    assert finding.case_number == slow.case_number
    assert "“承办”环节已用 72.0 小时" in finding.reason and "95% 分位" in finding.reason

    client.force_login(team["supervisor"])
    with at(D(2026, 11, 6), 10):
        page = client.get(reverse("supervision:findings"), {"department": department.pk})
    text = page.content.decode()
    assert slow.case_number in text and "环节用时异常" in text
    assert reverse("cases:detail", args=[slow.public_id]) in text
    assert "各事项环节用时" in text and "承办" in text
    with at(D(2026, 11, 6), 10):
        client.post(
            reverse("supervision:supervise", args=[finding.pk]),
            {"message": "请说明承办环节延误原因"},
        )
    notice = SupervisionNotice.objects.get(case__application=slow)
    assert notice.message == "请说明承办环节延误原因" and notice.sent_by == team["supervisor"]


def test_only_supervisors_send_supervision_from_a_finding(
    client, citizen, team, promise_item, usual
):
    accepted(citizen, promise_item, team, D(2026, 11, 3), 9)
    with at(D(2026, 11, 6), 9):
        monitor.run()
    finding = Finding.objects.get()
    client.force_login(team["handler"])
    response = client.post(reverse("supervision:supervise", args=[finding.pk]), {"message": "x"})
    assert response.status_code == 403
    assert not SupervisionNotice.objects.exists()


def test_back_and_forth_and_a_finding_that_no_longer_holds_is_closed(citizen, team, promise_item):
    application = accepted(citizen, promise_item, team, D(2026, 11, 2), 9)
    with at(D(2026, 11, 2), 10):
        for _ in range(2):
            _handle(application, team["handler"])
            _handle(application, team["reviewer"], "return")
        result = monitor.run()
    assert result["back_forth"] == 1
    finding = Finding.objects.get(kind=Finding.Kind.BACK_AND_FORTH)
    assert finding.reason == "办理环节之间已退回 2 次" and finding.open
    with at(D(2026, 11, 2), 11):
        _handle(application, team["handler"])
        _handle(application, team["reviewer"])
        _handle(application, team["approver"])
        actions.complete(application=application, actor=team["clerk"])
        monitor.run()
    finding.refresh_from_db()
    assert not finding.open


def test_reviewer_with_unusual_return_rate(citizen, team, promise_item, department, monkeypatch):
    from tongban.supervision.tests.conftest import staff

    monkeypatch.setattr(monitor, "RATE_GAP", 40.0)
    strict = staff(department, "reviewer2", "reviewer")
    for reviewer, action, count in ((team["reviewer"], "approve", 12), (strict, "return", 6)):
        for _ in range(count):
            application = accepted(citizen, promise_item, team, D(2026, 11, 2), 9)
            with at(D(2026, 11, 2), 10):
                _handle(application, team["handler"])
                _handle(application, reviewer, action)
    with at(D(2026, 11, 2), 11):
        result = monitor.run()
    # 审核: the department returns 6 of 18 (33.3%); the strict reviewer 100%, the other 0%
    assert result["reviewer_rate"] == 6
    finding = Finding.objects.filter(kind=Finding.Kind.REVIEWER_RATE).first()
    assert "退回率 100.0%，本部门同环节为 33.3%" in finding.reason
    assert "reviewer2" not in finding.reason and "示例" not in finding.reason


def test_long_suspension(citizen, team, promise_item):
    application = accepted(citizen, promise_item, team, D(2026, 9, 2), 10)
    with at(D(2026, 9, 3), 10):
        actions.start_suspension(
            application=application,
            actor=team["handler"],
            kind="expert",
            reason="组织专家评审",
            started_on=D(2026, 9, 3),
        )
    with at(D(2026, 11, 2), 10):
        result = monitor.run()
    assert result["suspension"] == 1
    finding = Finding.objects.get(kind=Finding.Kind.LONG_SUSPENSION)
    assert "专家评审" in finding.reason and "60 天" in finding.reason


def test_bad_monitor_kind_gets_a_message(client, team):
    client.force_login(team["supervisor"])
    response = client.get(reverse("supervision:findings"), {"kind": "nonsense"})
    assert response.status_code == 400
    assert "监测类型不正确" in response.content.decode()
