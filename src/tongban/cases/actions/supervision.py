"""督办 and the deadline warnings (yellow when few working days are left, red when overdue)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.cases import conf, deadlines, policy
from tongban.cases.audit_actions import AuditAction
from tongban.cases.handling import (
    locked,
    record_event,
    require,
)
from tongban.cases.models import (
    Case,
    ReviewStep,
    SupervisionNotice,
    WarningEvent,
)
from tongban.cases.policy import Refused
from tongban.core import audit, workdays


@transaction.atomic
def supervise(*, application: Application, actor: User, message: str) -> SupervisionNotice:
    if not actor.has_role(*policy.SUPERVISING):
        raise Refused(_("只有效能监察人员可以督办"))
    if not (message or "").strip():
        raise ValidationError({"message": [_("请填写督办意见")]})
    application = locked(application)
    case = Case.objects.get(application=application)
    notice = SupervisionNotice.objects.create(case=case, sent_by=actor, message=message.strip())
    record_event(application, "督办", message.strip(), public=False, actor=actor)
    audit.record(AuditAction.SUPERVISE, actor=actor, obj=application)
    from tongban.notify import actions as notify

    for step in case.steps.filter(finished_at=None).select_related("assignee"):
        for person in people_for(step):
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
    require(actor, notice.case.department_id, *policy.HANDLING)
    if notice.answered_at:
        raise Refused(_("该督办已答复"))
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("请填写督办答复")]})
    notice.answer, notice.answered_by, notice.answered_at = answer.strip(), actor, timezone.now()
    notice.save()
    audit.record(AuditAction.ANSWER_SUPERVISION, actor=actor, obj=notice.case.application)
    return notice


def people_for(step: ReviewStep) -> list[User]:
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
    yellow_at = conf.yellow_working_days()
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
    audit.record(
        AuditAction.WARNING_RED if level == "red" else AuditAction.WARNING_YELLOW,
        obj=case.application,
        detail={"days_left": left},
    )
    _warn_people(case, level, left)
    return True


def _warn_people(case: Case, level: str, left: int) -> None:
    from tongban.notify import actions as notify

    application = case.application
    people = {
        p.pk: p
        for step in case.steps.filter(finished_at=None).select_related("assignee")
        for p in people_for(step)
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
