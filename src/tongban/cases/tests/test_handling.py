"""Issue 5 done-when, in the service layer: a 承诺件 through 补正, acceptance, a 3-working-day 检验
across the 2026 National Day holiday, an extension, three review steps and approval — with every
due date checked against dates computed by hand from the official calendar."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongban.applications import actions as intake
from tongban.applications.states import Status
from tongban.cases import actions
from tongban.cases.models import Case, ReviewStep
from tongban.core.models import AuditRecord
from tongban.testing.builders import submit_application
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def _open_step(application) -> ReviewStep:
    return application.case.steps.get(finished_at=None)


def _due(application):
    case = Case.objects.get(application=application)
    return case.effective_due_date, actions.refresh_due(case).legal_due


def test_promise_case_from_submission_to_approval_with_hand_computed_dates(
    citizen, team, promise_item
):
    clerk, handler, reviewer, approver = (
        team["clerk"],
        team["handler"],
        team["reviewer"],
        team["approver"],
    )
    with at(D(2026, 9, 21)):  # Monday: submitted
        application = submit_application(citizen, promise_item)
    with at(D(2026, 9, 22)):  # the clerk lists everything to correct at once
        actions.request_correction(
            application=application,
            actor=clerk,
            items=["申请书缺少法定代表人签字", "卫生管理制度未加盖公章"],
        )
    application.refresh_from_db()
    assert application.status == Status.CORRECTION
    with at(D(2026, 9, 23)):  # the applicant corrects online and resubmits
        intake.save_section(
            application=application, actor=citizen, section=1, raw={"request_detail": "已补正签字"}
        )
        intake.submit(application=application, actor=citizen)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.case.corrections.get().resolved_at
    with at(D(2026, 9, 24)):  # Thursday: accepted
        actions.accept(application=application, actor=clerk)
    application.refresh_from_db()
    case = application.case
    # 5 working days, start day not counted: 9/25 中秋 and 10/1–10/7 国庆 are rest days.
    assert (case.accepted_on, case.promised_due_date, case.legal_due_date) == (
        D(2026, 9, 24),
        D(2026, 10, 9),
        D(2026, 10, 29),
    )
    assert _open_step(application).name == "承办"

    with at(D(2026, 9, 30)):  # 检验 from Wednesday 9/30 …
        actions.start_suspension(
            application=application,
            actor=handler,
            kind="inspection",
            reason="委托检测机构对场所空气质量进行检验",
            started_on=D(2026, 9, 30),
        )
    with at(
        D(2026, 10, 10)
    ):  # … to Saturday 10/10, a make-up working day: 9/30, 10/8, 10/9 stopped
        with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
            actions.end_suspension(
                application=application, actor=handler, ended_on=D(2026, 9, 29), result="合格"
            )
        suspension = actions.end_suspension(
            application=application, actor=handler, ended_on=D(2026, 10, 10), result="检验合格"
        )
    assert suspension.working_days == 3
    assert _due(application) == (D(2026, 10, 13), D(2026, 11, 3))

    with at(D(2026, 10, 12)):
        actions.extend(
            application=application, actor=approver, reason="需现场复核，经负责人批准延长"
        )
        with pytest.raises(PermissionDenied, match="只能延长一次"):
            actions.extend(application=application, actor=approver, reason="再次延长")
    assert _due(application) == (D(2026, 10, 27), D(2026, 11, 17))

    with at(D(2026, 10, 14)):
        for actor, name in ((handler, "承办"), (reviewer, "审核"), (approver, "批准")):
            step = _open_step(application)
            assert step.name == name
            actions.complete_step(
                application=application,
                actor=actor,
                step_id=step.pk,
                action="approve",
                opinion=f"{name}意见：符合条件",
            )
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.case.decision == Case.Decision.APPROVE
    kinds = list(application.case.documents.values_list("kind", flat=True))
    assert kinds == ["补正告知书", "受理通知书", "准予行政许可决定书"]
    with at(D(2026, 10, 15)):
        actions.complete(application=application, actor=clerk)
    application.refresh_from_db()
    assert application.status == Status.COMPLETED
    assert application.case.get_completion_result_display() == "出证办结"
    # 9/28–10/15 has 10 working days after 9/24; 3 of them were stopped.
    assert application.case.working_days_used == 7
    actions_logged = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "cases.accept",
        "cases.start_suspension",
        "cases.extend",
        "cases.decide",
        "cases.complete",
    } <= actions_logged
    public = list(application.events.filter(is_public=True).values_list("action", flat=True))
    assert public[:4] == ["网上申报", "一次性告知补正", "补正后重新提交", "受理"]


def test_return_sends_the_case_back_one_step(citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
        step = _open_step(application)
        actions.complete_step(
            application=application,
            actor=team["handler"],
            step_id=step.pk,
            action="approve",
            opinion="拟同意",
        )
        step = _open_step(application)
        actions.complete_step(
            application=application,
            actor=team["reviewer"],
            step_id=step.pk,
            action="return",
            opinion="材料核查不充分",
        )
    assert _open_step(application).name == "承办"


def test_wrong_moves_change_nothing(citizen, team, promise_item, second_citizen):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        with pytest.raises(PermissionDenied, match="无权"):
            actions.accept(application=application, actor=team["handler"])
        with pytest.raises(ValidationError, match="请勾选需要补正的材料，或填写其他需要补正的内容"):
            actions.request_correction(application=application, actor=team["clerk"], items=[" "])
        with pytest.raises(ValidationError):
            actions.refuse(application=application, actor=team["clerk"], reason="", legal_basis="")
        actions.accept(application=application, actor=team["clerk"])
        with pytest.raises(PermissionDenied, match="当前状态（已受理，审查中）不能执行此操作"):
            actions.accept(application=application, actor=team["clerk"])
        step = _open_step(application)
        with pytest.raises(ValidationError, match="请填写处理意见"):
            actions.complete_step(
                application=application,
                actor=team["handler"],
                step_id=step.pk,
                action="approve",
                opinion=" ",
            )
        with pytest.raises(PermissionDenied, match="无权办理此环节"):
            actions.complete_step(
                application=application,
                actor=team["reviewer"],
                step_id=step.pk,
                action="approve",
                opinion="越权",
            )
        actions.complete_step(
            application=application,
            actor=team["handler"],
            step_id=step.pk,
            action="approve",
            opinion="同意",
        )
        with pytest.raises(
            PermissionDenied, match="已被他人处理"
        ):  # a second clerk on the same step
            actions.complete_step(
                application=application,
                actor=team["handler"],
                step_id=step.pk,
                action="approve",
                opinion="重复提交",
            )
        with pytest.raises(ValidationError, match="开始日期"):
            actions.start_suspension(
                application=application,
                actor=team["handler"],
                kind="inspection",
                reason="检验",
                started_on=D(2026, 9, 1),
            )
    assert (
        ReviewStep.objects.filter(case__application=application, finished_at__isnull=False).count()
        == 1
    )


def test_refusal_issues_a_decision_with_reason_and_basis(citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        actions.refuse(
            application=application,
            actor=team["clerk"],
            reason="申请事项不属于本机关职权范围",
            legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
            ground="not_competent",
            refer_to="许昌市卫生健康委员会",
        )
    application.refresh_from_db()
    assert application.status == Status.NOT_ACCEPTED
    assert list(application.case.documents.values_list("kind", flat=True)) == ["不予受理决定书"]


def test_untouched_application_is_accepted_as_of_the_day_it_was_received(
    citizen, team, promise_item
):
    with at(D(2026, 11, 2)):  # Monday
        application = submit_application(citizen, promise_item)
    with at(D(2026, 11, 9)):  # the 5th working day after receipt: staff may still decide today
        assert actions.apply_deemed_acceptance() == []
    with at(D(2026, 11, 10)):
        assert actions.apply_deemed_acceptance() == [application.case_number]
    application.refresh_from_db()
    case = application.case
    assert application.status == Status.ACCEPTED and case.deemed_accepted
    assert case.accepted_on == D(2026, 11, 2) and case.accepted_by is None
    assert application.status_changes.last().actor is None
    assert "视为受理" in application.events.filter(is_public=True).last().action
    assert application.case.documents.get().kind == "受理通知书"


def test_warnings_turn_yellow_then_red_and_notify_once(citizen, team, promise_item):
    from tongban.notify.models import InboxMessage

    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])  # promised due: 11/9
    with at(D(2026, 11, 5)):  # 2 working days left
        assert actions.raise_warnings() == {"yellow": 1, "red": 0}
        assert actions.raise_warnings() == {"yellow": 0, "red": 0}
    with at(D(2026, 11, 10)):
        assert actions.raise_warnings() == {"yellow": 0, "red": 1}
    application.case.refresh_from_db()
    assert application.case.warning == "red"
    supervisor_messages = InboxMessage.objects.filter(recipient=team["supervisor"])
    assert supervisor_messages.count() == 2
    with at(D(2026, 11, 10)):
        notice = actions.supervise(
            application=application, actor=team["supervisor"], message="请尽快办理"
        )
        with pytest.raises(PermissionDenied, match="只有效能监察人员"):
            actions.supervise(application=application, actor=team["handler"], message="越权督办")
        actions.answer_supervision(
            notice_id=notice.pk, actor=team["handler"], answer="今日完成审核"
        )
    notice.refresh_from_db()
    assert notice.answered_at and notice.answer == "今日完成审核"


def test_hourly_scan_moves_stopped_clocks_and_leaves_unchanged_cases_unwritten(
    citizen, team, promise_item, django_assert_max_num_queries
):
    with at(D(2026, 11, 2)):  # Monday; both promised by Monday 11/9
        running, stopped = (submit_application(citizen, promise_item) for _ in range(2))
        for application in (running, stopped):
            actions.accept(application=application, actor=team["clerk"])
    with at(D(2026, 11, 3)):
        actions.start_suspension(
            application=stopped,
            actor=team["handler"],
            kind="inspection",
            reason="委托检测机构检验",
            started_on=D(2026, 11, 3),
        )
    with at(D(2026, 11, 5)):  # Thursday: 11/3, 11/4 and 11/5 stopped so far
        assert actions.raise_warnings() == {"yellow": 1, "red": 0}
        stopped_case = Case.objects.get(application=stopped)
        assert stopped_case.effective_due_date == D(2026, 11, 12) and stopped_case.warning == ""
        assert Case.objects.get(application=running).warning == "yellow"
        # The next hour nothing has moved: the scan reads the open cases with their suspensions
        # (two queries, however many cases), looks up the calendar (two cache reads) and writes
        # nothing.
        with django_assert_max_num_queries(4):
            assert actions.raise_warnings() == {"yellow": 0, "red": 0}
    with at(D(2026, 11, 6)):  # a day later the stopped clock's due date moves on by one
        actions.raise_warnings()
    assert Case.objects.get(application=stopped).effective_due_date == D(2026, 11, 13)


@pytest.fixture
def joint_case(citizen, team, promise_item, other_department):
    """A 联办 case of the lead department and `other_department`, accepted on 9/21 and past the
    lead's 承办 step: both departments' parallel review tasks are open."""
    from tongban.testing.factories import staff
    from tongban.workflow.models import ItemProcess

    choice = ItemProcess.objects.create(item=promise_item, process_key="joint")
    choice.joint_departments.set([team["handler"].staff_profile.department, other_department])
    other_reviewer = staff(other_department, "wjreviewer", "reviewer")
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
        lead = _open_step(application)
        actions.complete_step(
            application=application,
            actor=team["handler"],
            step_id=lead.pk,
            action="approve",
            opinion="牵头部门初审同意",
        )
    return application, lead, other_reviewer


def test_joint_case_is_reviewed_in_parallel_by_two_departments(joint_case, team, other_department):
    application, lead, other_reviewer = joint_case
    with at(D(2026, 9, 21)):
        parallel = list(application.case.steps.filter(finished_at=None).order_by("department_id"))
        assert len(parallel) == 2
        assert {s.department_id for s in parallel} == {lead.department_id, other_department.pk}
        mine = next(s for s in parallel if s.department_id == other_department.pk)
        with pytest.raises(PermissionDenied, match="无权办理此环节"):  # not their department's task
            actions.complete_step(
                application=application,
                actor=team["reviewer"],
                step_id=mine.pk,
                action="approve",
                opinion="越权",
            )
        for step in parallel:
            actor = (
                other_reviewer if step.department_id == other_department.pk else team["reviewer"]
            )
            actions.complete_step(
                application=application,
                actor=actor,
                step_id=step.pk,
                action="approve",
                opinion="本部门审核同意",
            )
        final = _open_step(application)
        assert final.role == "approver"
        actions.complete_step(
            application=application,
            actor=team["approver"],
            step_id=final.pk,
            action="approve",
            opinion="同意",
        )
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_one_joint_department_returning_sends_the_case_back_to_the_lead(
    joint_case, other_department
):
    application, lead, other_reviewer = joint_case
    with at(D(2026, 9, 21)):
        theirs = application.case.steps.get(finished_at=None, department=other_department)
        actions.complete_step(
            application=application,
            actor=other_reviewer,
            step_id=theirs.pk,
            action="return",
            opinion="卫生条件不符合要求",
        )
    names = list(
        application.case.steps.filter(finished_at=None).values_list("name", "department_id")
    )
    assert names == [(lead.name, lead.department_id)]


def test_handling_statistics_count_on_time_and_early_completions(citizen, team, promise_item):
    from tongban.cases import statistics

    with at(D(2026, 11, 2)):  # promised due 11/9
        early = submit_application(citizen, promise_item)
        late = submit_application(citizen, promise_item)
        for application in (early, late):
            actions.accept(application=application, actor=team["clerk"])
            for actor in (team["handler"], team["reviewer"], team["approver"]):
                actions.complete_step(
                    application=application,
                    actor=actor,
                    step_id=_open_step(application).pk,
                    action="approve",
                    opinion="同意",
                )
    with at(D(2026, 11, 4)):
        actions.complete(application=early, actor=team["clerk"])  # 2 working days used
    with at(D(2026, 11, 11)):
        actions.complete(
            application=late, actor=team["clerk"]
        )  # 7 working days, after the due date
    [figures] = statistics.handling_figures(D(2026, 11, 1), D(2026, 11, 30))
    assert (figures.completed, figures.average_working_days) == (2, 4.5)
    assert (figures.on_time_rate, figures.early_rate) == (50.0, 50.0)
