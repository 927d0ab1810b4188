"""取号: tickets from the kiosk, a phone or an appointment check-in, and their cancellation; the
numbering, the green channel and the one-active-ticket rule."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import User
from tongban.core import audit, pii, workdays
from tongban.core.models import ServiceHall
from tongban.hall.actions.common import (
    check_move,
    local_now,
    publish_after_commit,
    setup_of,
)
from tongban.hall.audit_actions import AuditAction
from tongban.hall.codes import (
    ACTIVE_TICKET,
    APPOINTMENT_MOVES,
    TICKET_MOVES,
    VISITOR,
    WINDOW,
    AppointmentStatus,
    Priority,
    Source,
    TicketStatus,
)
from tongban.hall.models import (
    Appointment,
    AppointmentEvent,
    Ticket,
    TicketCounter,
    TicketEvent,
    WindowGroup,
)

ELDERLY_AGE = 60  # 老年人权益保障法 art. 2
# An appointment checks in from this long before its slot until its slot ends.
CHECK_IN_EARLY = datetime.timedelta(minutes=60)
GREEN_REASONS = {"elderly": "老年人", "disabled": "残疾人"}


# --- taking a ticket -----------------------------------------------------------------------------


def hall_open_problem(hall: ServiceHall, now: datetime.datetime) -> str:
    """Why the hall gives no tickets now (empty when it does)."""
    if not workdays.is_working_day(now.date()):
        return "今天是休息日，大厅不办公"
    setup, moment = setup_of(hall), now.time()
    if setup.morning_start <= moment < setup.morning_end:
        return ""
    if setup.afternoon_start <= moment < setup.afternoon_end:
        return ""
    return (
        f"当前不在办公时间（{setup.morning_start:%H:%M}-{setup.morning_end:%H:%M}，"
        f"{setup.afternoon_start:%H:%M}-{setup.afternoon_end:%H:%M}）"
    )


def is_elderly(visitor: User | None, today: datetime.date) -> bool:
    profile = getattr(visitor, "citizen", None) if visitor is not None else None
    if profile is None:
        return False
    birth = profile.birth_date
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return age >= ELDERLY_AGE


def _next_number(hall_id: int, day: datetime.date, prefix: str) -> int:
    """The next number of a prefix today. The counter row is locked until commit, so two kiosks
    never hand out the same number; the unique constraint on Ticket is the last guard."""
    TicketCounter.objects.get_or_create(hall_id=hall_id, day=day, prefix=prefix)
    counter = TicketCounter.objects.select_for_update().get(hall_id=hall_id, day=day, prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _clean_phone(phone: str) -> str:
    phone = pii.normalise(phone)
    if phone and not re.fullmatch(r"1\d{10}", phone):
        raise ValidationError({"phone": ["请输入11位手机号码"]})
    return phone


def _check_no_active(group: WindowGroup, visitor: User | None, phone_index: str) -> None:
    active = Ticket.objects.filter(group=group, status__in=ACTIVE_TICKET)
    if (visitor is not None and active.filter(visitor=visitor).exists()) or (
        phone_index and active.filter(visitor_phone_index=phone_index).exists()
    ):
        raise ValidationError(f"您在“{group.name}”已有一个未办结的号，请勿重复取号")


def ticket_event(ticket: Ticket, event: str, before: str, actor, *, window=None, note="", at=None):
    TicketEvent.objects.create(
        ticket=ticket,
        event=event,
        from_status=before,
        to_status=ticket.status,
        window=window,
        actor=actor,
        note=note[:200],
        at=at or timezone.now(),
    )


def issue_ticket(
    *,
    group: WindowGroup,
    source: str,
    priority: int,
    visitor: User | None,
    phone: str,
    item=None,
    appointment: Appointment | None = None,
    application=None,
    queued_at=None,
    transferred_from: Ticket | None = None,
    now: datetime.datetime,
) -> Ticket:
    phone_index = pii.blind_index(phone, "phone") if phone else ""
    _check_no_active(group, visitor, phone_index)
    ticket = Ticket(
        hall_id=group.hall_id,
        group=group,
        day=now.date(),
        prefix=group.prefix,
        number=_next_number(group.hall_id, now.date(), group.prefix),
        priority=priority,
        source=source,
        visitor=visitor,
        visitor_phone=phone,
        visitor_phone_index=phone_index,
        item=item,
        appointment=appointment,
        application=application,
        booked_at=appointment.created_at if appointment else None,
        issued_at=now,
        queued_at=queued_at or now,
        transferred_from=transferred_from,
    )
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError as exc:  # a racing request took a ticket for the same person first
        raise ValidationError(f"您在“{group.name}”已有一个未办结的号，请勿重复取号") from exc
    return ticket


@transaction.atomic
def take_ticket(
    *,
    group: WindowGroup,
    source: str,
    visitor: User | None = None,
    phone: str = "",
    item=None,
    green: str = "",
    application=None,
) -> Ticket:
    """A walk-in ticket from the kiosk or a phone. `green` asks for the 绿色通道: "elderly" is
    checked against the birth date on the account; "disabled" is the visitor's declaration, which
    the window checks (残疾人证) when called."""
    if source not in (Source.KIOSK, Source.PHONE):
        raise ValidationError("取号方式无效")
    if visitor is not None and visitor.kind == User.Kind.STAFF:
        raise PermissionDenied("工作人员账户不能取号")
    now = local_now()
    if not group.is_active:
        raise ValidationError("该窗口分组暂停取号")
    problem = hall_open_problem(group.hall, now)
    if problem:
        raise ValidationError(problem)
    phone = _clean_phone(phone)
    if visitor is None and not phone:
        raise ValidationError({"phone": ["请登录或填写手机号码，以便接收叫号提醒"]})
    if item is not None and not group.items.filter(pk=item.pk).exists():
        raise ValidationError("该事项不在此窗口分组办理")
    if application is not None and (visitor is None or application.owner_id != visitor.pk):
        raise ValidationError("办件编号不属于您的申请")
    priority = Priority.NORMAL
    if green == "elderly":
        if not is_elderly(visitor, now.date()):
            raise ValidationError(
                f"绿色通道面向{ELDERLY_AGE}周岁以上老年人，请登录实名账户或刷身份证"
            )
        priority = Priority.GREEN
    elif green == "disabled":
        priority = Priority.GREEN
    elif green:
        raise ValidationError("绿色通道类型无效")
    ticket = issue_ticket(
        group=group,
        source=source,
        priority=priority,
        visitor=visitor,
        phone=phone,
        item=item,
        application=application,
        now=now,
    )
    ticket_event(ticket, "issue", "", visitor, note=GREEN_REASONS.get(green, ""), at=now)
    audit.record(
        AuditAction.TAKE_TICKET,
        actor=visitor,
        obj=ticket,
        detail={"code": ticket.code, "source": source, "green": green},
    )
    publish_after_commit(ticket.hall_id)
    return ticket


@transaction.atomic
def check_in(*, appointment: Appointment, actor: User | None) -> Ticket:
    """The booked visitor arrives (kiosk or phone): a ticket with appointment priority."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("group__hall", "visitor")
        .get(pk=appointment.pk)
    )
    kind = WINDOW if actor is not None and actor.kind == User.Kind.STAFF else VISITOR
    if kind == VISITOR and actor is not None and actor.pk != appointment.visitor_id:
        raise PermissionDenied("只有预约人本人可以签到")
    check_move(
        APPOINTMENT_MOVES,
        appointment.status,
        AppointmentStatus.CHECKED_IN,
        kind,
        AppointmentStatus,
        "预约%(status)s，不能签到",
    )
    now = local_now()
    start = timezone.make_aware(datetime.datetime.combine(appointment.day, appointment.start))
    end = timezone.make_aware(datetime.datetime.combine(appointment.day, appointment.end))
    if now < start - CHECK_IN_EARLY:
        raise ValidationError(
            f"您预约的是 {appointment.day:%m月%d日} {appointment.start:%H:%M}，"
            f"请于 {(start - CHECK_IN_EARLY):%H:%M} 后签到"
        )
    if now > end:
        raise ValidationError("已超过预约时段，不能按预约签到，请取普通号")
    ticket = issue_ticket(
        group=appointment.group,
        source=Source.APPOINTMENT,
        priority=Priority.APPOINTMENT,
        visitor=appointment.visitor,
        phone="",
        item=appointment.item,
        appointment=appointment,
        application=appointment.application,
        now=now,
    )
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.save(update_fields=["status"])
    AppointmentEvent.objects.create(
        appointment=appointment,
        event="check_in",
        from_status=AppointmentStatus.BOOKED,
        to_status=AppointmentStatus.CHECKED_IN,
        actor=actor,
        note=ticket.code,
    )
    ticket_event(ticket, "issue", "", actor, note="预约签到", at=now)
    audit.record(AuditAction.CHECK_IN, actor=actor, obj=ticket, detail={"code": ticket.code})
    publish_after_commit(ticket.hall_id)
    return ticket


@transaction.atomic
def cancel_ticket(*, ticket: Ticket, token: str) -> Ticket:
    """The visitor gives up a waiting ticket from the ticket page (its token proves the holder)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if token != ticket.token:
        raise PermissionDenied("无权取消此号")
    before = ticket.status
    check_move(
        TICKET_MOVES,
        before,
        TicketStatus.CANCELLED,
        VISITOR,
        TicketStatus,
        "该号%(status)s，不能取消",
    )
    ticket.status = TicketStatus.CANCELLED
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    ticket_event(ticket, "cancel", before, ticket.visitor)
    audit.record(AuditAction.CANCEL_TICKET, actor=ticket.visitor, obj=ticket)
    publish_after_commit(ticket.hall_id)
    return ticket
