"""叫号: the window's calls, recalls, no-shows, transfers, start and finish of service (which records
the 一次一评 visit). Taking a ticket is `tickets`; its public names are importable from here too."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import User
from tongban.core import audit, statemachine
from tongban.core.models import Window
from tongban.hall import states
from tongban.hall.actions.common import (
    check_move,
    local_now,
    publish_after_commit,
    require_clerk_in_hall,
)
from tongban.hall.actions.tickets import (  # noqa: F401 (public names of queue)
    CHECK_IN_EARLY,
    ELDERLY_AGE,
    GREEN_REASONS,
    cancel_ticket,
    check_in,
    hall_open_problem,
    is_elderly,
    issue_ticket,
    take_ticket,
    ticket_event,
)
from tongban.hall.audit_actions import AuditAction
from tongban.hall.codes import (
    AT_WINDOW,
    TICKET_MOVES,
    WINDOW,
    Source,
    TicketStatus,
    WindowStatus,
)
from tongban.hall.models import (
    Ticket,
    WindowDesk,
    WindowGroup,
)

# --- the window ----------------------------------------------------------------------------------


def _desk(actor: User, window: Window) -> WindowDesk:
    require_clerk_in_hall(actor, window.hall_id)
    WindowDesk.objects.get_or_create(window=window)
    return WindowDesk.objects.select_for_update().select_related("window").get(window=window)


def _open_desk(actor: User, window: Window) -> WindowDesk:
    desk = _desk(actor, window)
    if desk.status != WindowStatus.OPEN or desk.clerk_id != actor.pk:
        raise ValidationError(f"请先在 {window.number} 号窗口签到开窗")
    return desk


@transaction.atomic
def set_window(*, actor: User, window: Window, status: str) -> WindowDesk:
    """Open (the clerk signs in at the window), pause or close a window."""
    if status not in WindowStatus.values:
        raise ValidationError("窗口状态无效")
    desk = _desk(actor, window)
    if desk.clerk_id not in (None, actor.pk) and desk.status != WindowStatus.CLOSED:
        raise ValidationError(f"{window.number} 号窗口已由其他人员签到")
    if status == WindowStatus.CLOSED and desk.current_id and desk.current.status in AT_WINDOW:
        raise ValidationError(f"请先办结或转出当前号 {desk.current.code} 再关闭窗口")
    desk.clerk = None if status == WindowStatus.CLOSED else actor
    desk.changed_at = timezone.now()
    # The audit record names the window (not its desk row), as the console's other moves do.
    statemachine.transition(
        desk,
        status,
        actor=actor,
        actor_kind=WINDOW,
        machine=states.WINDOW_DESK,
        update_fields=["clerk", "changed_at"],
        write_audit=False,
    )
    audit.record(AuditAction.WINDOW, actor=actor, obj=window, detail={"status": status})
    publish_after_commit(window.hall_id)
    return desk


def _locked_ticket(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("group", "hall")
        .get(pk=ticket.pk)
    )


def _require_free(desk: WindowDesk) -> None:
    if desk.current_id and desk.current.status in AT_WINDOW:
        raise ValidationError(f"本窗口的 {desk.current.code} 号尚未办结，请先办结、过号或转出")


def _serves(window: Window, group: WindowGroup) -> bool:
    return group.windows.filter(pk=window.pk).exists()


def _call(desk: WindowDesk, ticket: Ticket, actor: User, event: str) -> Ticket:
    before = ticket.status
    check_move(
        TICKET_MOVES, before, TicketStatus.CALLED, WINDOW, TicketStatus, "该号%(status)s，不能叫号"
    )
    now = timezone.now()
    ticket.status = TicketStatus.CALLED
    ticket.window, ticket.clerk = desk.window, actor
    ticket.called_at = ticket.called_at or now
    ticket.last_called_at = now
    ticket.call_count += 1
    ticket.save(
        update_fields=["status", "window", "clerk", "called_at", "last_called_at", "call_count"]
    )
    desk.current = ticket
    desk.save(update_fields=["current"])
    ticket_event(ticket, event, before, actor, window=desk.window, at=now)
    audit.record(
        AuditAction.CALL,
        actor=actor,
        obj=ticket,
        detail={"code": ticket.code, "window": desk.window.number},
    )
    publish_after_commit(ticket.hall_id)
    return ticket


def waiting_queue(groups):
    """Waiting tickets of the given groups in calling order: priority, then arrival."""
    return Ticket.objects.filter(group__in=groups, status=TicketStatus.WAITING).order_by(
        "-priority", "queued_at", "id"
    )


@transaction.atomic
def call_next(*, actor: User, window: Window) -> Ticket:
    desk = _open_desk(actor, window)
    _require_free(desk)
    groups = WindowGroup.objects.filter(windows=window, is_active=True)
    candidate = waiting_queue(groups).values_list("pk", flat=True).first()
    if candidate is None:
        raise ValidationError("当前没有等候的号")
    return _call(desk, _locked_ticket(Ticket(pk=candidate)), actor, "call")


@transaction.atomic
def call_ticket(*, actor: User, window: Window, code: str) -> Ticket:
    """Call a specific ticket by its code (A023) today."""
    desk = _open_desk(actor, window)
    _require_free(desk)
    code = (code or "").strip().upper()
    match = re.fullmatch(r"([A-Z])0*(\d{1,4})", code)
    found = (
        Ticket.objects.filter(
            hall_id=window.hall_id,
            day=local_now().date(),
            prefix=match.group(1),
            number=int(match.group(2)),
        ).first()
        if match
        else None
    )
    if found is None:
        raise ValidationError(f"今天没有 {code or '该'} 号")
    ticket = _locked_ticket(found)
    if not _serves(window, ticket.group):
        raise ValidationError(
            f"{ticket.code} 号属于“{ticket.group.name}”，{window.number} 号窗口不办理，可请其转窗口"
        )
    return _call(desk, ticket, actor, "call")


def _at_my_window(actor: User, ticket: Ticket) -> WindowDesk:
    ticket = _locked_ticket(ticket)
    if ticket.window_id is None:
        raise ValidationError(f"{ticket.code} 号尚未被叫号")
    desk = _open_desk(actor, ticket.window)
    if desk.current_id != ticket.pk:
        raise ValidationError(f"{ticket.code} 号不在本窗口办理")
    return desk


@transaction.atomic
def recall(*, actor: User, ticket: Ticket) -> Ticket:
    desk = _at_my_window(actor, ticket)
    return _call(desk, _locked_ticket(ticket), actor, "recall")


def _move(ticket: Ticket, target: str, actor: User, event: str, message: str, **stamps) -> Ticket:
    before = ticket.status
    check_move(TICKET_MOVES, before, target, WINDOW, TicketStatus, message)
    ticket.status = target
    for name, value in stamps.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=["status", *stamps])
    ticket_event(ticket, event, before, actor, window=ticket.window)
    audit.record(
        AuditAction(f"hall.{event}"), actor=actor, obj=ticket, detail={"code": ticket.code}
    )
    publish_after_commit(ticket.hall_id)
    return ticket


def _window_move(actor, ticket, target, event, message, stamp) -> Ticket:
    _at_my_window(actor, ticket)
    ticket = _locked_ticket(ticket)
    return _move(ticket, target, actor, event, message, **{stamp: timezone.now()})


@transaction.atomic
def mark_no_show(*, actor: User, ticket: Ticket) -> Ticket:
    return _window_move(
        actor,
        ticket,
        TicketStatus.NO_SHOW,
        "no_show",
        "该号%(status)s，不能记为过号",
        "finished_at",
    )


@transaction.atomic
def start_service(*, actor: User, ticket: Ticket) -> Ticket:
    return _window_move(
        actor, ticket, TicketStatus.SERVING, "start", "该号%(status)s，不能开始办理", "started_at"
    )


@transaction.atomic
def finish_service(*, actor: User, ticket: Ticket) -> Ticket:
    """Service ends; the 一次一评 visit is recorded at once so the visitor can rate it."""
    from tongban.ratings import actions as ratings

    ticket = _locked_ticket(ticket)
    if ticket.status != TicketStatus.SERVING:
        raise ValidationError(
            f"{ticket.code} 号{ticket.get_status_display()}，尚未开始办理，不能结束"
        )
    _at_my_window(actor, ticket)
    phone = ticket.visitor_phone or (ticket.visitor.phone if ticket.visitor else "")
    visit = ratings.start_hall_visit(
        actor=actor, visitor_phone=phone, service_item=ticket.item, visitor=ticket.visitor
    )
    return _move(
        ticket,
        TicketStatus.DONE,
        actor,
        "finish",
        "该号%(status)s，不能结束办理",
        finished_at=timezone.now(),
        visit=visit,
    )


@transaction.atomic
def transfer(*, actor: User, ticket: Ticket, group: WindowGroup, note: str = "") -> Ticket:
    """To another window group: a new ticket there that keeps its place in the queue (its arrival
    time and priority); the old one closes as transferred."""
    ticket = _locked_ticket(ticket)
    if ticket.status in AT_WINDOW:
        _at_my_window(actor, ticket)
    else:
        require_clerk_in_hall(actor, ticket.hall_id)
    if group.hall_id != ticket.hall_id or not group.is_active:
        raise ValidationError("只能转到本大厅启用的窗口分组")
    if group.pk == ticket.group_id:
        raise ValidationError("不能转到同一窗口分组")
    moved = _move(
        ticket,
        TicketStatus.TRANSFERRED,
        actor,
        "transfer",
        "该号%(status)s，不能转窗口",
        finished_at=timezone.now(),
    )
    now = local_now()
    new = issue_ticket(
        group=group,
        source=Source.TRANSFER,
        priority=moved.priority,
        visitor=moved.visitor,
        phone=moved.visitor_phone,
        item=moved.item,
        application=moved.application,
        queued_at=moved.queued_at,
        transferred_from=moved,
        now=now,
    )
    new.booked_at = moved.booked_at
    new.save(update_fields=["booked_at"])
    ticket_event(new, "issue", "", actor, note=f"由 {moved.code} 转入。{note}", at=now)
    return new
