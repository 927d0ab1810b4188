"""政务大厅 tickets folded per day and hall (DailyHallFigure), so that the dashboards average a
few rows per day instead of reading every ticket of the period.

A ticket is created (a new id) and then moves only through its append-only history (TicketEvent:
call, start, finish, no-show, transfer). A watermark on each id says how far the fold has read; the
(day, hall) pairs the new rows fall in are counted again whole through hall.monitor (the same
per-ticket minutes), so folding twice or from scratch gives the same rows."""

from fractions import Fraction

from django.db import transaction
from django.db.models import Max

from tongban.core.models import ServiceHall
from tongban.hall import monitor
from tongban.hall.models import Ticket, TicketEvent
from tongban.supervision.models import DailyHallFigure, Watermark

# source → (rows, the ticket's day and hall as seen from the row)
SOURCES = {
    "hall_ticket": (Ticket.objects, "day", "hall_id"),
    "hall_ticket_event": (TicketEvent.objects, "ticket__day", "ticket__hall_id"),
}


SCALE = 2**60  # every float of at least 1/16 (a minute count rounded to 0.1) times this is whole


def exact_sum(minutes: list[float]) -> str:
    """Σ minutes × SCALE, exactly, as decimal text (see DailyHallFigure)."""
    total = sum(Fraction(m) for m in minutes) * SCALE
    if total.denominator != 1:
        raise ValueError("minutes not rounded to 0.1")
    return str(total.numerator)


def average(sums: list[str], count: int) -> float | None:
    """The mean of the minutes summed in `sums`, as statistics.mean gives it (then rounded)."""
    if not count:
        return None
    return round(float(Fraction(sum(int(s) for s in sums), SCALE * count)), 1)


def fold() -> int:
    """Count again the (day, hall) pairs touched since the watermarks; returns how many."""
    touched: set = set()
    moves = []
    for source, (manager, day, hall) in SOURCES.items():
        mark, _ = Watermark.objects.get_or_create(source=source)
        new = manager.filter(pk__gt=mark.last_id)
        last_id = new.aggregate(last=Max("pk"))["last"]
        if last_id is not None:
            touched.update(new.filter(pk__lte=last_id).values_list(day, hall).distinct())
            moves.append((mark, last_id))
    halls = ServiceHall.objects.in_bulk({hall for _day, hall in touched})
    with transaction.atomic():
        for day, hall in sorted(touched):
            DailyHallFigure.objects.filter(day=day, hall_id=hall).delete()
            times = [monitor.times_of(t) for t in monitor.tickets_between(halls[hall], day, day)]
            if not times:
                continue
            waiting = [t.waiting for t in times if t.waiting is not None]
            service = [t.service for t in times if t.service is not None]
            DailyHallFigure.objects.create(
                day=day,
                hall_id=hall,
                tickets=len(times),
                waiting_sum=exact_sum(waiting),
                waiting_count=len(waiting),
                service_sum=exact_sum(service),
                service_count=len(service),
            )
        for mark, last_id in moves:
            mark.last_id = last_id
            mark.save()
    return len(touched)
