"""Open cases follow corrections of the working-day calendar.

The statutory and promised due dates are columns fixed at acceptance (ARCHITECTURE pattern 4), and
a finished special procedure stores the working days it stopped the clock. All of them were counted
with the calendar of that day. When an administrator corrects the calendar (a day entered, changed or
removed, a year's schedule confirmed or its confirmation withdrawn), core announces it after commit,
and the Celery task below counts every open case again from its acceptance date and its pinned
catalogue version. A case whose dates moved is written in its own transaction with a public
timeline entry saying from what to what, and an audit record; then the warning scan of
cases.actions brings its current due date and warning level up to date.

Running it twice changes nothing the second time: it compares and writes only what differs.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tongban.applications.states import Status
from tongban.cases import actions, conf, deadlines, handling
from tongban.cases.audit_actions import AuditAction
from tongban.cases.models import Case, Suspension
from tongban.core import audit, workdays

BATCH_SIZE = 200
LABELS = {
    "legal_due_date": "法定办结日期",
    "promised_due_date": "承诺办结日期",
    "delivery_due_date": "送达期限",
}


@dataclass
class Recount:
    dates: dict[str, tuple[datetime.date | None, datetime.date | None]]  # field → (old, new)
    suspensions: dict[int, int]  # finished suspension id → working days it now stopped

    def __bool__(self) -> bool:
        return bool(self.dates or self.suspensions)


def recount(case: Case, calendar: workdays.Calendar) -> Recount:
    """What the case's stored dates are under `calendar`, where they differ."""
    new = {}
    if case.accepted_on and case.application.status == Status.ACCEPTED:
        version = case.application.item_version
        legal = deadlines.base_due_date(
            calendar, case.accepted_on, version.legal_limit, version.legal_limit_unit
        )
        promised = deadlines.base_due_date(
            calendar, case.accepted_on, version.promised_limit, version.promised_limit_unit
        )
        new = {"legal_due_date": legal, "promised_due_date": promised or legal}
    if case.decided_at and not case.delivered_at:
        new["delivery_due_date"] = calendar.add_working_days(
            timezone.localdate(case.decided_at), handling.DELIVERY_WORKING_DAYS
        )
    dates = {
        field: (getattr(case, field), value)
        for field, value in new.items()
        if getattr(case, field) != value
    }
    stops = {}
    for s in case.suspensions.all():
        if s.ended_on is not None:
            days = deadlines.stopped_working_days(calendar, s.started_on, s.ended_on, s.ended_on)
            if days != s.working_days:
                stops[s.pk] = days
    return Recount(dates, stops)


def _open_cases():
    return Case.objects.filter(
        Q(application__status=Status.ACCEPTED, accepted_on__isnull=False)
        | Q(decided_at__isnull=False, delivered_at=None, completed_at=None)
    )


def follow_calendar(today: datetime.date | None = None, reason: str = "") -> dict[str, int]:
    """Recount every open case, in batches of BATCH_SIZE; returns how many were checked and moved."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    yellow_at = conf.yellow_working_days()
    counts = {"checked": 0, "moved": 0}
    ids = list(_open_cases().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = (
            Case.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
            .select_related(
                "application__item_version", "application__service_item__department", "extension"
            )
            .prefetch_related("suspensions")
        )
        for case in batch:
            counts["checked"] += 1
            change = recount(case, calendar)
            if change and _apply(case, change, reason):
                counts["moved"] += 1
            if case.application.status == Status.ACCEPTED and case.effective_due_date:
                actions.scan_deadline(case, calendar, today, yellow_at)
    return counts


@transaction.atomic
def _apply(case: Case, change: Recount, reason: str) -> bool:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if any(getattr(locked, field) != old for field, (old, _) in change.dates.items()):
        return False  # someone acted on the case meanwhile; the next run counts it again
    for field, (_, new) in change.dates.items():
        setattr(case, field, new)
    case.save(update_fields=list(change.dates))
    for suspension in case.suspensions.all():
        if suspension.pk in change.suspensions:
            suspension.working_days = change.suspensions[suspension.pk]
            Suspension.objects.filter(pk=suspension.pk).update(working_days=suspension.working_days)
    lines = [
        f"{LABELS[field]}由{old:%Y-%m-%d}调整为{new:%Y-%m-%d}"
        for field, (old, new) in change.dates.items()
        if old and new
    ]
    if change.suspensions:
        lines.append("特别程序暂停的工作日数已按新的工作日历重新计算")
    note = deadlines.unconfirmed_note(case, workdays.Calendar())
    handling.record_event(
        case.application,
        "办理期限调整",
        f"因工作日历调整{f'（{reason}）' if reason else ''}，" + "；".join(lines) + "。" + note,
    )
    audit.record(
        AuditAction.DUE_DATES_RECOUNTED,
        obj=case.application,
        detail={
            "dates": {
                field: [old.isoformat() if old else None, new.isoformat() if new else None]
                for field, (old, new) in change.dates.items()
            },
            "suspensions": change.suspensions,
            "reason": reason,
        },
    )
    return True


def describe(dates=(), years=()) -> str:
    """The correction in words for the timeline: which days or years changed."""
    parts = []
    if dates:
        parts.append("调整日期 " + "、".join(dates[:5]) + (" 等" if len(dates) > 5 else ""))
    if years:
        parts.append("、".join(str(y) for y in years) + "年节假日安排确认状态变更")
    return "；".join(parts)
