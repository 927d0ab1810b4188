"""12345 work orders, 免申即享 policies and 一件事 bundles folded per day (DailyServiceFigure), so
that their dashboard sections read a few rows per day instead of every order, match, payment line
and bundle application of the period.

Unlike the call log these rows change after the day they are counted on: an order is replied to
and rated, a payment line reconciled, a bundle application completed. So the fold finds the days
anything changed on since it last ran — rows updated after the watermark's time (work orders,
matches, payment lines), or bundle status changes after its id — and counts those days again
whole; folding twice or from scratch gives the same rows."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongban.supervision.models import DailyServiceFigure, Watermark

Source = DailyServiceFigure.Source


def _day(field: str):
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _days(queryset, field: str) -> set[datetime.date]:
    return set(queryset.annotate(d=_day(field)).values_list("d", flat=True).distinct())


def _on(field: str, day: datetime.date) -> Q:
    return Q(**{f"{field}__date": day})


def _workorders(day: datetime.date) -> list[DailyServiceFigure]:
    from tongban.workorders.codes import Satisfaction
    from tongban.workorders.models import WorkOrder

    rows = (
        WorkOrder.objects.filter(_on("created_at", day))
        .values("department_id", "category__parent__code", "category__parent__name")
        .annotate(
            total=Count("pk"),
            replied=Count("pk", filter=Q(replied_on_time__isnull=False)),
            on_time=Count("pk", filter=Q(replied_on_time=True)),
            rated=Count("pk", filter=~Q(satisfaction="")),
            satisfied=Count(
                "pk", filter=Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))
            ),
        )
    )
    return [
        DailyServiceFigure(
            source=Source.WORKORDERS,
            day=day,
            department_id=r["department_id"],
            key=r["category__parent__code"] or "",
            name=r["category__parent__name"] or "",
            counts={k: r[k] for k in ("total", "replied", "on_time", "rated", "satisfied")},
        )
        for r in rows
    ]


def _policies(day: datetime.date) -> list[DailyServiceFigure]:
    from tongban.policies.models import Match, PaymentLine, Policy

    counts: dict[int, dict] = defaultdict(lambda: {"matched": 0, "paid": 0, "amount": "0"})
    for policy_id, n in (
        Match.objects.filter(_on("matched_at", day))
        .values_list("policy_id")
        .annotate(n=Count("pk"))
    ):
        counts[policy_id]["matched"] = n
    for r in (
        PaymentLine.objects.filter(_on("batch__created_at", day), status=PaymentLine.Status.PAID)
        .values("policy_id")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    ):
        counts[r["policy_id"]].update(paid=r["n"], amount=str(r["amount"] or Decimal(0)))
    policies = Policy.objects.in_bulk(list(counts))
    return [
        DailyServiceFigure(
            source=Source.POLICIES,
            day=day,
            department_id=policies[pk].department_id,
            key=str(pk),
            name=policies[pk].name,
            counts=dict(values),
        )
        for pk, values in counts.items()
    ]


def _bundles(day: datetime.date) -> list[DailyServiceFigure]:
    from tongban.bundles import statistics

    return [
        DailyServiceFigure(
            source=Source.BUNDLES,
            day=day,
            key=r["code"],
            name=r["name"],
            counts={k: r[k] for k in ("applied", "completed", "materials_saved", "visits_saved")},
        )
        for r in statistics.daily(day)
    ]


COUNT = {Source.WORKORDERS: _workorders, Source.POLICIES: _policies, Source.BUNDLES: _bundles}


def _changed_days() -> tuple[dict[str, set], list]:
    """{source: days to count again} and the watermark moves to make once they are counted."""
    from tongban.bundles.models import BundleStatusChange
    from tongban.policies.models import Match, PaymentLine
    from tongban.workorders.models import WorkOrder

    now = timezone.now()
    days: dict[str, set] = {}
    moves = []
    for source, changed in (
        (Source.WORKORDERS, [(WorkOrder.objects, "created_at")]),
        (
            Source.POLICIES,
            [(Match.objects, "matched_at"), (PaymentLine.objects, "batch__created_at")],
        ),
    ):
        mark, _ = Watermark.objects.get_or_create(source=f"service_{source}")
        found = set()
        for manager, field in changed:
            rows = manager.filter(updated_at__lte=now)
            if mark.last_at is not None:
                rows = rows.filter(updated_at__gt=mark.last_at)
            found |= _days(rows, field)
        days[source] = found
        moves.append((mark, None, now))
    mark, _ = Watermark.objects.get_or_create(source=f"service_{Source.BUNDLES}")
    changes = BundleStatusChange.objects.filter(pk__gt=mark.last_id)
    last_id = changes.aggregate(last=Max("pk"))["last"]
    if last_id is not None:
        days[Source.BUNDLES] = _days(
            changes.filter(pk__lte=last_id), "bundle_application__submitted_at"
        )
        moves.append((mark, last_id, None))
    return days, moves


def fold() -> int:
    """Count again every day something changed on since the last fold; returns how many days."""
    days, moves = _changed_days()
    with transaction.atomic():
        for source, found in days.items():
            for day in sorted(d for d in found if d is not None):
                DailyServiceFigure.objects.filter(source=source, day=day).delete()
                DailyServiceFigure.objects.bulk_create(COUNT[source](day))
        for mark, last_id, last_at in moves:
            if last_id is not None:
                mark.last_id = last_id
            if last_at is not None:
                mark.last_at = last_at
            mark.save()
    return sum(len(found) for found in days.values())


def rows(source: str, start: datetime.date, end: datetime.date, department=None):
    found = DailyServiceFigure.objects.filter(source=source, day__gte=start, day__lte=end)
    if department is not None:
        found = found.filter(department=department)
    return found.values("department_id", "department__name", "key", "name", "counts")
