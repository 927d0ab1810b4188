"""The working-day calendar's service layer: administrators set or remove a day (a holiday, a
调休 make-up working day) and say when a year's schedule is completely entered.

Each function checks the actor, writes in one transaction with an audit record, and after commit
announces the correction (the calendar.corrected event) so that stored due dates follow.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit, events, holidays, workdays
from tongban.core.audit_actions import AuditAction
from tongban.core.models import CalendarDay, CalendarYear

EARLIEST_YEAR = 2000


def may_edit(user) -> bool:
    """Platform administrators (and whoever holds the model permission) keep the calendar."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    has_role = getattr(user, "has_role", None)
    return user.has_perm("core.change_calendarday") or bool(has_role and has_role("platform_admin"))


def _check(actor) -> None:
    if not may_edit(actor):
        raise PermissionDenied("只有平台管理员可以调整工作日历")


def _announce(*, dates=(), years=()) -> None:
    """Inside the correction's transaction: cached calendar tables go on commit, and the
    calendar.corrected event tells later domains (case handling recounts its due dates)."""
    transaction.on_commit(workdays.invalidate)
    events.publish(
        workdays.CalendarCorrected(
            dates=",".join(sorted({d.isoformat() for d in dates})),
            years=",".join(str(y) for y in sorted(set(years))),
        )
    )


def check_year(year: int, field: str = "year") -> None:
    latest = timezone.localdate().year + 5
    if not EARLIEST_YEAR <= year <= latest:
        raise ValidationError({field: [f"年度应在{EARLIEST_YEAR}年至{latest}年之间"]})


def check_confirmable(year: int) -> None:
    check_year(year)
    if workdays.package_covers(year):
        raise ValidationError({"year": [f"{year}年的节假日安排已由节假日数据包收录，无需确认"]})
    if CalendarYear.objects.filter(year=year).exists():
        raise ValidationError({"year": [f"{year}年的节假日安排已经确认"]})


@transaction.atomic
def set_day(*, actor, date: datetime.date, is_working_day: bool, name: str) -> CalendarDay:
    """Make `date` a rest day or a working day, whatever the package or the law's rules say."""
    _check(actor)
    name = (name or "").strip()
    errors = {}
    if date is None:
        errors["date"] = ["请填写日期"]
    if not name:
        errors["name"] = ["请填写说明，例如：春节、国庆节调休上班"]
    if errors:
        raise ValidationError(errors)
    check_year(date.year, "date")
    before = CalendarDay.objects.select_for_update().filter(date=date).first()
    day, _ = CalendarDay.objects.update_or_create(
        date=date, defaults={"is_working_day": is_working_day, "name": name[:60]}
    )
    audit.record(
        AuditAction.CALENDAR_DAY_SET,
        actor=actor,
        obj=day,
        detail={
            "date": date.isoformat(),
            "is_working_day": is_working_day,
            "name": day.name,
            "before": None
            if before is None
            else {"is_working_day": before.is_working_day, "name": before.name},
        },
    )
    _announce(dates=[date])
    return day


@transaction.atomic
def remove_day(*, actor, date: datetime.date) -> None:
    """Remove an administrator's row: the day falls back to the package or the law's rules."""
    _check(actor)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        raise ValidationError("该日期没有工作日历调整记录")
    audit.record(
        AuditAction.CALENDAR_DAY_REMOVED,
        actor=actor,
        obj=day,
        detail={"date": date.isoformat(), "is_working_day": day.is_working_day, "name": day.name},
    )
    day.delete()
    _announce(dates=[date])


@transaction.atomic
def confirm_year(*, actor, year: int, basis: str) -> CalendarYear:
    """The administrator states that `year`'s holidays and 调休 days are completely entered: from
    now on the year's dates are confirmed and its unentered days follow the statutory rules."""
    _check(actor)
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError(
            {"basis": ["请填写依据，例如国务院办公厅关于该年度部分节假日安排的通知"]}
        )
    check_confirmable(year)
    record = CalendarYear.objects.create(
        year=year, basis=basis[:200], confirmed_by=actor, confirmed_at=timezone.now()
    )
    audit.record(
        AuditAction.CALENDAR_YEAR_CONFIRMED,
        actor=actor,
        obj=record,
        detail={
            "year": year,
            "basis": record.basis,
            "days": CalendarDay.objects.filter(date__year=year).count(),
        },
    )
    _announce(years=[year])
    return record


@transaction.atomic
def withdraw_year(*, actor, year: int) -> None:
    """Take back a confirmation given by mistake: the year is unconfirmed again."""
    _check(actor)
    record = CalendarYear.objects.select_for_update().filter(year=year).first()
    if record is None:
        raise ValidationError(f"{year}年的节假日安排尚未确认")
    audit.record(
        AuditAction.CALENDAR_YEAR_WITHDRAWN, actor=actor, obj=record, detail={"year": year}
    )
    record.delete()
    _announce(years=[year])


def year_schedule(year: int) -> list[workdays.DayStatus]:
    """What the platform counts for `year` as it stands: every rest day that is not a plain
    weekend and every weekend day that is a working day, for the administrator to check against
    the State Council's notice before confirming."""
    calendar = workdays.Calendar()
    day, rows = datetime.date(year, 1, 1), []
    while day.year == year:
        status = calendar.status(day)
        if status.is_working_day == (day.weekday() >= 5) or status.name:
            rows.append(status)
        day += holidays.ONE_DAY
    return rows
