"""好差评 folded per day and department (DailyRatingFigure), so that the dashboards sum a few rows
per day instead of counting the ratings of the period on every page.

A rating's figures change in two ways, both append-only: a new rating, and a step of its bad-rating
case (整改, 回访, 申诉 — each writes a BadRatingHistory row; an upheld appeal voids the rating in the
same step). A watermark per source says how far the fold has read; the days the new rows fall in
are counted again from the ratings, whole, so folding twice or from scratch gives the same rows."""

import datetime

from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from tongban.ratings import stats
from tongban.ratings.models import BadRatingHistory, Rating
from tongban.supervision.models import DailyRatingFigure, Watermark

PAGE = 50_000
COUNTS = ("total", "good", "bad", "rectified", "real_name_bad", "called_back")
# source → (new rows, the rating's creation time as seen from the row)
SOURCES = {
    "rating": (Rating.objects, "created_at"),
    "rating_history": (BadRatingHistory.objects, "bad_case__rating__created_at"),
}


def fold() -> int:
    """Count again the days touched since the watermarks; returns how many days were counted."""
    counted_days = 0
    more = True
    while more:
        days, moves, more = _touched_days()
        with transaction.atomic():
            _count_days(days)
            for mark, last_id in moves:
                mark.last_id = last_id
                mark.save()
        counted_days += len(days)
    return counted_days


def _touched_days():
    days, moves, more = set(), [], False
    for source, (manager, created) in SOURCES.items():
        mark, _ = Watermark.objects.get_or_create(source=source)
        rows = list(
            manager.filter(pk__gt=mark.last_id)
            .order_by("pk")
            .annotate(rating_day=TruncDate(created))
            .values_list("pk", "rating_day")[:PAGE]
        )
        if rows:
            days.update(day for _, day in rows if day is not None)
            moves.append((mark, rows[-1][0]))
            more = more or len(rows) == PAGE
    return days, moves, more


def _count_days(days: set) -> None:
    if not days:
        return
    # The index on created_at narrows the ratings to the span of the days; the day is then exact.
    since = timezone.make_aware(datetime.datetime.combine(min(days), datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(max(days), datetime.time.max))
    grouped = (
        stats.counted()
        .exclude(department=None)
        .filter(created_at__gte=since, created_at__lte=until)
        .annotate(rating_day=TruncDate("created_at"))
        .filter(rating_day__in=days)
        .values("rating_day", "department_id")
        .annotate(**stats.count_expressions())
        .order_by()
    )
    DailyRatingFigure.objects.filter(day__in=days).delete()
    DailyRatingFigure.objects.bulk_create(
        DailyRatingFigure(
            day=row["rating_day"],
            department_id=row["department_id"],
            **{name: row[name] for name in COUNTS},
        )
        for row in grouped
    )
