# ruff: noqa: F811 (the hall fixtures, imported, are parameters of the test)
"""政务大厅 on the dashboard from DailyHallFigure: the same tickets and average minutes as
hall.monitor over the tickets, new tickets and moves counted at the next fold."""

import datetime

import pytest

from tongban.hall import monitor
from tongban.hall.actions import queue
from tongban.supervision import figures, hall_summary, summary
from tongban.supervision.filters import Filters
from tongban.supervision.models import DailyHallFigure
from tongban.testing.hall import (  # noqa: F401 (fixtures)
    MONDAY,
    clerk,
    clock,
    groups,
    hall,
    windows,
)

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


def _from_tickets(hall, filters):
    """The section's row as it was computed before: every ticket of the period read whole."""
    times = [monitor.times_of(t) for t in monitor.tickets_between(hall, filters.start, filters.end)]
    summary_row = monitor.summarise(times, lambda _row: hall.name)[0]
    return {k: summary_row[k] for k in ("tickets", "waiting", "service")}


def _serve(clerk, window, clock, waited, served):
    clock.shift(waited * MINUTE)
    ticket = queue.call_next(actor=clerk, window=window)
    queue.start_service(actor=clerk, ticket=ticket)
    clock.shift(served * MINUTE)
    queue.finish_service(actor=clerk, ticket=ticket)


def test_halls_section_reads_the_daily_figures_and_follows_the_queue(
    hall,
    groups,
    windows,
    clerk,
    clock,
):
    for n in range(4):
        queue.take_ticket(group=groups["A"], source="kiosk", phone=f"1380000000{n}")
    for waited, served in ((2, 7), (3, 4), (9, 12)):
        _serve(clerk, windows["5"], clock, waited, served)
    summary.fold()
    day = Filters(start=MONDAY, end=MONDAY)
    row = {k: figures.halls(day).rows[0][k] for k in ("tickets", "waiting", "service")}
    assert row == _from_tickets(hall, day)
    assert row["tickets"] == 4 and row["service"] == round((7 + 4 + 12) / 3, 1)
    # The fourth ticket is called and served: its day is counted again at the next fold.
    _serve(clerk, windows["5"], clock, 1, 5)
    assert figures.halls(day).rows[0]["service"] == row["service"]
    summary.fold()
    row = {k: figures.halls(day).rows[0][k] for k in ("tickets", "waiting", "service")}
    assert row == _from_tickets(hall, day)
    assert row["service"] == round((7 + 4 + 12 + 5) / 4, 1)
    # A week without tickets shows no hall; a rebuild gives the same rows.
    later = MONDAY + datetime.timedelta(days=7)
    assert figures.halls(Filters(start=later, end=later)).rows == []
    before = list(DailyHallFigure.objects.values_list("day", "tickets", "waiting_sum"))
    summary.rebuild()
    assert list(DailyHallFigure.objects.values_list("day", "tickets", "waiting_sum")) == before


def test_averages_from_the_exact_sums_equal_hall_monitor_averages():
    """Split over days and summed again, the exact sums give hall.monitor's average to the last
    digit, also where the mean lies on a .x5 (0.1 and 0.2 minutes: 0.15)."""
    import random

    rng = random.Random(5)
    cases = [[0.1, 0.2], [0.0], [1.5, 2.5, 0.3]]
    cases += [
        [round(rng.randrange(0, 9000) / 10, 1) for _ in range(rng.randrange(1, 9))]
        for _ in range(3000)
    ]
    for minutes in cases:
        cut = rng.randrange(0, len(minutes) + 1)
        sums = [hall_summary.exact_sum(minutes[:cut]), hall_summary.exact_sum(minutes[cut:])]
        assert hall_summary.average(sums, len(minutes)) == monitor.average(minutes), minutes
    assert hall_summary.average([], 0) is None
    with pytest.raises(ValueError):
        hall_summary.exact_sum([1e-30])  # not a count of tenths
