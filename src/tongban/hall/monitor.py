"""大厅监测: times from the ticket's timestamps and the manager's live board.

Per ticket: waiting = called − taken, walking = started − called (the walk to the window after
the call), service = finished − started, in hall = finished − taken (a transferred visitor counts
from the first ticket). Averages are in minutes."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from statistics import mean

from django.utils import timezone

from tongban.core.models import Window
from tongban.hall.actions.common import setup_of
from tongban.hall.codes import AT_WINDOW, TicketStatus, WindowStatus
from tongban.hall.models import Ticket, WindowDesk, WindowGroup


def minutes(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 60, 1)


@dataclass
class TicketTimes:
    code: str
    group: str
    window: str
    item: str
    hour: int
    status: str
    waiting: float | None
    walking: float | None
    service: float | None
    in_hall: float | None


def _span(later, earlier):
    return minutes(later - earlier) if later and earlier else None


def times_of(ticket: Ticket) -> TicketTimes:
    arrived = ticket.transferred_from.issued_at if ticket.transferred_from_id else ticket.issued_at
    return TicketTimes(
        code=ticket.code,
        group=ticket.group.name,
        window=ticket.window.number if ticket.window_id else "",
        item=ticket.item.basic_item.name if ticket.item_id else "",
        hour=timezone.localtime(ticket.issued_at).hour,
        status=ticket.get_status_display(),
        waiting=_span(ticket.called_at, ticket.issued_at),
        walking=_span(ticket.started_at, ticket.called_at),
        service=_span(ticket.finished_at, ticket.started_at),
        in_hall=_span(ticket.finished_at, arrived) if ticket.status == TicketStatus.DONE else None,
    )


def tickets_between(hall, start: datetime.date, end: datetime.date):
    return (
        Ticket.objects.filter(hall=hall, day__gte=start, day__lte=end)
        .select_related("group", "window", "item__basic_item", "transferred_from")
        .order_by("day", "issued_at")
    )


def average(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 1) if present else None


def summarise(rows: list[TicketTimes], by) -> list[dict]:
    buckets = defaultdict(list)
    for row in rows:
        buckets[by(row)].append(row)
    return [
        {
            "key": key,
            "tickets": len(group),
            "waiting": average(r.waiting for r in group),
            "walking": average(r.walking for r in group),
            "service": average(r.service for r in group),
            "in_hall": average(r.in_hall for r in group),
        }
        for key, group in sorted(buckets.items(), key=lambda kv: str(kv[0]))
    ]


def board(hall) -> dict:
    """The live board: waiting per group with the longest wait, each window's state, alerts."""
    now = timezone.now()
    setup = setup_of(hall)
    threshold = datetime.timedelta(minutes=setup.wait_alert_minutes)
    today = timezone.localdate()
    waiting = list(
        Ticket.objects.filter(hall=hall, day=today, status=TicketStatus.WAITING)
        .select_related("group")
        .order_by("queued_at")
    )
    groups = []
    for group in WindowGroup.objects.filter(hall=hall, is_active=True):
        mine = [t for t in waiting if t.group_id == group.pk]
        longest = now - mine[0].queued_at if mine else None
        groups.append(
            {
                "group": group,
                "waiting": len(mine),
                "longest": minutes(longest),
                "alert": bool(longest and longest > threshold),
            }
        )
    desks = {
        d.window_id: d
        for d in WindowDesk.objects.filter(window__hall=hall).select_related("current", "clerk")
    }
    windows = []
    for window in Window.objects.filter(hall=hall).order_by("number"):
        desk = desks.get(window.pk)
        current = desk.current if desk and desk.current_id else None
        if desk is None or desk.status == WindowStatus.CLOSED:
            state, label = "closed", "关闭"
        elif current is not None and current.status in AT_WINDOW:
            state, label = "busy", "办理中" if current.status == TicketStatus.SERVING else "叫号中"
        elif desk.status == WindowStatus.PAUSED:
            state, label = "paused", "暂停"
        else:
            state, label = "idle", "空闲"
        windows.append(
            {
                "window": window,
                "state": state,
                "label": label,
                "ticket": current.code if state == "busy" else "",
                "since": minutes(now - desk.changed_at) if desk and desk.changed_at else None,
            }
        )
    done_today = [
        times_of(t)
        for t in tickets_between(hall, today, today).filter(status=TicketStatus.DONE)[:2000]
    ]
    alerts = [
        f"{t.code}（{t.group.name}）已等候 {minutes(now - t.queued_at):.0f} 分钟"
        for t in waiting
        if now - t.queued_at > threshold
    ][:20]
    return {
        "groups": groups,
        "windows": windows,
        "alerts": alerts,
        "threshold": setup.wait_alert_minutes,
        "target": setup.target_minutes,
        "served": len(done_today),
        "avg_wait": average(r.waiting for r in done_today),
        "avg_in_hall": average(r.in_hall for r in done_today),
        "counts": {
            s: sum(1 for w in windows if w["state"] == s)
            for s in ("busy", "idle", "paused", "closed")
        },
    }
