"""Work-order deadlines: per category and urgency, in hours (紧急, 较急) or working days (一般).

The due time is fixed at 派单 (base_due_at). 退单 pauses the clock: the paused time is added when the
order is dispatched again. Approved 延期 adds hours. A working-day limit ends at the end of the N-th
working day after 派单 (the day of 派单 not counted, core.workdays), and a moved working-day due time
that lands on a rest day moves to the end of the next working day.
"""

import datetime

from django.utils import timezone

from tongban.core import workdays
from tongban.workorders import conf
from tongban.workorders.codes import ON_CLOCK, Status, Urgency, Warning

END_OF_DAY = datetime.time(23, 59, 59)
YELLOW_SHARE = 0.25  # yellow once less than a quarter of the allotted time is left


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, END_OF_DAY))


def base_due(category, urgency: str, start: datetime.datetime) -> datetime.datetime:
    if urgency == Urgency.URGENT:
        return start + datetime.timedelta(hours=category.urgent_hours if category else 2)
    if urgency == Urgency.PRESSING:
        return start + datetime.timedelta(hours=category.pressing_hours if category else 24)
    days = category.normal_working_days if category else 5
    local_day = timezone.localtime(start).date()
    return _end_of(workdays.add_working_days(local_day, days))


def effective_due(order, now: datetime.datetime | None = None) -> datetime.datetime | None:
    if order.base_due_at is None:
        return None
    paused = order.paused_seconds
    if order.paused_at is not None:
        paused += int(((now or timezone.now()) - order.paused_at).total_seconds())
    due = order.base_due_at + datetime.timedelta(seconds=paused, hours=order.extension_hours)
    if order.urgency == Urgency.NORMAL and (paused or order.extension_hours):
        local_day = timezone.localtime(due).date()
        if not workdays.is_working_day(local_day):
            due = _end_of(workdays.add_working_days(local_day, 0))
    return due


def warning_for(order, now: datetime.datetime | None = None) -> str:
    """Red once overdue, yellow in the last quarter of the allotted time; none off the clock."""
    now = now or timezone.now()
    if order.status not in ON_CLOCK or order.due_at is None or order.dispatched_at is None:
        return Warning.NONE
    return _warning(order.dispatched_at, order.due_at, now)


def _warning(start: datetime.datetime, due: datetime.datetime, now: datetime.datetime) -> str:
    """Red once past `due`, yellow in the last quarter of the time from `start` to `due`."""
    if now > due:
        return Warning.RED
    allotted = (due - start).total_seconds()
    left = (due - now).total_seconds()
    if allotted > 0 and left / allotted < YELLOW_SHARE:
        return Warning.YELLOW
    return Warning.NONE


# --- 回访 ----------------------------------------------------------------------------------------


def callback_working_days() -> int:
    """How many working days after 办结反馈 the 回访 is due (configurable, local practice varies)."""
    return conf.callback_working_days()


def callback_due(replied_at: datetime.datetime) -> datetime.datetime:
    """The end of the N-th working day after 办结反馈 (the day of the reply not counted)."""
    local_day = timezone.localtime(replied_at).date()
    return _end_of(workdays.add_working_days(local_day, callback_working_days()))


def callback_warning_for(order, now: datetime.datetime | None = None) -> str:
    """Only while the order waits for its 回访: red once the callback is overdue, yellow in the
    last quarter of the time allowed for it."""
    now = now or timezone.now()
    if order.status != Status.REPLIED or order.callback_due_at is None or not order.replied_at:
        return Warning.NONE
    return _warning(order.replied_at, order.callback_due_at, now)
