"""The case-handling service layer: acceptance, correction, refusal, review, special procedures,
extension, decision, completion, delivery, supervision and warnings.

Every function locks the application row, checks the status move against the one status table
(applications.states), checks role and department, writes in one transaction with history
(StatusChange, TimelineEvent, ReviewStep …) and an audit record, issues the sealed document the law
requires, and tells the applicant where the step is public.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.applications.models import Application, StatusChange, TimelineEvent
from tongban.applications.states import STAFF, SYSTEM, Status, allowed
from tongban.cases import deadlines, duties, review
from tongban.cases.events import CaseAccepted, CaseCompleted
from tongban.cases.models import (
    Case,
    CaseDocument,
    CorrectionNotice,
    Extension,
    RefusalGround,
    ReviewStep,
    SupervisionNotice,
    Suspension,
    WarningEvent,
)
from tongban.cases.wording import for_item_type
from tongban.catalog.codes import HandlingType, LimitUnit
from tongban.core import audit, events, workdays

ACCEPTANCE_WORKING_DAYS = 5  # 行政许可法 art. 32
DELIVERY_WORKING_DAYS = 10  # art. 44


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- plumbing -----------------------------------------------------------------------------------


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service_item__department", "item_version", "owner")
        .get(pk=application.pk)
    )


def _move(
    application: Application, target: str, actor: User | None, kind: str, note: str = ""
) -> None:
    if not allowed(application.status, target, kind):
        raise ValidationError(f"当前状态（{application.get_status_display()}）不能执行此操作")
    StatusChange.objects.create(
        application=application,
        from_status=application.status,
        to_status=target,
        actor=actor,
        note=note[:300],
    )
    application.status = target
    application.save(update_fields=["status", "updated_at"])


def _event(
    application: Application,
    action: str,
    opinion: str = "",
    *,
    public: bool = True,
    actor: User | None = None,
) -> None:
    TimelineEvent.objects.create(
        application=application,
        department=application.service_item.department,
        action=action,
        opinion=opinion,
        is_public=public,
        actor_label=actor.display_name if actor else "系统",
    )


def _require(actor: User, department_id: int, *roles: str) -> None:
    if not (actor.has_role(*roles) and serves_department(actor, department_id)):
        raise ValidationError("您的角色或所属部门无权办理此件")


def _case(application: Application) -> Case:
    case, _ = Case.objects.get_or_create(
        application=application, defaults={"department": application.service_item.department}
    )
    return case


def _notify(application: Application, template: str, **context) -> None:
    from tongban.notify import actions as notify

    notify.send(
        application.owner,
        template,
        {
            "case_number": application.case_number,
            "item_name": application.item_version.name,
            "department": application.service_item.department.name,
            **context,
        },
        related=application,
        link=reverse("applications:draft", args=[application.public_id]),
    )


def _issue(
    case: Case, kind: str, title: str, sections: list[tuple[str, str]], actor
) -> CaseDocument:
    from tongban.seals.documents import issue_document

    document = issue_document(
        document_type=kind,
        title=title,
        sections=sections,
        department=case.department,
        actor=actor,
        related=case.application,
    )
    return CaseDocument.objects.create(case=case, kind=title, document=document)


def _header(application: Application) -> list[tuple[str, str]]:
    return [
        ("", f"{application.applicant_name}："),
        ("办件编号", application.case_number),
        ("申请事项", application.item_version.name),
        ("收件时间", f"{timezone.localtime(application.received_at):%Y年%m月%d日}"),
    ]


def _limit_days(amount, unit) -> int | None:
    # Recorded in working days for statistics; natural-day limits are converted at 5 of 7.
    if amount is None:
        return None
    return amount if unit == LimitUnit.WORKING_DAYS else round(amount * 5 / 7)


# --- acceptance (受理) -----------------------------------------------------------------------------


def _start_clock(case: Case, accepted_on: datetime.date) -> None:
    version = case.application.item_version
    calendar = workdays.Calendar()
    case.accepted_on = accepted_on
    case.legal_limit_days = _limit_days(version.legal_limit, version.legal_limit_unit)
    case.promised_limit_days = _limit_days(version.promised_limit, version.promised_limit_unit)
    case.legal_due_date = deadlines.base_due_date(
        calendar, accepted_on, version.legal_limit, version.legal_limit_unit
    )
    case.promised_due_date = (
        deadlines.base_due_date(
            calendar, accepted_on, version.promised_limit, version.promised_limit_unit
        )
        or case.legal_due_date
    )
    case.effective_due_date = case.promised_due_date


@transaction.atomic
def accept(*, application: Application, actor: User, opinion: str = "") -> Case:
    application = _locked(application)
    from tongban.cases import commitments  # builds on this module: imported when used

    _require(actor, application.service_item.department_id, Role.WINDOW_CLERK)
    commitments.check_applicant_eligible(application)
    _move(application, Status.ACCEPTED, actor, STAFF, opinion)
    return _accepted(application, actor, timezone.localdate(), deemed=False)


def _accepted(
    application: Application, actor: User | None, accepted_on: datetime.date, *, deemed: bool
) -> Case:
    from tongban.cases import commitments

    case = _case(application)
    case.accepted_at, case.accepted_by, case.deemed_accepted = timezone.now(), actor, deemed
    _start_clock(case, accepted_on)
    case.save()
    due = case.effective_due_date
    commitment_sections = commitments.on_acceptance(case)
    deferred = bool(commitments.outstanding(application).exists())
    if deemed:
        basis = (
            "因受理机关自收到申请之日起5个工作日内未作出受理决定，依据《中华人民共和国行政许可法》"
            "第三十二条，自收到申请之日起即为受理。"
        )
    elif deferred:
        basis = "你（单位）的主要申请材料齐全、符合法定形式，次要材料已书面承诺限期补交，决定予以容缺受理。"
    else:
        basis = "你（单位）的申请材料齐全、符合法定形式，决定予以受理。"
    unconfirmed = deadlines.unconfirmed_note(case, workdays.Calendar())
    document = _issue(
        case,
        "acceptance_notice",
        "受理通知书",
        [
            *_header(application),
            ("", basis),
            ("受理日期", f"{accepted_on:%Y年%m月%d日}"),
            (
                "承诺办结日期",
                f"{due:%Y年%m月%d日}（{deadlines.promised_limit_text(case)}，受理当日不计入）"
                if due
                else "即办",
            ),
            *([("日期说明", unconfirmed)] if unconfirmed else []),
            *commitment_sections,
        ],
        actor,
    )
    _event(
        application,
        "视为受理" if deemed else "容缺受理" if deferred else "受理",
        f"{basis}承诺办结日期：{due:%Y-%m-%d}"
        f"{'（未确认）' if unconfirmed else ''}。受理通知书：{document.document.number}。"
        if due
        else basis,
        actor=actor,
    )
    audit.record(
        "cases.deemed_accept" if deemed else "cases.accept",
        actor=actor,
        obj=application,
        detail={"accepted_on": accepted_on.isoformat(), "due": due.isoformat() if due else None},
    )
    _notify(application, "application.accepted", due_date=f"{due:%Y-%m-%d}" if due else "即办")
    review.start(case)
    events.publish(
        CaseAccepted(
            application_id=application.pk,
            case_number=application.case_number,
            department_id=case.department_id,
            accepted_on=accepted_on.isoformat(),
            deemed=deemed,
        )
    )
    return case


def _refusal_errors(reason: str, legal_basis: str, ground: str, refer_to: str) -> dict:
    errors = {}
    if not reason:
        errors["reason"] = ["请写明不予受理的理由"]
    if not legal_basis:
        errors["legal_basis"] = ["请写明法律依据"]
    if ground and ground not in RefusalGround.values:
        errors["ground"] = ["请选择不予受理的情形"]
    not_competent = ground == RefusalGround.NOT_COMPETENT or (not ground and "职权范围" in reason)
    if not_competent and not refer_to:
        errors["refer_to"] = ["申请事项不属于本机关职权范围的，请写明申请人应当向哪个行政机关申请"]
    if len(refer_to) > 200:
        errors["refer_to"] = ["机关名称不能超过200个字"]
    return errors


@transaction.atomic
def refuse(
    *,
    application: Application,
    actor: User,
    reason: str,
    legal_basis: str,
    ground: str = "",
    refer_to: str = "",
) -> Case:
    """不予受理: not a matter for this organ, or not licensable (art. 32 (1)–(2)). When it is not
    this organ's, the applicant is told which organ to apply to (`refer_to`), on the decision."""
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    ground, refer_to = (ground or "").strip(), (refer_to or "").strip()
    errors = _refusal_errors(reason, legal_basis, ground, refer_to)
    if errors:
        raise ValidationError(errors)
    application = _locked(application)
    _require(actor, application.service_item.department_id, Role.WINDOW_CLERK)
    _move(application, Status.NOT_ACCEPTED, actor, STAFF, reason)
    case = _case(application)
    case.decision_reason, case.legal_basis = reason, legal_basis
    case.refusal_ground, case.refer_to_organ = ground, refer_to
    case.completed_at = timezone.now()
    case.completion_result = Case.CompletionResult.RETURNED
    case.save()
    document = _issue(
        case,
        "rejection_decision",
        "不予受理决定书",
        [
            *_header(application),
            *([("不予受理的情形", RefusalGround(ground).label)] if ground else []),
            ("不予受理的理由", reason),
            ("法律依据", legal_basis),
            *(
                [("告知", f"本申请事项不属于本机关职权范围，请向{refer_to}申请。")]
                if refer_to
                else []
            ),
            (
                "",
                "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
            ),
        ],
        actor,
    )
    _event(
        application,
        "不予受理",
        f"理由：{reason}\n依据：{legal_basis}"
        + (f"\n请向{refer_to}申请" if refer_to else "")
        + f"\n文书：{document.document.number}",
        actor=actor,
    )
    audit.record(
        "cases.refuse",
        actor=actor,
        obj=application,
        detail={"reason": reason, "ground": ground, "refer_to": refer_to},
    )
    _notify(
        application,
        "application.rejected",
        reason=reason + (f"（请向{refer_to}申请）" if refer_to else ""),
    )
    return case


