"""容缺受理 and 告知承诺 in case handling (standards §4).

The applicant signs at intake (applications.actions.sign_commitment); this module does what
handling adds:
- at acceptance, every 容缺 material gets a deadline (CASE_DEFERRED_MATERIAL_WORKING_DAYS from
  the notice, never past the promised due date) and the acceptance notice states what, in what
  form, by when and the consequence; 告知承诺 materials are listed as replaced by the commitment;
- while a 容缺 material is outstanding the case cannot be approved; a daily job reminds the
  applicant before the deadline and, once it has passed, ends the case itself: 不予许可 and
  补交逾期办结 (a SYSTEM move of the status table);
- a 告知承诺 is checked afterwards by the department; a false one ends review with 不予许可, or
  revokes a licence already granted (撤销), and is written to the applicant's credit record.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.applications.audit_actions import AuditAction as ApplicationsAuditAction
from tongban.applications.models import Application, MaterialCommitment
from tongban.applications.states import COMMITMENT, STAFF, SYSTEM, Status
from tongban.cases import conf, handling, notices, review
from tongban.cases.actions import decide, finish
from tongban.cases.audit_actions import AuditAction
from tongban.cases.models import Case
from tongban.core import audit, statemachine, workdays
from tongban.credit import actions as credit

Kind, State = MaterialCommitment.Kind, MaterialCommitment.State
CONSEQUENCE = "逾期未补交的，本机关将依规作出不予许可决定，并按“补交逾期办结”办结。"


def outstanding(application: Application) -> QuerySet:
    """容缺 materials promised and not yet supplied."""
    return application.commitments.filter(kind=Kind.DEFERRED, state=State.SIGNED)


def awaiting_verification(application: Application) -> QuerySet:
    """告知承诺 not yet checked: the case is marked for later verification (事后核查)."""
    return application.commitments.filter(kind=Kind.COMMITMENT, state=State.SIGNED)


def check_can_approve(application: Application) -> None:
    missing = [c.material.name for c in outstanding(application).select_related("material")]
    if missing:
        raise ValidationError(
            f"容缺材料尚未补交（{'、'.join(missing)}），不能作出准予许可决定；请待申请人补交后再审批"
        )


def check_applicant_eligible(application: Application) -> None:
    """At acceptance by staff: a credit record made since signing bars the commitments."""
    if not application.commitments.exists():
        return
    barred = credit.exclusion(credit.subject_of(application))
    if barred is not None:
        raise ValidationError(
            credit.exclusion_message(barred) + "请以一次性告知补正要求申请人提交全部材料。"
        )


def supply_deadline(case: Case, today: datetime.date) -> datetime.date:
    # Counted from the day the notice is issued (a deemed acceptance is dated back to receipt).
    start = max(case.accepted_on, today)
    deadline = workdays.Calendar().add_working_days(start, conf.deferred_material_working_days())
    if case.promised_due_date and case.promised_due_date < deadline:
        deadline = max(case.promised_due_date, start)
    return deadline


def on_acceptance(case: Case) -> list[tuple[str, str]]:
    """Fix the 容缺 deadlines; return what the acceptance notice must add about commitments."""
    application = case.application
    deferred = list(outstanding(application).select_related("material"))
    committed = list(awaiting_verification(application).select_related("material"))
    sections = []
    if deferred:
        deadline = supply_deadline(case, timezone.localdate())
        outstanding(application).update(supply_by=deadline)
        sections += [
            (
                "容缺材料及补交要求",
                "\n".join(
                    f"{n}. {c.material.name}：请于{deadline:%Y年%m月%d日}前登录平台，"
                    "在“我的办件”中上传电子件。"
                    for n, c in enumerate(deferred, start=1)
                ),
            ),
            ("逾期后果", CONSEQUENCE),
        ]
    if committed:
        sections.append(
            (
                "告知承诺",
                f"以下材料以申请人的书面承诺代替：{'、'.join(c.material.name for c in committed)}。"
                "本机关将对承诺内容进行核查；承诺不实的，依法撤销许可并记入信用记录。",
            )
        )
    return sections


# --- 告知承诺: verification ------------------------------------------------------------------------


@transaction.atomic
def verify_commitment(
    *, application: Application, actor: User, commitment_id: int, truthful: bool, note: str
) -> MaterialCommitment:
    """Record the check of a commitment. Anyone handling the case may confirm it; finding it
    false is the organ head's decision (负责人), because it revokes or refuses the licence."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["请填写核查情况"]})
    application = handling.locked(application)
    case = Case.objects.select_for_update().filter(application=application).first()
    if case is None or case.accepted_on is None:
        raise ValidationError("尚未受理，不能核查承诺")
    roles = (Role.HANDLER, Role.REVIEWER, Role.APPROVER) if truthful else (Role.APPROVER,)
    handling.require(actor, case.department_id, *roles)
    commitment = (
        application.commitments.select_for_update()
        .filter(pk=commitment_id, kind=Kind.COMMITMENT)
        .select_related("material")
        .first()
    )
    if commitment is None:
        raise ValidationError("该承诺已核查或不存在，请刷新后重试")
    commitment.closed_at, commitment.closed_by, commitment.check_note = (
        timezone.now(),
        actor,
        note,
    )
    # Audited below as VERIFY_COMMITMENT, on the application, with the outcome.
    statemachine.transition(
        commitment,
        State.VERIFIED if truthful else State.FALSE,
        actor=actor,
        actor_kind=STAFF,
        machine=COMMITMENT,
        message="该承诺已核查或不存在，请刷新后重试",
        update_fields=["closed_at", "closed_by", "check_note"],
        write_audit=False,
    )
    audit.record(
        AuditAction.VERIFY_COMMITMENT,
        actor=actor,
        obj=application,
        detail={"material": commitment.material.name, "truthful": truthful},
    )
    if truthful:
        handling.record_event(
            application,
            "告知承诺核查属实",
            f"“{commitment.material.name}”的承诺经核查属实。",
            actor=actor,
        )
        return commitment
    _false_commitment(application, case, actor, commitment, note)
    return commitment


