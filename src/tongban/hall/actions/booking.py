"""预约: slots per window group from the hall's hours and the working-day calendar, booking,
cancelling and rescheduling, the day-before reminder and the no-show rule."""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import User
from tongban.core import audit, workdays
from tongban.hall.actions.common import (
    check_move,
    local_now,
    no_show_rule,
    setup_of,
)
from tongban.hall.audit_actions import AuditAction
from tongban.hall.codes import APPOINTMENT_MOVES, SYSTEM, VISITOR, WINDOW, AppointmentStatus
from tongban.hall.models import Appointment, AppointmentEvent, WindowGroup

log = logging.getLogger(__name__)
TAKEN = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
# A booking is a no-show once its slot has ended this long ago without a check-in.
NO_SHOW_GRACE = datetime.timedelta(minutes=15)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Slot:
    day: datetime.date
    start: datetime.time
    end: datetime.time
    capacity: int
    booked: int
    past: bool

    @property
    def available(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def bookable(self) -> bool:
        return not self.past and self.available > 0

    @property
    def key(self) -> str:
        return f"{self.day:%Y-%m-%d}T{self.start:%H:%M}"


def _periods(setup):
    return [
        (setup.morning_start, setup.morning_end),
        (setup.afternoon_start, setup.afternoon_end),
    ]


def slot_times(setup) -> list[tuple[datetime.time, datetime.time]]:
    """Every (start, end) of a day: the morning and afternoon cut into slot_minutes pieces."""
    step = datetime.timedelta(minutes=setup.slot_minutes)
    base = datetime.date(2000, 1, 1)
    times = []
    for start, end in _periods(setup):
        current, stop = datetime.datetime.combine(base, start), datetime.datetime.combine(base, end)
        while current + step <= stop:
            times.append((current.time(), (current + step).time()))
            current += step
    return times


def booking_days(hall, today: datetime.date | None = None) -> list[datetime.date]:
    """Working days from today up to the hall's horizon (booking_days calendar days ahead)."""
    today = today or local_now().date()
    setup, calendar = setup_of(hall), workdays.Calendar()
    days = (today + datetime.timedelta(days=n) for n in range(setup.booking_days + 1))
    return [day for day in days if calendar.is_working_day(day)]


def slots(group: WindowGroup, day: datetime.date, now=None) -> list[Slot]:
    now = now or local_now()
    setup = setup_of(group.hall)
    counts = dict(
        Appointment.objects.filter(group=group, day=day, status__in=TAKEN)
        .values_list("start")
        .annotate(n=Count("id"))
        .values_list("start", "n")
    )
    return [
        Slot(
            day,
            start,
            end,
            group.slot_capacity,
            counts.get(start, 0),
            timezone.make_aware(datetime.datetime.combine(day, start)) <= now,
        )
        for start, end in slot_times(setup)
    ]


def ban_until(visitor: User, today: datetime.date | None = None) -> datetime.date | None:
    """The last day the visitor may not book, when the no-show rule bars them; else None."""
    limit, ban_days, lookback = no_show_rule()
    today = today or local_now().date()
    recent = list(
        Appointment.objects.filter(
            visitor=visitor,
            status=AppointmentStatus.NO_SHOW,
            day__gte=today - datetime.timedelta(days=lookback + ban_days),
        )
        .order_by("-day")
        .values_list("day", flat=True)[:limit]
    )
    if len(recent) < limit or (recent[0] - recent[-1]).days > lookback:
        return None
    until = recent[0] + datetime.timedelta(days=ban_days)
    return until if until >= today else None


def _check_slot(group: WindowGroup, day, start, *, now, ignore: Appointment | None = None):
    if not group.is_active:
        raise ValidationError("该窗口分组暂停预约")
    if day not in booking_days(group.hall, now.date()):
        setup = setup_of(group.hall)
        raise ValidationError(
            f"只能预约今天起 {setup.booking_days} 天内的工作日（节假日大厅不办公）"
        )
    times = dict(slot_times(setup_of(group.hall)))
    if start not in times:
        raise ValidationError("所选时段不存在，请重新选择")
    if timezone.make_aware(datetime.datetime.combine(day, start)) <= now:
        raise ValidationError("该时段已过，请选择其他时段")
    # Locking the group row serialises bookings of one group, so the count below stays true
    # until this transaction commits (PostgreSQL row lock; SQLite's IMMEDIATE write lock).
    WindowGroup.objects.select_for_update().filter(pk=group.pk).first()
    taken = Appointment.objects.filter(group=group, day=day, start=start, status__in=TAKEN)
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    if taken.count() >= group.slot_capacity:
        raise ValidationError("该时段已约满，请选择其他时段")
    return times[start]


def _check_application(visitor: User, application):
    if application is None:
        return None
    if application.owner_id != visitor.pk or not application.case_number:
        raise ValidationError("办件编号不属于您的已提交申请")
    return application


def _new_reference() -> str:
    return "Y" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(9))


def _event(appointment, event, before, actor, note=""):
    AppointmentEvent.objects.create(
        appointment=appointment,
        event=event,
        from_status=before,
        to_status=appointment.status,
        actor=actor,
        note=note[:200],
    )


