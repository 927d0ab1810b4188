"""Yellow and red warnings for rectifications running out of working days (a nightly job)."""

import datetime

from django.db import transaction
from django.utils import timezone

from tongban.core import audit, workdays
from tongban.ratings.actions.rectification import (
    _department_people,
    _history,
    _locked,
    _notify_staff,
    _supervisors,
)
from tongban.ratings.audit_actions import AuditAction
from tongban.ratings.codes import (
    ON_CLOCK,
)
from tongban.ratings.models import (
    BadRatingCase,
)

# --- warnings -----------------------------------------------------------------------------------


def days_left(bad_case: BadRatingCase, today: datetime.date, calendar=None) -> int:
    """Working days left to the deadline; negative when overdue."""
    calendar = calendar or workdays.Calendar()
    if today <= bad_case.deadline:
        return calendar.working_days_between(today, bad_case.deadline)
    return -max(1, calendar.working_days_between(bad_case.deadline, today))


YELLOW_WORKING_DAYS = 2
WARNING_EVENTS = {"yellow": "黄色预警", "red": "红色预警（已超期）"}


def raise_rectification_warnings(today: datetime.date | None = None) -> dict[str, int]:
    """Scheduled job: yellow when ≤ 2 working days are left, red once the deadline has passed;
    each level is recorded and notified once (department and supervisors)."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    counts = {"yellow": 0, "red": 0}
    candidates = BadRatingCase.objects.filter(status__in=ON_CLOCK).only("pk")
    for candidate in candidates.iterator():
        with transaction.atomic():
            bad_case = _locked(candidate)
            if bad_case.status not in ON_CLOCK:
                continue
            left = days_left(bad_case, today, calendar)
            level = (
                "red"
                if today > bad_case.deadline
                else "yellow"
                if left <= YELLOW_WORKING_DAYS
                else ""
            )
            if level == bad_case.warning:
                continue
            bad_case.warning = level
            bad_case.save(update_fields=["warning"])
            event = WARNING_EVENTS.get(level)
            if not level or bad_case.history.filter(event=event).exists():
                continue
            _history(bad_case, event, note=f"剩余{left}个工作日")
            audit.record(
                AuditAction(f"ratings.warning_{level}"), obj=bad_case, detail={"days_left": left}
            )
            counts[level] += 1
            people = {p.pk: p for p in _department_people(bad_case.department_id)}
            people.update({p.pk: p for p in _supervisors()})
            _notify_staff(
                people.values(),
                "rating.rectify_warning",
                bad_case,
                warning="已超期" if level == "red" else "即将到期",
                days_left=left,
            )
    return counts