def _false_commitment(
    application: Application, case: Case, actor: User, commitment, note: str
) -> None:
    reason = f"申请人就“{commitment.material.name}”作出的告知承诺经核查不实：{note}"
    record = credit.record_false_commitment(application=application, actor=actor, reason=reason)
    if application.status == Status.ACCEPTED:
        review.terminate(case, "告知承诺不实", actor)
        decide(application, case, actor, "denied", reason, notify=False)
        result = "不予许可"
    elif application.status == Status.APPROVED or (
        application.status == Status.COMPLETED and case.decision == Case.Decision.APPROVE
    ):
        _revoke(application, case, actor, reason)
        result = "撤销行政许可"
    else:
        result = "记入信用记录"
    handling.record_event(
        application,
        "告知承诺核查不实",
        f"{reason}\n处理结果：{result}；已记入信用记录（{record.ends_on:%Y-%m-%d}前不适用告知承诺）。",
        actor=actor,
    )
    handling.notify_applicant(application, "case.commitment_false", reason=note[:60], result=result)


def _revoke(application: Application, case: Case, actor: User, reason: str) -> None:
    """撤销: the licence granted on a false commitment stops being valid at once."""
    from tongban.licences import actions as licences
    from tongban.licences.models import Licence

    handling.move(application, Status.REVOKED, actor, STAFF, reason)
    document = handling.issue(
        case,
        "decision",
        "撤销行政许可决定书",
        [
            *handling.header(application),
            (
                "决定",
                f"经核查，{notices.addressee(application.applicant_name)}在申请中作出的告知承诺"
                "与实际情况不符，决定撤销该行政许可。",
            ),
            ("理由", reason),
            (
                "法律依据",
                "《中华人民共和国行政许可法》第六十九条第二款；"
                "《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）",
            ),
            (
                "",
                "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
                "或者在六个月内依法提起行政诉讼。",
            ),
        ],
        actor,
    )
    active = Licence.objects.filter(application=application).exclude(
        status__in=[Licence.Status.REVOKED, Licence.Status.CANCELLED, Licence.Status.REPLACED]
    )
    for licence in active:
        licences.revoke(licence, actor, "告知承诺不实", decision=document.document)
    audit.record(
        AuditAction.REVOKE,
        actor=actor,
        obj=application,
        detail={"document": document.document.number},
    )