@transaction.atomic
def request_correction(
    *, application: Application, actor: User, items: list[str]
) -> CorrectionNotice:
    """补正: one notice listing everything to correct (一次性告知); the applicant corrects online and
    acceptance starts again from the corrected submission."""
    items = [i.strip() for i in items if i and i.strip()]
    if not items:
        raise ValidationError({"items": ["请逐项列明需要补正的全部内容"]})
    application = _locked(application)
    _require(actor, application.service_item.department_id, Role.WINDOW_CLERK)
    _refuse_second_correction(application)
    _move(application, Status.CORRECTION, actor, STAFF, "；".join(items))
    case = _case(application)
    respond_by = workdays.add_working_days(
        timezone.localdate(), _setting("CASE_CORRECTION_WORKING_DAYS", 10)
    )
    notice = CorrectionNotice.objects.create(
        case=case, items=items, issued_by=actor, respond_by=respond_by
    )
    document = _issue(
        case,
        "correction_notice",
        "补正告知书",
        [
            *_header(application),
            ("", "你（单位）提交的申请材料不齐全或者不符合法定形式，请一次性补正以下全部内容："),
            ("需补正内容", "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))),
            (
                "补正期限",
                f"{respond_by:%Y年%m月%d日}前，登录平台在“我的办件”中补正后重新提交。逾期未补正的，视为放弃申请。",
            ),
        ],
        actor,
    )
    notice.document_number = document.document.number
    notice.save(update_fields=["document_number"])
    _event(
        application,
        "一次性告知补正",
        "请补正以下全部内容：\n"
        + "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))
        + f"\n补正期限：{respond_by:%Y-%m-%d}",
        actor=actor,
    )
    audit.record("cases.request_correction", actor=actor, obj=application, detail={"items": items})
    _notify(
        application,
        "application.correction_needed",
        reason="；".join(items)[:60],
        due_date=f"{respond_by:%Y-%m-%d}",
    )
    return notice


def _refuse_second_correction(application: Application) -> None:
    """一次性告知 (art. 32 (4)): the one notice lists everything. After the applicant resubmits,
    the organ accepts, or refuses acceptance for what the notice listed and was not corrected
    (RefusalGround.NOT_CORRECTED); it never asks again."""
    earlier = CorrectionNotice.objects.filter(case__application=application).first()
    if earlier is not None:
        raise ValidationError(
            f"本申请已于{timezone.localtime(earlier.issued_at):%Y年%m月%d日}一次性告知补正"
            f"（{earlier.document_number}），依法不得再次要求补正。补正后仍不符合要求的，"
            "请作出不予受理决定（情形：未按补正告知书要求补正）。"
        )


def has_correction_notice(application: Application) -> bool:
    return CorrectionNotice.objects.filter(case__application=application).exists()


def resolve_corrections(application_id: int) -> None:
    """The applicant resubmitted (event application.resubmitted): the open notice is answered."""
    CorrectionNotice.objects.filter(case__application_id=application_id, resolved_at=None).update(
        resolved_at=timezone.now()
    )


def open_correction(application: Application) -> CorrectionNotice | None:
    """The correction notice the applicant has still to answer, shown on the draft's pages."""
    if application.status != Status.CORRECTION:
        return None
    return CorrectionNotice.objects.filter(case__application=application, resolved_at=None).last()


# --- system moves ------------------------------------------------------------------------------


def deemed_acceptance_due(
    received: datetime.datetime, calendar: workdays.Calendar
) -> datetime.date:
    """The last day staff may decide on acceptance; after it the application counts as accepted."""
    return calendar.add_working_days(timezone.localdate(received), ACCEPTANCE_WORKING_DAYS)


def apply_deemed_acceptance(today: datetime.date | None = None) -> list[str]:
    """Daily job: applications nobody accepted, refused or sent back within 5 working days are
    accepted as of the day they were received (art. 32), by the system, and say so."""
    today = today or timezone.localdate()
    # The latest plausible reading: with a year's schedule unknown, the system never acts before
    # the last day the schedule could turn out to give staff (see docs/cases.md).
    calendar = workdays.Calendar(latest=True)
    done = []
    candidates = Application.objects.filter(status=Status.SUBMITTED, received_at__isnull=False)
    for application in candidates.iterator():
        if deemed_acceptance_due(application.received_at, calendar) >= today:
            continue
        with transaction.atomic():
            locked = _locked(application)
            if locked.status != Status.SUBMITTED:
                continue
            _move(locked, Status.ACCEPTED, None, SYSTEM, "逾期未作出受理决定，视为受理")
            _accepted(locked, None, timezone.localdate(locked.received_at), deemed=True)
        done.append(locked.case_number)
    return done


def close_unanswered_corrections(today: datetime.date | None = None) -> list[str]:
    """Daily job: an application whose 补正告知书 was not answered by its deadline counts as
    abandoned, as the notice said ("逾期未补正的，视为放弃申请"): the system ends it with 办结 result
    5 补交逾期办结. Safe to run again: only applications still 待补正 are touched."""
    today = today or timezone.localdate()
    overdue = CorrectionNotice.objects.filter(
        resolved_at=None,
        respond_by__lt=today,
        case__application__status=Status.CORRECTION,
    ).values_list("case__application_id", flat=True)
    done = []
    for application_id in list(overdue):
        with transaction.atomic():
            application = _locked(Application(pk=application_id))
            notice = (
                CorrectionNotice.objects.select_for_update()
                .filter(case__application=application, resolved_at=None)
                .first()
            )
            if application.status != Status.CORRECTION or notice is None:
                continue
            if notice.respond_by >= today:
                continue
            _abandon(application, notice)
        done.append(application.case_number)
    return done


def _abandon(application: Application, notice: CorrectionNotice) -> None:
    reason = f"逾期未补正（期限{notice.respond_by:%Y-%m-%d}），视为放弃申请"
    _move(application, Status.COMPLETED, None, SYSTEM, reason)
    case = notice.case
    case.completed_at = timezone.now()
    case.completion_result = Case.CompletionResult.CORRECTION_OVERDUE
    case.decision_reason = reason
    case.save(update_fields=["completed_at", "completion_result", "decision_reason"])
    _event(
        application,
        "视为放弃申请",
        f"申请人未在补正告知书（{notice.document_number}）规定的{notice.respond_by:%Y年%m月%d日}前"
        "补正，依照告知书视为放弃申请，本件补交逾期办结。如仍需办理，请重新申请。",
    )
    audit.record(
        "cases.correction_abandoned",
        obj=application,
        detail={"notice": notice.document_number, "respond_by": notice.respond_by.isoformat()},
    )
    _notify(application, "case.correction_abandoned", due_date=f"{notice.respond_by:%Y-%m-%d}")


# --- review -----------------------------------------------------------------------------------------


@transaction.atomic
def complete_step(
    *, application: Application, actor: User, step_id: int, action: str, opinion: str
) -> Case:
    application = _locked(application)
    if application.status != Status.ACCEPTED:
        raise ValidationError(f"当前状态（{application.get_status_display()}）不能办理审查环节")
    step = (
        ReviewStep.objects.select_for_update()
        .filter(pk=step_id, case__application=application)
        .first()
    )
    if step is None or not step.is_open:
        raise ValidationError("该环节已被他人处理或不存在，请刷新后重试")
    if not (actor.has_role(step.role) and serves_department(actor, step.department_id)):
        raise ValidationError("您的角色或所属部门无权办理此环节")
    if (
        step.assignee_id
        and step.assignee_id != actor.pk
        and not actor.has_role(Role.PLATFORM_ADMIN)
    ):
        raise ValidationError("该环节已指派给其他工作人员")
    opinion = (opinion or "").strip()
    if action not in ReviewStep.Action.values:
        raise ValidationError({"action": ["请选择通过、退回或其他"]})
    if not opinion:
        raise ValidationError({"opinion": ["请填写处理意见"]})
    case = application.case
    duties.check(case, actor.pk, step.role)
    if case.suspended:
        raise ValidationError("特别程序进行中，计时已暂停，请先结束特别程序")
    step.assignee, step.action, step.opinion, step.finished_at = (
        actor,
        action,
        opinion,
        timezone.now(),
    )
    step.save()
    _event(
        application, f"{step.name}：{step.get_action_display()}", opinion, public=False, actor=actor
    )
    audit.record(
        "cases.complete_step",
        actor=actor,
        obj=application,
        detail={"step": step.name, "action": action},
    )
    outcome = review.advance(case, step, actor)
    if outcome is not None:
        _decide(application, case, actor, outcome, opinion)
    return case


@transaction.atomic
def reassign(*, application: Application, actor: User, step_id: int, assignee: User) -> ReviewStep:
    application = _locked(application)
    step = (
        ReviewStep.objects.select_for_update()
        .filter(pk=step_id, case__application=application, finished_at=None)
        .first()
    )
    if step is None:
        raise ValidationError("该环节已办结，不能改派")
    if not (
        actor.has_role(Role.APPROVER, Role.SUPERVISOR)
        and serves_department(actor, step.department_id)
    ):
        raise ValidationError("只有本部门负责人可以改派")
    if not (assignee.has_role(step.role) and serves_department(assignee, step.department_id)):
        raise ValidationError("被指派人没有办理该环节的角色")
    separation = duties.conflict(step.case, assignee.pk, step.role)
    if separation:
        raise ValidationError(separation.replace("您", f"{assignee.display_name}", 1))
    step.assignee = assignee
    step.save(update_fields=["assignee"])
    audit.record(
        "cases.reassign",
        actor=actor,
        obj=application,
        detail={"step": step.name, "to": assignee.pk},
    )
    return step


def _decide(
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
    _move(application, Status.APPROVED if approve else Status.DENIED, actor, kind, reason)
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
        *_header(application),
        ("决定", f"经审查，决定{result}。"),
        ("理由", reason),
        ("法律依据", case.legal_basis),
    ]
    if not approve:
        sections.append(
            (
                "",
                "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
                "或者在六个月内依法提起行政诉讼。",
            )
        )
    document = _issue(case, "decision", wording.title(approve), sections, actor)
    _event(
        application,
        f"作出决定：{result}",
        f"{reason}\n决定书：{document.document.number}",
        actor=actor,
    )
    audit.record("cases.decide", actor=actor, obj=application, detail={"decision": case.decision})
    if notify:
        _notify(application, "application.decided", result=result)


@transaction.atomic
def decide_immediately(
    *, application: Application, actor: User, approve: bool, reason: str
) -> Case:
    """即办件: accepted and decided at the window in one step."""
    application = _locked(application)
    if application.item_version.handling_type != HandlingType.IMMEDIATE:
        raise ValidationError("只有即办件可以当场办结")
    if not (reason or "").strip():
        raise ValidationError({"opinion": ["请填写处理意见"]})
    case = accept(application=application, actor=actor, opinion="即办件当场受理")
    _decide(_locked(application), case, actor, "approved" if approve else "denied", reason.strip())
    return case


# --- special procedures and extension -------------------------------------------------------------


def _handling_case(application: Application, actor: User) -> Case:
    if application.status != Status.ACCEPTED:
        raise ValidationError(f"当前状态（{application.get_status_display()}）不能执行此操作")
    case = Case.objects.select_for_update().get(application=application)
    _require(actor, case.department_id, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
    return case


def refresh_due(case: Case, today: datetime.date | None = None) -> deadlines.Deadlines:
    result = deadlines.compute(case, workdays.Calendar(), today or timezone.localdate())
    case.effective_due_date, case.suspended = result.promised_due, result.suspended
    case.save(update_fields=["effective_due_date", "suspended"])
    return result


@transaction.atomic
def start_suspension(
    *, application: Application, actor: User, kind: str, reason: str, started_on: datetime.date
) -> Suspension:
    application = _locked(application)
    case = _handling_case(application, actor)
    errors = {}
    if kind not in Suspension.Kind.values:
        errors["kind"] = ["请选择特别程序种类"]
    if not (reason or "").strip():
        errors["reason"] = ["请写明启动理由或依据"]
    if started_on is None or started_on < case.accepted_on or started_on > timezone.localdate():
        errors["started_on"] = ["开始日期应在受理日期之后且不晚于今天"]
    if errors:
        raise ValidationError(errors)
    if case.suspensions.filter(ended_on=None).exists():
        raise ValidationError("已有正在进行的特别程序，请先结束")
    suspension = Suspension.objects.create(
        case=case, kind=kind, reason=reason.strip(), started_on=started_on, started_by=actor
    )
    refresh_due(case)
    label = suspension.get_kind_display()
    _event(
        application,
        f"特别程序开始：{label}",
        f"因{label}（{reason.strip()}），自{started_on:%Y-%m-%d}起暂停计算办理时限，所需时间不计入审查期限"
        "（《中华人民共和国行政许可法》第四十五条）。"
        if suspension.stops_clock
        # 实地核查: on record, but art. 45 does not list it, so the clock runs on
        else f"{label}（{reason.strip()}）自{started_on:%Y-%m-%d}开始，所需时间计入审查期限，"
        "办理时限不暂停。",
        actor=actor,
    )
    audit.record("cases.start_suspension", actor=actor, obj=application, detail={"kind": kind})
    if suspension.stops_clock:
        _notify(application, "case.suspended", procedure=label, started_on=f"{started_on:%Y-%m-%d}")
    return suspension


@transaction.atomic
def end_suspension(
    *, application: Application, actor: User, ended_on: datetime.date, result: str
) -> Suspension:
    application = _locked(application)
    case = _handling_case(application, actor)
    suspension = case.suspensions.select_for_update().filter(ended_on=None).first()
    if suspension is None:
        raise ValidationError("没有正在进行的特别程序")
    if ended_on is None or ended_on < suspension.started_on:
        raise ValidationError({"ended_on": ["结束日期不能早于开始日期"]})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": ["结束日期不能晚于今天"]})
    if not (result or "").strip():
        raise ValidationError({"result": ["请填写特别程序结果"]})
    suspension.ended_on, suspension.ended_by, suspension.result = ended_on, actor, result.strip()
    suspension.working_days = (
        deadlines.stopped_working_days(
            workdays.Calendar(), suspension.started_on, ended_on, ended_on
        )
        if suspension.stops_clock
        else 0
    )
    suspension.save()
    due = refresh_due(case)
    _event(
        application,
        f"特别程序结束：{suspension.get_kind_display()}",
        f"结果：{suspension.result}。暂停 {suspension.working_days} 个工作日，"
        f"办结期限顺延至 {due.promised_due:%Y-%m-%d}。"
        if suspension.stops_clock
        else f"结果：{suspension.result}。未暂停计时，办结期限仍为 {due.promised_due:%Y-%m-%d}。",
        actor=actor,
    )
    audit.record(
        "cases.end_suspension",
        actor=actor,
        obj=application,
        detail={"working_days": suspension.working_days},
    )
    if not suspension.stops_clock:
        return suspension
    _notify(
        application,
        "case.resumed",
        procedure=suspension.get_kind_display(),
        due_date=f"{due.promised_due:%Y-%m-%d}",
    )
    return suspension


@transaction.atomic
def extend(*, application: Application, actor: User, reason: str) -> Extension:
    """延长审批: once, by the configured working days (art. 42: 10), approved by the head."""
    application = _locked(application)
    if application.status != Status.ACCEPTED:
        raise ValidationError(f"当前状态（{application.get_status_display()}）不能延长审批")
    case = Case.objects.select_for_update().get(application=application)
    _require(actor, case.department_id, Role.APPROVER)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明延长理由，理由将告知申请人"]})
    if Extension.objects.filter(case=case).exists():
        raise ValidationError("本件已经延长过审批期限，依法只能延长一次")
    days = _setting("CASE_EXTENSION_WORKING_DAYS", 10)
    extension = Extension.objects.create(
        case=case, working_days=days, reason=reason.strip(), approved_by=actor
    )
    due = refresh_due(case)
    _event(
        application,
        "延长审批期限",
        f"经本机关负责人批准，审批期限延长 {days} 个工作日，办结期限延至 {due.promised_due:%Y-%m-%d}。"
        f"理由：{reason.strip()}",
        actor=actor,
    )
    audit.record("cases.extend", actor=actor, obj=application, detail={"days": days})
    _notify(
        application,
        "case.extended",
        days=days,
        reason=reason.strip()[:40],
        due_date=f"{due.promised_due:%Y-%m-%d}",
    )
    return extension


# --- completion and delivery ------------------------------------------------------------------------


@transaction.atomic
def complete(*, application: Application, actor: User, result: str = "") -> Case:
    """办结: approved cases end 出证办结 (the licence follows), denied ones 其他办结 unless told."""
    application = _locked(application)
    case = Case.objects.select_for_update().get(application=application)
    _require(actor, case.department_id, Role.WINDOW_CLERK, Role.HANDLER, Role.APPROVER)
    result = result or (
        Case.CompletionResult.ISSUED
        if case.decision == Case.Decision.APPROVE
        else Case.CompletionResult.OTHER
    )
    if result not in Case.CompletionResult.values:
        raise ValidationError({"result": ["办结结果代码无效"]})
    _complete(application, case, actor, result, STAFF)
    if result == Case.CompletionResult.ISSUED:
        from tongban.licences.actions import issue_for_case

        issue_for_case(application, actor)  # same transaction: a signing failure undoes 办结
    return case


def _complete(
    application: Application, case: Case, actor: User | None, result: str, kind: str
) -> None:
    _move(application, Status.COMPLETED, actor, kind, Case.CompletionResult(result).label)
    calendar = workdays.Calendar()
    today = timezone.localdate()
    stopped = deadlines.compute(case, calendar, today).stopped_days
    case.completed_at, case.completion_result = timezone.now(), result
    case.working_days_used = max(
        0, calendar.working_days_between(case.accepted_on, today) - stopped
    )
    case.warning = ""
    case.save()
    _event(application, "办结", f"办结结果：{case.get_completion_result_display()}", actor=actor)
    audit.record("cases.complete", actor=actor, obj=application, detail={"result": result})
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
    application = _locked(application)
    case = Case.objects.select_for_update().get(application=application)
    _require(actor, case.department_id, Role.WINDOW_CLERK, Role.HANDLER)
    if case.decided_at is None:
        raise ValidationError("尚未作出决定，不能登记送达")
    if case.delivered_at:
        raise ValidationError("已登记送达")
    if method == "mail" and not (tracking_number or "").strip():
        raise ValidationError({"tracking_number": ["邮寄送达请填写邮件单号"]})
    if method == "window" and not (receiver_name or "").strip():
        raise ValidationError({"receiver_name": ["窗口领取请填写领取人姓名"]})
    if method not in ("window", "mail"):
        raise ValidationError({"method": ["请选择送达方式"]})
    case.delivery_method, case.tracking_number = method, (tracking_number or "").strip()
    case.receiver_name, case.delivered_at = (receiver_name or "").strip(), timezone.now()
    case.save()
    text = (
        f"已通过邮寄送达，邮件单号 {case.tracking_number}"
        if method == "mail"
        else f"已在窗口领取（领取人：{case.receiver_name[:1]}*）"
    )
    _event(application, "送达", text, actor=actor)
    audit.record("cases.deliver", actor=actor, obj=application, detail={"method": method})
    return case


# --- supervision and warnings -----------------------------------------------------------------------


@transaction.atomic
def supervise(*, application: Application, actor: User, message: str) -> SupervisionNotice:
    if not actor.has_role(Role.SUPERVISOR):
        raise ValidationError("只有效能监察人员可以督办")
    if not (message or "").strip():
        raise ValidationError({"message": ["请填写督办意见"]})
    application = _locked(application)
    case = Case.objects.get(application=application)
    notice = SupervisionNotice.objects.create(case=case, sent_by=actor, message=message.strip())
    _event(application, "督办", message.strip(), public=False, actor=actor)
    audit.record("cases.supervise", actor=actor, obj=application)
    from tongban.notify import actions as notify

    for step in case.steps.filter(finished_at=None).select_related("assignee"):
        for person in _people_for(step):
            notify.send(
                person,
                "case.supervision",
                {
                    "case_number": application.case_number,
                    "item_name": application.item_version.name,
                    "department": case.department.name,
                    "reason": message.strip()[:40],
                    "due_date": f"{case.effective_due_date:%Y-%m-%d}"
                    if case.effective_due_date
                    else "",
                },
                related=application,
                link=reverse("cases:detail", args=[application.public_id]),
            )
    return notice


@transaction.atomic
def answer_supervision(*, notice_id: int, actor: User, answer: str) -> SupervisionNotice:
    notice = (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=notice_id)
    )
    _require(actor, notice.case.department_id, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
    if notice.answered_at:
        raise ValidationError("该督办已答复")
    if not (answer or "").strip():
        raise ValidationError({"answer": ["请填写督办答复"]})
    notice.answer, notice.answered_by, notice.answered_at = answer.strip(), actor, timezone.now()
    notice.save()
    audit.record("cases.answer_supervision", actor=actor, obj=notice.case.application)
    return notice


def _people_for(step: ReviewStep) -> list[User]:
    if step.assignee_id:
        return [step.assignee]
    return list(
        User.objects.filter(
            is_active=True,
            staff_roles__role=step.role,
            staff_profile__department_id=step.department_id,
        ).distinct()[:20]
    )


def raise_warnings(today: datetime.date | None = None) -> dict[str, int]:
    """Scheduled job: yellow when few working days are left, red when overdue; each level is
    notified once to the handlers and the supervisors.

    It reads every open case each hour, so the reading is done in batches with the suspensions and
    extension alongside, and a case is written only when its due date or warning level moved."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    yellow_at = _setting("CASE_YELLOW_WORKING_DAYS", 3)
    counts = {"yellow": 0, "red": 0}
    open_cases = (
        Case.objects.filter(application__status=Status.ACCEPTED, effective_due_date__isnull=False)
        .select_related("application__item_version", "department", "extension")
        .prefetch_related("suspensions")
    )
    for case in open_cases.iterator(chunk_size=500):
        level = scan_deadline(case, calendar, today, yellow_at)
        if level:
            counts[level] += 1
    return counts


def scan_deadline(case: Case, calendar: workdays.Calendar, today: datetime.date, yellow_at: int):
    """Bring one open case's stored due date and warning level up to date; the level when it is
    one the case never had (then announced), else None."""
    due = deadlines.compute(case, calendar, today)
    left = due.days_left(calendar, today)
    level = "red" if left < 0 else "yellow" if left <= yellow_at else ""
    moved = (case.effective_due_date, case.suspended) != (due.promised_due, due.suspended)
    if (moved or (level != case.warning and not due.suspended)) and _apply_deadline(
        case, due, level, left
    ):
        return level
    return None


@transaction.atomic
def _apply_deadline(case: Case, due: deadlines.Deadlines, level: str, left: int) -> bool:
    """Store the case's due date and, unless its clock is stopped, its warning level; True when
    the level is one the case never had, which is recorded once and announced."""
    case.effective_due_date, case.suspended = due.promised_due, due.suspended
    fields = ["effective_due_date", "suspended"]
    new_level = not due.suspended and level != case.warning
    if new_level:
        case.warning = level
        fields.append("warning")
    case.save(update_fields=fields)
    if not new_level or not level or WarningEvent.objects.filter(case=case, level=level).exists():
        return False
    WarningEvent.objects.create(case=case, level=level, days_left=left)
    audit.record(f"cases.warning_{level}", obj=case.application, detail={"days_left": left})
    _warn_people(case, level, left)
    return True


def _warn_people(case: Case, level: str, left: int) -> None:
    from tongban.notify import actions as notify

    application = case.application
    people = {
        p.pk: p
        for step in case.steps.filter(finished_at=None).select_related("assignee")
        for p in _people_for(step)
    }
    people.update(
        {p.pk: p for p in User.objects.filter(is_active=True, staff_roles__role=Role.SUPERVISOR)}
    )
    template = "case.overdue" if level == "red" else "case.deadline_warning"
    for person in people.values():
        notify.send(
            person,
            template,
            {
                "case_number": application.case_number,
                "item_name": application.item_version.name,
                "due_date": f"{case.effective_due_date:%Y-%m-%d}",
                "days_left": left,
            },
            channels=["inapp"],
            related=application,
            link=reverse("cases:detail", args=[application.public_id]),
        )
