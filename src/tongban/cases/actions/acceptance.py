"""受理 and 不予受理: staff acceptance, deemed acceptance (art. 32) and refusal of acceptance."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.applications.states import STAFF, SYSTEM, Status
from tongban.cases import deadlines, notices, policy, review
from tongban.cases.audit_actions import AuditAction
from tongban.cases.events import CaseAccepted, CaseRefused
from tongban.cases.handling import (
    ACCEPTANCE_WORKING_DAYS,
    case_for,
    header,
    issue,
    limit_days,
    locked,
    move,
    notify_applicant,
    record_event,
    require,
)
from tongban.cases.models import (
    Case,
    RefusalGround,
)
from tongban.core import audit, events, workdays


def start_clock(case: Case, accepted_on: datetime.date) -> None:
    version = case.application.item_version
    calendar = workdays.Calendar()
    case.accepted_on = accepted_on
    case.legal_limit_days = limit_days(version.legal_limit, version.legal_limit_unit)
    case.promised_limit_days = limit_days(version.promised_limit, version.promised_limit_unit)
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
    application = locked(application)
    from tongban.cases import commitments  # builds on this module: imported when used

    require(actor, application.service_item.department_id, *policy.ACCEPTING)
    commitments.check_applicant_eligible(application)
    move(application, Status.ACCEPTED, actor, STAFF, opinion)
    return accepted(application, actor, timezone.localdate(), deemed=False)


def accepted(
    application: Application,
    actor: User | None,
    accepted_on: datetime.date,
    *,
    deemed: bool,
    instant: bool = False,
) -> Case:
    """`instant`: 智能秒批 accepts as the first of three system steps; the review process is not
    started (the rules were the review) and the applicant hears once, at the end."""
    from tongban.cases import commitments

    case = case_for(application)
    case.accepted_at, case.accepted_by, case.deemed_accepted = timezone.now(), actor, deemed
    start_clock(case, accepted_on)
    case.save()
    due = case.effective_due_date
    commitment_sections = commitments.on_acceptance(case)
    deferred = bool(commitments.outstanding(application).exists())
    basis = notices.acceptance_basis(
        deemed=deemed, deferred=deferred, applicant=application.applicant_name
    )
    unconfirmed = deadlines.unconfirmed_note(case, workdays.Calendar())
    document = issue(
        case,
        "acceptance_notice",
        "受理通知书",
        [
            *header(application),
            *notices.acceptance_sections(
                basis=basis,
                accepted_on=accepted_on,
                due=due,
                limit_text=deadlines.promised_limit_text(case) if due else "",
                unconfirmed=unconfirmed,
            ),
            *commitment_sections,
        ],
        actor,
    )
    record_event(
        application,
        "视为受理" if deemed else "容缺受理" if deferred else "受理",
        notices.acceptance_event(
            basis=basis, due=due, unconfirmed=unconfirmed, number=document.document.number
        ),
        actor=actor,
    )
    audit.record(
        AuditAction.DEEMED_ACCEPT if deemed else AuditAction.ACCEPT,
        actor=actor,
        obj=application,
        detail={"accepted_on": accepted_on.isoformat(), "due": due.isoformat() if due else None},
    )
    if not instant:
        notify_applicant(
            application, "application.accepted", due_date=f"{due:%Y-%m-%d}" if due else "即办"
        )
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


def refusal_errors(reason: str, legal_basis: str, ground: str, refer_to: str) -> dict:
    errors = {}
    if not reason:
        errors["reason"] = [_("请写明不予受理的理由")]
    if not legal_basis:
        errors["legal_basis"] = [_("请写明法律依据")]
    if ground and ground not in RefusalGround.values:
        errors["ground"] = [_("请选择不予受理的情形")]
    not_competent = ground == RefusalGround.NOT_COMPETENT or (not ground and "职权范围" in reason)
    if not_competent and not refer_to:
        errors["refer_to"] = [
            _("申请事项不属于本机关职权范围的，请写明申请人应当向哪个行政机关申请")
        ]
    if len(refer_to) > 200:
        errors["refer_to"] = [_("机关名称不能超过200个字")]
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
    errors = refusal_errors(reason, legal_basis, ground, refer_to)
    if errors:
        raise ValidationError(errors)
    application = locked(application)
    require(actor, application.service_item.department_id, *policy.ACCEPTING)
    move(application, Status.NOT_ACCEPTED, actor, STAFF, reason)
    case = case_for(application)
    case.decision_reason, case.legal_basis = reason, legal_basis
    case.refusal_ground, case.refer_to_organ = ground, refer_to
    case.completed_at = timezone.now()
    case.completion_result = Case.CompletionResult.RETURNED
    case.save()
    document = issue(
        case,
        "rejection_decision",
        "不予受理决定书",
        [
            *header(application),
            *notices.refusal_sections(
                ground_label=str(RefusalGround(ground).label) if ground else "",
                reason=reason,
                legal_basis=legal_basis,
                refer_to=refer_to,
            ),
        ],
        actor,
    )
    record_event(
        application,
        "不予受理",
        notices.refusal_event(
            reason=reason,
            legal_basis=legal_basis,
            refer_to=refer_to,
            number=document.document.number,
        ),
        actor=actor,
    )
    audit.record(
        AuditAction.REFUSE,
        actor=actor,
        obj=application,
        detail={"reason": reason, "ground": ground, "refer_to": refer_to},
    )
    notify_applicant(
        application,
        "application.rejected",
        reason=reason + (f"（请向{refer_to}申请）" if refer_to else ""),
    )
    events.publish(
        CaseRefused(
            application_id=application.pk,
            case_number=application.case_number,
            department_id=case.department_id,
        )
    )
    return case


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
            current = locked(application)
            if current.status != Status.SUBMITTED:
                continue
            move(current, Status.ACCEPTED, None, SYSTEM, "逾期未作出受理决定，视为受理")
            accepted(current, None, timezone.localdate(current.received_at), deemed=True)
        done.append(current.case_number)
    return done