# --- 容缺受理: reminders and the consequence -------------------------------------------------------


def enforce_deferred(today: datetime.date | None = None) -> dict[str, int]:
    """Daily job. Before the deadline: remind the applicant once when it comes within
    CASE_DEFERRED_REMINDER_WORKING_DAYS, and again on the last day. After it: end the case."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    counts = {"reminded": 0, "closed": 0}
    waiting = (
        MaterialCommitment.objects.filter(
            kind=Kind.DEFERRED,
            state=State.SIGNED,
            supply_by__isnull=False,
            application__status=Status.ACCEPTED,
        )
        .values_list("application_id", flat=True)
        .distinct()
    )
    for application_id in list(waiting):
        with transaction.atomic():
            application = handling.locked(Application(pk=application_id))
            pending = list(
                outstanding(application).select_for_update(of=("self",)).select_related("material")
            )
            if application.status != Status.ACCEPTED or not pending:
                continue
            due = min(c.supply_by for c in pending)
            if today > latest_end(application.case, due):
                _close_overdue(application, pending, due)
                counts["closed"] += 1
            elif _reminder_due(calendar, today, due, pending):
                _remind(application, pending, due, today)
                counts["reminded"] += 1
    return counts


def latest_end(case: Case, due: datetime.date) -> datetime.date:
    """The day a deadline counted from acceptance ends at the latest, should the holiday schedule
    of an unconfirmed year add rest days (docs/cases.md): ending the case is the system's own act."""
    ordinary = workdays.Calendar()
    if not ordinary.unconfirmed_between(case.accepted_on, due):
        return due
    counted = ordinary.working_days_between(case.accepted_on, due)
    return max(due, workdays.Calendar(latest=True).add_working_days(case.accepted_on, counted))


def _reminder_due(calendar, today, due, pending) -> bool:
    lead = conf.deferred_reminder_working_days()
    if calendar.working_days_between(today, due) > lead:
        return False
    last = max((c.reminded_on for c in pending if c.reminded_on), default=None)
    return last is None or (today == due and last < due)


def _remind(application: Application, pending, due: datetime.date, today: datetime.date) -> None:
    MaterialCommitment.objects.filter(pk__in=[c.pk for c in pending]).update(reminded_on=today)
    handling.notify_applicant(
        application,
        "case.deferred_reminder",
        due_date=f"{due:%Y-%m-%d}",
        materials="、".join(c.material.name for c in pending),
    )
    audit.record(AuditAction.DEFERRED_REMINDER, obj=application, detail={"due": due.isoformat()})


def _close_overdue(application: Application, pending, due: datetime.date) -> None:
    names = "、".join(c.material.name for c in pending)
    reason = f"申请人未在{due:%Y年%m月%d日}前补交容缺材料：{names}"
    closed_at = timezone.now()
    for commitment in pending:  # locked by enforce_deferred
        commitment.closed_at = closed_at
        statemachine.transition(
            commitment,
            State.OVERDUE,
            actor_kind=SYSTEM,
            machine=COMMITMENT,
            update_fields=["closed_at"],
            audit_action=ApplicationsAuditAction.COMMITMENT_OVERDUE,
            audit_detail={"material": commitment.material.name, "due": due.isoformat()},
        )
    case = Case.objects.select_for_update().get(application=application)
    review.terminate(case, "容缺材料逾期未补交", None)
    decide(application, case, None, "denied", reason, kind=SYSTEM, notify=False)
    finish(application, case, None, Case.CompletionResult.CORRECTION_OVERDUE, SYSTEM)
    handling.notify_applicant(application, "case.deferred_overdue", due_date=f"{due:%Y-%m-%d}")
