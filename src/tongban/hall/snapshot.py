"""The read side of the live pages: one snapshot of a hall's day (the queue of each group, the
tickets at the windows, the last calls), computed once per version per process and shared by every
stream of that hall; each phone's "前面还有 N 人" is a dictionary look-up in it."""

import threading
from dataclasses import dataclass

from django.utils import timezone

from tongban.hall.codes import TicketStatus
from tongban.hall.models import Ticket, TicketEvent, WindowGroup

RECENT_CALLS = 8
_latest: dict[int, "Snapshot"] = {}  # hall id → the snapshot of the version seen last
_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    hall_id: int
    version: int
    groups: dict  # group id → {"prefix", "name", "waiting": [ticket ids in calling order]}
    positions: dict  # waiting ticket id → (group id, people ahead)
    tickets: dict  # today's ticket id → (status, window number)
    calls: list  # the latest calls, newest first: {"code", "window", "at", "id"}

    def ticket_state(self, ticket_id: int) -> dict:
        status, window = self.tickets.get(ticket_id, ("", ""))
        ahead = self.positions.get(ticket_id, (None, None))[1]
        return {
            "status": status,
            "status_label": str(TicketStatus(status).label) if status else "",
            "ahead": ahead,
            "window": window,
            "version": self.version,
        }

    def display(self) -> dict:
        return {
            "version": self.version,
            "calls": self.calls,
            "waiting": {g["prefix"]: len(g["waiting"]) for g in self.groups.values()},
        }


def _build(hall_id: int, version: int) -> Snapshot:
    today = timezone.localdate()
    groups = {
        pk: {"prefix": prefix, "name": name, "waiting": []}
        for pk, prefix, name in WindowGroup.objects.filter(hall_id=hall_id).values_list(
            "pk", "prefix", "name"
        )
    }
    waiting = (
        Ticket.objects.filter(hall_id=hall_id, day=today, status=TicketStatus.WAITING)
        .order_by("-priority", "queued_at", "id")
        .values_list("pk", "group_id")
    )
    positions = {}
    for pk, group_id in waiting:
        queue = groups[group_id]["waiting"]
        positions[pk] = (group_id, len(queue))
        queue.append(pk)
    tickets = {
        pk: (status, number or "")
        for pk, status, number in Ticket.objects.filter(hall_id=hall_id, day=today).values_list(
            "pk", "status", "window__number"
        )
    }
    events = (
        TicketEvent.objects.filter(
            ticket__hall_id=hall_id, ticket__day=today, event__in=("call", "recall")
        )
        .order_by("-at", "-id")
        .values_list("pk", "ticket__prefix", "ticket__number", "window__number", "at")[
            :RECENT_CALLS
        ]
    )
    calls = [
        {
            "id": pk,
            "code": f"{prefix}{number:03d}",
            "window": window or "",
            "at": timezone.localtime(at).strftime("%H:%M:%S"),
        }
        for pk, prefix, number, window, at in events
    ]
    return Snapshot(hall_id, version, groups, positions, tickets, calls)


def snapshot(hall_id: int, version: int) -> Snapshot:
    found = _latest.get(hall_id)
    if found is not None and found.version == version:
        return found
    with _lock:  # a call wakes hundreds of streams at once: one of them reads the database
        found = _latest.get(hall_id)
        if found is None or found.version != version:
            found = _latest[hall_id] = _build(hall_id, version)
        return found
