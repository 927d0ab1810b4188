"""Issue 19, points 7, 8, 10, 11, 12 and 13 in the service layer: one correction notice per
application, an unanswered one ends the application, 实地核查 does not stop the clock, decisions are
worded by the item's type, one person takes one duty per case, and a refusal for want of
competence names the organ to apply to."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from tongban.applications import actions as intake
from tongban.applications.models import StatusChange
from tongban.applications.states import Status
from tongban.cases import actions
from tongban.cases.models import Case, ReviewStep
from tongban.catalog import actions as catalog
from tongban.core.models import AuditRecord
from tongban.notify.models import InboxMessage
from tongban.testing.builders import submit_application
from tongban.testing.catalog import basic_item, complete_item
from tongban.testing.clock import at
from tongban.testing.factories import staff

pytestmark = pytest.mark.django_db
D = datetime.date


def _pdf_text(case_document) -> str:
    data = case_document.document.read_bytes()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(
        "\n", ""
    )


def _correct(application, clerk, items=("申请书缺少签字",)):
    return actions.request_correction(application=application, actor=clerk, items=list(items))


def _resubmit(application, citizen):
    intake.save_section(
        application=application, actor=citizen, section=1, raw={"request_detail": "已按告知补正"}
    )
    return intake.submit(application=application, actor=citizen)


def _steps_through(application, people, action="approve"):
    for actor in people:
        step = application.case.steps.get(finished_at=None)
        actions.complete_step(
            application=application, actor=actor, step_id=step.pk, action=action, opinion="同意"
        )


# --- 7. 一次性告知 --------------------------------------------------------------------------------


def test_a_second_correction_notice_is_refused_and_the_law_leaves_refusal(
    citizen, team, promise_item
):
    clerk = team["clerk"]
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        notice = _correct(application, clerk, ["申请书缺少签字", "营业执照不清晰"])
    with at(D(2026, 9, 23)):
        _resubmit(application, citizen)
    with (
        at(D(2026, 9, 24)),
        pytest.raises(PermissionDenied, match="依法不得再次要求补正") as refused,
    ):
        _correct(application, clerk, ["卫生管理制度未盖章"])
    assert notice.document_number in str(refused.value)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED  # nothing changed
    assert application.case.corrections.count() == 1
    assert list(application.case.documents.values_list("kind", flat=True)) == ["补正告知书"]
    with at(D(2026, 9, 24)):  # what remains: 受理, or 不予受理 for what was not corrected
        actions.refuse(
            application=application,
            actor=clerk,
            ground="not_corrected",
            reason="补正后营业执照仍不清晰",
            legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（四）项",
        )
    text = _pdf_text(application.case.documents.get(kind="不予受理决定书")).replace("\n", "")
    assert "未按补正告知书要求补正" in text


def test_the_correction_move_is_not_offered_once_a_notice_was_issued(
    client, citizen, team, promise_item
):
    from django.urls import reverse

    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        client.force_login(team["clerk"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert "签发补正告知书" in page
        _correct(application, team["clerk"])
        _resubmit(application, citizen)
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert "签发补正告知书" not in page and "受理并签发受理通知书" in page
        response = client.post(
            reverse("cases:act", args=[application.public_id, "correction"]),
            {"items": "再补一项"},
            follow=True,
        )
    assert "依法不得再次要求补正" in response.content.decode()


# --- 8. 逾期未补正，视为放弃申请 --------------------------------------------------------------------


def test_an_unanswered_correction_ends_the_application_after_its_deadline(
    citizen, team, promise_item, django_capture_on_commit_callbacks
):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    with at(D(2026, 9, 22)):
        notice = _correct(application, team["clerk"])
    # 10 working days from Tuesday 9/22: 9/25 中秋 and 10/1–10/7 国庆 rest, Saturday 10/10 worked.
    assert notice.respond_by == D(2026, 10, 13)
    with at(D(2026, 10, 13)):  # the last day is the applicant's
        assert actions.close_unanswered_corrections() == []
    with at(D(2026, 10, 14)), django_capture_on_commit_callbacks(execute=True):
        assert actions.close_unanswered_corrections() == [application.case_number]
        assert actions.close_unanswered_corrections() == []  # idempotent
    application.refresh_from_db()
    case = application.case
    assert application.status == Status.COMPLETED
    assert case.completion_result == Case.CompletionResult.CORRECTION_OVERDUE
    assert case.get_completion_result_display() == "补交逾期办结"
    change = StatusChange.objects.filter(application=application).last()
    assert (change.from_status, change.to_status, change.actor) == (
        Status.CORRECTION,
        Status.COMPLETED,
        None,
    )
    event = application.events.filter(is_public=True).last()
    assert event.action == "视为放弃申请" and "2026年10月13日" in event.opinion
    assert AuditRecord.objects.filter(action="cases.correction_abandoned").count() == 1
    message = InboxMessage.objects.filter(recipient=citizen).order_by("-pk").first()
    assert "视为放弃申请" in message.title and "2026-10-13" in message.body
    with pytest.raises(ValidationError):  # over: the applicant can no longer resubmit
        _resubmit(application, citizen)


def test_a_correction_answered_in_time_is_left_alone(citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        _correct(application, team["clerk"])
    with at(D(2026, 10, 13)):
        _resubmit(application, citizen)
    with at(D(2026, 11, 30)):
        assert actions.close_unanswered_corrections() == []
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


# --- 10. 实地核查 does not stop the clock -----------------------------------------------------------


def _start_procedure(application, actor, kind, day):
    with at(day):
        actions.start_suspension(
            application=application, actor=actor, kind=kind, reason="到现场核查", started_on=day
        )


def test_site_check_is_recorded_but_the_due_date_does_not_move(citizen, team, promise_item):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
    case = Case.objects.get(application=application)
    due = case.effective_due_date
    assert due == D(2026, 11, 9)
    _start_procedure(application, team["handler"], "site", D(2026, 11, 3))
    case.refresh_from_db()
    assert not case.suspended and case.effective_due_date == due
    with at(D(2026, 11, 6)):  # review goes on while the inspector is out
        _steps_through(application, [team["handler"]])
        procedure = actions.end_suspension(
            application=application,
            actor=team["handler"],
            ended_on=D(2026, 11, 6),
            result="现场与申报一致",
        )
    assert procedure.working_days == 0
    case.refresh_from_db()
    assert case.effective_due_date == due
    assert actions.refresh_due(case).stopped_days == 0
    assert "办理时限不暂停" in application.events.get(action="特别程序开始：实地核查").opinion
    # an art. 45 procedure still stops it
    _start_procedure(application, team["handler"], "testing", D(2026, 11, 9))
    case.refresh_from_db()
    assert case.suspended and case.effective_due_date == D(2026, 11, 10)


# --- 11. decisions follow the item type -------------------------------------------------------------


@pytest.fixture
def benefit_item(department, team):
    with at(D(2026, 9, 1)):
        basic_item("010501001000", "高龄津贴申领", item_type="05")
        item, draft = complete_item(
            department, code="010501001000", name="高龄津贴申领", materials=1, handling_type="2"
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    return item


@pytest.mark.parametrize(
    "action, title, said",
    [("approve", "给付决定书", "决定准予给付"), ("other", "不予给付决定书", "决定不予给付")],
)
def test_a_benefit_is_decided_by_a_benefit_decision(
    citizen, team, benefit_item, action, title, said
):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, benefit_item)
        actions.accept(application=application, actor=team["clerk"])
        _steps_through(application, [team["handler"], team["reviewer"]])
        step = application.case.steps.get(finished_at=None)
        actions.complete_step(  # at 批准, "other" ends the process 不予
            application=application,
            actor=team["approver"],
            step_id=step.pk,
            action=action,
            opinion="符合条件" if action == "approve" else "不符合条件",
        )
    application.refresh_from_db()
    document = application.case.documents.get(document__document_type="decision")
    text = _pdf_text(document)
    assert document.kind == title and said in text
    assert "准予许可" not in text and "不予许可" not in text and "行政许可决定" not in text
    assert application.events.filter(action__contains=said[2:]).exists()


def test_a_licence_keeps_its_licence_decision_and_a_public_service_its_notice(
    citizen, team, promise_item, department
):
    from tongban.cases.wording import for_item_type

    assert for_item_type("01").title(True) == "准予行政许可决定书"
    assert for_item_type("01").title(False) == "不予行政许可决定书"
    assert for_item_type("07").result(True) == "予以确认"
    assert for_item_type("20").title(False) == "不予办理通知书"
    assert for_item_type("99").title(True) == "准予办理决定书"  # unknown: never 许可
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
        _steps_through(application, [team["handler"], team["reviewer"], team["approver"]])
    document = application.case.documents.get(document__document_type="decision")
    assert document.kind == "准予行政许可决定书" and "决定准予许可" in _pdf_text(document)


# --- 12. separation of duties ----------------------------------------------------------------------


@pytest.fixture
def all_roles(department):
    return staff(department, "allroles", "window_clerk", "handler", "reviewer", "approver")


def test_one_person_cannot_accept_handle_and_review_the_same_case(
    citizen, team, promise_item, all_roles
):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=all_roles)
        step = application.case.steps.get(finished_at=None)
        with pytest.raises(PermissionDenied, match="职责分离：您已在本件中承担“受理”"):
            actions.complete_step(
                application=application,
                actor=all_roles,
                step_id=step.pk,
                action="approve",
                opinion="拟同意",
            )
        step.refresh_from_db()
        assert step.is_open and step.assignee is None  # nothing recorded
        _steps_through(application, [team["handler"]])
        step = application.case.steps.get(finished_at=None)
        assert step.name == "审核"
        with pytest.raises(PermissionDenied, match="不能再承担“审核”"):
            actions.complete_step(
                application=application,
                actor=all_roles,
                step_id=step.pk,
                action="approve",
                opinion="同意",
            )
        with pytest.raises(ValidationError, match="职责分离"):  # nor can it be assigned to them
            actions.reassign(
                application=application, actor=team["approver"], step_id=step.pk, assignee=all_roles
            )
        _steps_through(application, [team["reviewer"], team["approver"]])
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_the_separation_of_duties_refusal_reads_in_english(citizen, promise_item, all_roles):
    from django.utils import translation

    from tongban.cases import duties

    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=all_roles)
        with translation.override("en"):
            reason = duties.conflict(application.case, all_roles.pk, "handler")
    assert reason.startswith(
        "Separation of duties: you have already acted as “Accept” on this case and cannot also "
        "act as “Case handler”"
    )


def test_the_handler_redoes_their_own_step_after_a_return_but_may_not_approve(
    citizen, team, promise_item, department
):
    both = staff(department, "handapp", "handler", "approver")
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
        _steps_through(application, [both])
        _steps_through(application, [team["reviewer"]], action="return")
        assert application.case.steps.get(finished_at=None).name == "承办"
        _steps_through(application, [both, team["reviewer"]])  # 承办 again: the same duty
        step = application.case.steps.get(finished_at=None)
        with pytest.raises(PermissionDenied, match="不能再承担“批准”"):
            actions.complete_step(
                application=application,
                actor=both,
                step_id=step.pk,
                action="approve",
                opinion="同意",
            )


def test_an_item_may_switch_the_separation_off(citizen, team, promise_item, all_roles):
    from tongban.workflow.models import ItemProcess

    ItemProcess.objects.create(item=promise_item, process_key="promise", separate_duties=False)
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=all_roles)
        _steps_through(application, [all_roles, all_roles, all_roles])
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert set(ReviewStep.objects.values_list("assignee", flat=True)) == {all_roles.pk}


def test_the_case_page_offers_no_step_the_person_may_not_take(
    client, citizen, team, promise_item, all_roles
):
    from django.urls import reverse

    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=all_roles)
        client.force_login(all_roles)
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert 'name="step"' not in page and "职责分离" in page
        step = application.case.steps.get(finished_at=None)
        response = client.post(
            reverse("cases:act", args=[application.public_id, "step"]),
            {"step": step.pk, "action": "approve", "opinion": "同意"},
        )
        # refused, with the reason, and nothing moved
        assert response.status_code == 403 and "不能再承担“承办”" in response.content.decode()
        assert application.case.steps.get(finished_at=None).pk == step.pk
        client.force_login(team["handler"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert 'name="step"' in page and "职责分离" not in page


# --- 13. 不予受理: the organ to apply to -----------------------------------------------------------


def test_refusal_for_want_of_competence_names_the_organ_on_the_decision(
    citizen, team, promise_item, django_capture_on_commit_callbacks
):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        with pytest.raises(ValidationError) as missing:
            actions.refuse(
                application=application,
                actor=team["clerk"],
                ground="not_competent",
                reason="该事项由卫生健康部门负责",
                legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
            )
        assert "请写明申请人应当向哪个行政机关申请" in str(missing.value)
        with pytest.raises(ValidationError, match="请选择不予受理的情形"):
            actions.refuse(
                application=application,
                actor=team["clerk"],
                ground="bogus",
                reason="x",
                legal_basis="y",
            )
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED
        with django_capture_on_commit_callbacks(execute=True):
            actions.refuse(
                application=application,
                actor=team["clerk"],
                ground="not_competent",
                reason="该事项由卫生健康部门负责",
                legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
                refer_to="许昌市卫生健康委员会",
            )
    application.refresh_from_db()
    case = application.case
    assert (case.refusal_ground, case.refer_to_organ) == ("not_competent", "许昌市卫生健康委员会")
    text = _pdf_text(case.documents.get()).replace("\n", "")
    assert "不属于本机关职权范围" in text and "请向许昌市卫生健康委员会申请" in text
    assert "许昌市卫生健康委员会" in application.events.get(action="不予受理").opinion
    told = InboxMessage.objects.filter(recipient=citizen).order_by("-pk").first()
    assert "请向许昌市卫生健康委员会申请" in told.body


def test_the_refusal_form_carries_the_organ_field(client, citizen, team, promise_item):
    from django.urls import reverse

    grounds = {"ground": "not_competent", "reason": "非本机关职权", "legal_basis": "第三十二条"}
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        client.force_login(team["clerk"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert 'name="refer_to"' in page and 'name="ground"' in page

        def refuse(**more) -> str:
            url = reverse("cases:act", args=[application.public_id, "refuse"])
            return client.post(url, {**grounds, **more}, follow=True).content.decode()

        # 不予受理 is a final act: one click does not issue it, the confirmation is required.
        assert "请先勾选“我已核对不予受理的情形、理由和依据”，再签发决定书" in refuse()
        assert "请写明申请人应当向哪个行政机关申请" in refuse(confirm="yes")
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED
        done = refuse(refer_to="许昌市卫生健康委员会", confirm="yes")
    assert "已作出不予受理决定" in done
    application.refresh_from_db()
    assert application.status == Status.NOT_ACCEPTED
