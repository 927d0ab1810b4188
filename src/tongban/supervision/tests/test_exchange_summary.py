"""数据共享 on the dashboard from DailyExchangeFigure: the same figures as the call log read whole,
new calls counted at the next fold, a rebuild giving the same rows."""

import datetime
import random

import pytest
from django.utils import timezone

from tongban.exchange import statistics
from tongban.exchange.models import CallRecord
from tongban.supervision import figures, summary
from tongban.supervision.filters import Filters
from tongban.supervision.models import DailyExchangeFigure
from tongban.supervision.tests.conftest import D

pytestmark = pytest.mark.django_db
OUT = CallRecord.Outcome


def _calls(rng, days, per_day):
    tz = timezone.get_current_timezone()
    CallRecord.objects.bulk_create(
        CallRecord(
            # late evening calls check that days are Beijing days, not UTC ones
            occurred_at=datetime.datetime.combine(day, datetime.time(rng.choice([9, 15, 23])), tz),
            consumer_code=rng.choice(["gaj", "mzj"]),
            consumer_name="使用方",
            resource_code=rng.choice(["hukou", "marriage", "social"]),
            outcome=rng.choice([OUT.ANSWERED, OUT.ANSWERED, OUT.NOT_FOUND, OUT.DENIED, OUT.FAILED]),
            latency_ms=rng.randrange(5, 900),
            record_hash="0" * 64,
        )
        for day in days
        for _ in range(rng.randrange(1, per_day))
    )


def _from_log(filters):
    """The section as it was computed before: the call log of the period, read whole."""
    merged = {}
    for r in statistics.daily(filters.start, filters.end):
        row = merged.setdefault(r["resource"], [0, 0, 0])
        row[0] += r["calls"]
        row[1] += r["denied"]
        row[2] = max(row[2], r["p95_ms"])
    return [
        {
            "name": resource,
            "calls": calls,
            "denied": denied,
            "deny_rate": round(100 * denied / calls, 1),
            "p95_ms": p95,
        }
        for resource, (calls, denied, p95) in sorted(merged.items())
    ]


def test_exchange_section_reads_the_daily_figures_and_follows_new_calls():
    rng = random.Random(2)
    days = [D(2026, 9, 1) + datetime.timedelta(days=n) for n in range(60)]
    _calls(rng, days, 12)
    assert summary.fold() == 0  # no case touched; the calls are folded all the same
    assert DailyExchangeFigure.objects.count() > 0
    periods = [(D(2026, 9, 1), D(2026, 10, 30)), (D(2026, 9, 30), D(2026, 10, 1))]
    periods += [(d, d + datetime.timedelta(days=rng.randrange(0, 20))) for d in rng.sample(days, 5)]
    for start, end in periods:
        filters = Filters(start=start, end=end)
        assert figures.exchange(filters).rows == _from_log(filters), (start, end)
    # New calls on a day already folded: counted again whole at the next fold.
    _calls(rng, [D(2026, 9, 10)], 30)
    filters = Filters(start=D(2026, 9, 10), end=D(2026, 9, 10))
    assert figures.exchange(filters).rows != _from_log(filters)
    summary.fold()
    assert figures.exchange(filters).rows == _from_log(filters)
    before = sorted(
        DailyExchangeFigure.objects.values_list(
            "day", "resource_code", "consumer_code", "calls", "p95_ms"
        )
    )
    summary.rebuild()
    after = sorted(
        DailyExchangeFigure.objects.values_list(
            "day", "resource_code", "consumer_code", "calls", "p95_ms"
        )
    )
    assert after == before
    # A period without calls shows no rows.
    assert figures.exchange(Filters(start=D(2026, 12, 1), end=D(2026, 12, 2))).rows == []
