"""决定, 办结 and 送达: the decision with its sealed document, completion and delivery."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.applications.states import STAFF, Status
from tongban.cases import deadlines, notices, policy
from tongban.cases.actions.acceptance import accept
from tongban.cases.audit_actions import AuditAction
from tongban.cases.events import CaseCompleted
from tongban.cases.handling import (
    DELIVERY_WORKING_DAYS,
    header,
    issue,
    locked,
    move,
    notify_applicant,
    record_event,
    require,
)
from tongban.cases.models import (
    Case,
)
from tongban.cases.policy import Refused
from tongban.cases.wording import for_item_type
from tongban.catalog.codes import HandlingType
from tongban.core import audit, events, workdays


def decide(
    application: Application,
    case: Case,
    actor: User | None,
    outcome: str,
    reason: str,
    *,
    kind: str = STAFF,
    notify: bool = True,
) -> None:
    from tongban.cases import commitments

    approve = outcome == "approved"
    if approve:
        commitments.check_can_approve(application)
    move(application, Status.APPROVED if approve else Status.DENIED, actor, kind, reason)
    calendar = workdays.Calendar()
    today = timezone.localdate()
    case.decision = Case.Decision.APPROVE if approve else Case.Decision.DENY
    case.decided_at, case.decided_by, case.decision_reason = timezone.now(), actor, reason
    case.legal_basis = application.item_version.legal_basis
    case.delivery_due_date = calendar.add_working_days(today, DELIVERY_WORKING_DAYS)
    case.warning = ""
    case.save()
    wording = for_item_type(application.item_version.item_type)
    result = wording.result(approve)
    sections = [
        *header(application),
        *notices.decision_sections(
            result=result, reason=reason, legal_basis=case.legal_basis, approve=approve
        ),
    ]
    document = issue(case, "decision", wording.title(approve), sections, actor)
    record_event(
        application,
        f"作出决定：{result}",
        f"{reason}\n决定书：{document.document.number}",
        actor=actor,
    )
    audit.record(
        AuditAction.DECIDE, actor=actor, obj=application, detail={"decision": case.decision}
    )
    if notify:
        notify_applicant(application, "application.decided", result=result)


@transaction.atomic
def decide_immediately(
    *, application: Application, actor: User, approve: bool, reason: str
) -> Case:
    """即办件: accepted and decided at the window in one step."""
    application = locked(application)
    if application.item_version.handling_type != HandlingType.IMMEDIATE:
        raise Refused(_("只有即办件可以当场办结"))
    if not (reason or "").strip():
        raise ValidationError({"opinion": [_("请填写处理意见")]})
    case = accept(application=application, actor=actor, opinion="即办件当场受理")
    decide(locked(application), case, actor, "approved" if approve else "denied", reason.strip())
    return case


@transaction.atomic
def complete(*, application: Application, actor: User, result: str = "") -> Case:
    """办结: approved cases end 出证办结 (the licence follows), denied ones 其他办结 unless told."""
    application = locked(application)
    case = Case.objects.select_for_update().get(application=application)
    require(actor, case.department_id, *policy.COMPLETING)
    result = result or (
        Case.CompletionResult.ISSUED
        if case.decision == Case.Decision.APPROVE
        else Case.CompletionResult.OTHER
    )
    if result not in Case.CompletionResult.values:
        raise ValidationError({"result": [_("办结结果代码无效")]})
    finish(application, case, actor, result, STAFF)
    if result == Case.CompletionResult.ISSUED:
        from tongban.licences.actions import issue_for_case

        issue_for_case(application, actor)  # same transaction: a signing failure undoes 办结
    return case


def finish(
    application: Application, case: Case, actor: User | None, result: str, kind: str
) -> None:
    move(application, Status.COMPLETED, actor, kind, Case.CompletionResult(result).label)
    calendar = workdays.Calendar()
    today = timezone.localdate()
    stopped = deadlines.compute(case, calendar, today).stopped_days
    case.completed_at, case.completion_result = timezone.now(), result
    case.working_days_used = max(
        0, calendar.working_days_between(case.accepted_on, today) - stopped
    )
    case.warning = ""
    case.save()
    record_event(
        application, "办结", f"办结结果：{case.get_completion_result_display()}", actor=actor
    )
    audit.record(AuditAction.COMPLETE, actor=actor, obj=application, detail={"result": result})
    events.publish(  # 好差评 invites the applicant to rate (一事一评), among the listeners
        CaseCompleted(
            application_id=application.pk,
            case_number=application.case_number,
            department_id=case.department_id,
            result=str(result),  # the code itself, not the enumeration member
        )
    )


@transaction.atomic
def register_delivery(
    *,
    application: Application,
    actor: User,
    method: str,
    tracking_number: str = "",
    receiver_name: str = "",
) -> Case:
    """领取登记 at the window, or mail with a tracking number."""
    application = locked(application)
    case = Case.objects.select_for_update().get(application=application)
    require(actor, case.department_id, *policy.DELIVERING)
    if case.decided_at is None:
        raise Refused(_("尚未作出决定，不能登记送达"))
    if case.delivered_at:
        raise Refused(_("已登记送达"))
    if method == "mail" and not (tracking_number or "").strip():
        raise ValidationError({"tracking_number": [_("邮寄送达请填写邮件单号")]})
    if method == "window" and not (receiver_name or "").strip():
        raise ValidationError({"receiver_name": [_("窗口领取请填写领取人姓名")]})
    if method not in ("window", "mail"):
        raise ValidationError({"method": [_("请选择送达方式")]})
    case.delivery_method, case.tracking_number = method, (tracking_number or "").strip()
    case.receiver_name, case.delivered_at = (receiver_name or "").strip(), timezone.now()
    case.save()
    text = (
        f"已通过邮寄送达，邮件单号 {case.tracking_number}"
        if method == "mail"
        else f"已在窗口领取（领取人：{case.receiver_name[:1]}*）"
    )
    record_event(application, "送达", text, actor=actor)
    audit.record(AuditAction.DELIVER, actor=actor, obj=application, detail={"method": method})
    return case
