"""Call statistics per day, resource and consumer: calls, denials, failures, rows, latency
percentiles (read-only, from the call log)."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongban.exchange.models import CallRecord

OUT = CallRecord.Outcome


def _window(start: datetime.date, end: datetime.date) -> Q:
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return Q(occurred_at__gte=begin, occurred_at__lt=finish)


def percentile(sorted_values: list[int], share: float) -> int:
    if not sorted_values:
        return 0
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def daily(start: datetime.date, end: datetime.date) -> list[dict]:
    records = CallRecord.objects.filter(_window(start, end)).annotate(
        day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone())
    )
    groups = records.values("day", "resource_code", "consumer_code").annotate(
        calls=Count("id"),
        answered=Count("id", filter=Q(outcome__in=[OUT.ANSWERED, OUT.NOT_FOUND])),
        denied=Count("id", filter=Q(outcome=OUT.DENIED)),
        failed=Count("id", filter=Q(outcome=OUT.FAILED)),
        total_rows=Sum("rows"),
    )
    latencies: dict[tuple, list[int]] = defaultdict(list)
    for day, resource, consumer, latency in records.values_list(
        "day", "resource_code", "consumer_code", "latency_ms"
    ).iterator(chunk_size=5000):
        latencies[(day, resource, consumer)].append(latency)
    rows = []
    for group in groups.order_by("-day", "resource_code", "consumer_code"):
        key = (group["day"], group["resource_code"], group["consumer_code"])
        values = sorted(latencies[key])
        rows.append(
            {
                "day": group["day"],
                "resource": group["resource_code"],
                "consumer": group["consumer_code"],
                "calls": group["calls"],
                "answered": group["answered"],
                "denied": group["denied"],
                "failed": group["failed"],
                "rows": group["total_rows"] or 0,
                "p50_ms": percentile(values, 0.5),
                "p95_ms": percentile(values, 0.95),
                "p99_ms": percentile(values, 0.99),
            }
        )
    return rows
