"""数据共享 calls folded per day, resource and consumer (DailyExchangeFigure), so that the dashboards
read a few rows per day instead of every call of the period with its latency.

The call log is append-only: a watermark on its id says how far the fold has read; the days the new
calls fall in are counted again whole through exchange.statistics.daily (the same counts and the
same p95), so folding twice or from scratch gives the same rows."""

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongban.exchange import statistics
from tongban.exchange.models import CallRecord
from tongban.supervision.models import DailyExchangeFigure, Watermark

SOURCE = "exchange_call"


def fold() -> int:
    """Count again the days of the calls logged since the watermark; returns how many days."""
    mark, _ = Watermark.objects.get_or_create(source=SOURCE)
    new = CallRecord.objects.filter(pk__gt=mark.last_id)
    last_id = new.aggregate(last=Max("pk"))["last"]
    if last_id is None:
        return 0
    days = sorted(
        set(
            new.filter(pk__lte=last_id)
            .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
            .values_list("day", flat=True)
            .distinct()
        )
    )
    with transaction.atomic():
        for day in days:
            DailyExchangeFigure.objects.filter(day=day).delete()
            DailyExchangeFigure.objects.bulk_create(
                DailyExchangeFigure(
                    day=day,
                    resource_code=r["resource"],
                    consumer_code=r["consumer"],
                    calls=r["calls"],
                    denied=r["denied"],
                    failed=r["failed"],
                    p95_ms=r["p95_ms"],
                )
                for r in statistics.daily(day, day)
            )
        mark.last_id = last_id
        mark.save()
    return len(days)
