"""好差评 statistics over a period: per department, item, hall or staff member — number of ratings,
好评率 (levels 1–2), 差评数 (4–5), 差评整改率, 回访率 (real-name bad ratings called back), and the
average of each indicator. Initial ratings only (追评 and ratings of a rectification are not counted
twice); ratings voided by an upheld appeal are left out. All figures come from aggregate queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, FloatField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from tongban.ratings.codes import ALL_INDICATORS, BAD_LEVELS, GOOD_LEVELS, RESOLVED
from tongban.ratings.models import Rating

GROUPS = {
    "department": ("department_id", "department__name"),
    "item": ("item_id", "item__basic_item__name"),
    "hall": ("hall_id", "hall__name"),
    "staff": ("staff_id", "staff__display_name"),
}
PUBLIC_GROUPS = ("department", "item")


@dataclass
class Period:
    start: datetime.date
    end: datetime.date

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> "Period":
        today = timezone.localdate()
        try:
            first = datetime.date.fromisoformat(start) if start else today.replace(month=1, day=1)
        except ValueError:
            first = today.replace(month=1, day=1)
        try:
            last = datetime.date.fromisoformat(end) if end else today
        except ValueError:
            last = today
        if last < first:
            first, last = last, first
        return cls(first, last)

    def filter(self) -> Q:
        return Q(created_at__date__gte=self.start, created_at__date__lte=self.end)


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def counted(queryset=None):
    return (queryset if queryset is not None else Rating.objects).filter(
        is_follow_up=False, voided=False
    )


def count_expressions() -> dict:
    """The counts every rating figure is made of; the rates are derived from them. Public so that
    supervision folds the same counts per day."""
    bad = Q(level__in=BAD_LEVELS)
    return {
        "total": Count("id"),
        "good": Count("id", filter=Q(level__in=GOOD_LEVELS)),
        "bad": Count("id", filter=bad),
        "rectified": Count("id", filter=bad & Q(bad_case__status__in=RESOLVED)),
        "real_name_bad": Count("id", filter=bad & Q(real_name=True)),
        "called_back": Count(
            "id", filter=bad & Q(real_name=True, bad_case__first_callback_at__isnull=False)
        ),
    }


def figures(group: str, period: Period, queryset=None, limit: int = 200) -> list[dict]:
    key, label = GROUPS[group]
    averages = {
        f"avg_{code}": Avg(Cast(KT(f"scores__{code}"), FloatField())) for code in ALL_INDICATORS
    }
    rows = (
        counted(queryset)
        .filter(period.filter())
        .exclude(**{key: None})
        .values(key, label)
        .annotate(**count_expressions(), **averages)
        .order_by("-total", label)[:limit]
    )
    result = []
    for row in rows:
        result.append(
            {
                "id": row[key],
                "name": row[label],
                "total": row["total"],
                "good_rate": _pct(row["good"], row["total"]),
                "bad": row["bad"],
                "rectify_rate": _pct(row["rectified"], row["bad"]),
                "callback_rate": _pct(row["called_back"], row["real_name_bad"]),
                "indicators": {
                    code: round(6 - row[f"avg_{code}"], 2)  # shown as stars: 5 = 非常满意
                    for code in ALL_INDICATORS
                    if row[f"avg_{code}"] is not None
                },
            }
        )
    return result


def summary(period: Period, queryset=None) -> dict:
    """The same figures for everything in `queryset` together (e.g. one staff member's ratings)."""
    base = counted(queryset).filter(period.filter())
    averages = {
        f"avg_{code}": Avg(Cast(KT(f"scores__{code}"), FloatField())) for code in ALL_INDICATORS
    }
    row = base.aggregate(**count_expressions(), **averages)
    return {
        "total": row["total"],
        "good_rate": _pct(row["good"], row["total"]),
        "bad": row["bad"],
        "rectify_rate": _pct(row["rectified"], row["bad"]),
        "callback_rate": _pct(row["called_back"], row["real_name_bad"]),
        "indicators": {
            code: round(6 - row[f"avg_{code}"], 2)
            for code in ALL_INDICATORS
            if row[f"avg_{code}"] is not None
        },
    }


def indicator_labels() -> dict:
    return dict(ALL_INDICATORS)