@transaction.atomic
def book(
    *,
    visitor: User,
    group: WindowGroup,
    day: datetime.date,
    start: datetime.time,
    item=None,
    application=None,
) -> Appointment:
    if visitor is None or visitor.kind == User.Kind.STAFF:
        raise PermissionDenied("请以办事人身份登录后预约")
    now = local_now()
    barred = ban_until(visitor, now.date())
    if barred:
        limit, _, _ = no_show_rule()
        raise ValidationError(f"您近期爽约已达 {limit} 次，{barred:%Y年%m月%d日}前不能预约")
    if item is not None and not group.items.filter(pk=item.pk).exists():
        raise ValidationError("该事项不在此窗口分组办理")
    application = _check_application(visitor, application)
    end = _check_slot(group, day, start, now=now)
    if Appointment.objects.filter(
        visitor=visitor, group=group, day=day, status=AppointmentStatus.BOOKED
    ).exists():
        raise ValidationError("您当天在该窗口分组已有预约，如需调整请改约")
    appointment = Appointment.objects.create(
        reference=_new_reference(),
        group=group,
        item=item or (application.service_item if application else None),
        visitor=visitor,
        application=application,
        day=day,
        start=start,
        end=end,
    )
    _event(appointment, "book", "", visitor)
    audit.record(
        AuditAction.BOOK,
        actor=visitor,
        obj=appointment,
        detail={"group": group.prefix, "day": str(day), "start": f"{start:%H:%M}"},
    )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("group__hall")
        .get(pk=appointment.pk)
    )


def _actor_kind(appointment, actor) -> str:
    if actor is not None and actor.pk == appointment.visitor_id:
        return VISITOR
    if actor is not None and actor.kind == User.Kind.STAFF:
        return WINDOW
    raise PermissionDenied("只有预约人本人可以操作此预约")


def _begin(appointment: Appointment, actor: User, target: str, verb: str):
    """Lock the booking and check the move; (the booking, its status before)."""
    appointment = _locked(appointment)
    before = appointment.status
    check_move(
        APPOINTMENT_MOVES,
        before,
        target,
        _actor_kind(appointment, actor),
        AppointmentStatus,
        f"预约%(status)s，不能{verb}",
    )
    return appointment, before


@transaction.atomic
def cancel(*, appointment: Appointment, actor: User, reason: str = "") -> Appointment:
    appointment, before = _begin(appointment, actor, AppointmentStatus.CANCELLED, "取消")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status"])
    _event(appointment, "cancel", before, actor, reason)
    audit.record(AuditAction.CANCEL_BOOKING, actor=actor, obj=appointment)
    return appointment


@transaction.atomic
def reschedule(
    *, appointment: Appointment, actor: User, day: datetime.date, start: datetime.time
) -> Appointment:
    appointment, before = _begin(appointment, actor, AppointmentStatus.BOOKED, "改约")
    if (day, start) == (appointment.day, appointment.start):
        raise ValidationError("新时段与原时段相同")
    end = _check_slot(appointment.group, day, start, now=local_now(), ignore=appointment)
    note = f"{appointment.day} {appointment.start:%H:%M} → {day} {start:%H:%M}"
    appointment.day, appointment.start, appointment.end = day, start, end
    appointment.reminded_at = None
    appointment.save(update_fields=["day", "start", "end", "reminded_at"])
    _event(appointment, "reschedule", before, actor, note)
    audit.record(AuditAction.RESCHEDULE, actor=actor, obj=appointment, detail={"change": note})
    return appointment


def mark_no_shows(now=None) -> int:
    """System: bookings whose slot ended (plus a grace period) without a check-in are no-shows."""
    now = now or local_now()
    cutoff = now - NO_SHOW_GRACE
    candidates = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, day__lte=cutoff.date()
    ).values_list("pk", "day", "end")
    due = [
        pk
        for pk, day, end in candidates.iterator()
        if timezone.make_aware(datetime.datetime.combine(day, end)) <= cutoff
    ]
    for pk in due:
        _mark_no_show(pk)
    return len(due)


@transaction.atomic
def _mark_no_show(pk: int) -> None:
    appointment = _locked(Appointment(pk=pk))
    if appointment.status != AppointmentStatus.BOOKED:
        return
    check_move(
        APPOINTMENT_MOVES,
        appointment.status,
        AppointmentStatus.NO_SHOW,
        SYSTEM,
        AppointmentStatus,
        "预约%(status)s",
    )
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.save(update_fields=["status"])
    _event(appointment, "no_show", AppointmentStatus.BOOKED, None, "预约时段结束未签到")
    audit.record(AuditAction.BOOKING_NO_SHOW, obj=appointment)


def send_reminders(today: datetime.date | None = None) -> int:
    """The day before: an SMS (and an inbox message) to everyone booked for tomorrow."""
    today = today or local_now().date()
    tomorrow = today + datetime.timedelta(days=1)
    pks = list(
        Appointment.objects.filter(
            day=tomorrow, status=AppointmentStatus.BOOKED, reminded_at=None
        ).values_list("pk", flat=True)
    )
    return sum(_remind(pk) for pk in pks)


@transaction.atomic
def _remind(pk: int) -> bool:
    from tongban.notify import actions as notify

    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("group__hall", "visitor")
        .get(pk=pk)
    )
    if appointment.reminded_at or appointment.status != AppointmentStatus.BOOKED:
        return False
    context = {
        "hall_name": appointment.group.hall.name,
        "group_name": appointment.group.name,
        "day": f"{appointment.day:%m月%d日}",
        "start": f"{appointment.start:%H:%M}",
        "reference": appointment.reference,
    }
    try:
        notify.send(
            appointment.visitor,
            "hall.reminder",
            context,
            related=appointment,
            link=reverse("hall:booking", args=[appointment.reference]),
        )
    except notify.TemplateNotFound:
        log.warning("hall.reminder template missing; no reminder sent")
        return False
    appointment.reminded_at = timezone.now()
    appointment.save(update_fields=["reminded_at"])
    return True
