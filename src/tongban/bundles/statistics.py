"""Statistics per bundle and month: applied, completed, average working days against the sum of
the members' promised limits, and what one guide and one form saved the applicants (materials
handed in once instead of per item; visits: 零跑动 online against each item's 到现场次数)."""

import datetime
from collections import defaultdict

from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from tongban.bundles.models import BundleApplication
from tongban.bundles.states import BundleStatus

FIELDS = (
    "version__bundle__code",
    "version__name",
    "version__sum_of_limits",
    "status",
    "working_days_used",
    "materials_asked",
    "materials_separately",
    "visits_separately",
)


def _summed(rows) -> list[dict]:
    """Applications (values rows with a `period` and FIELDS) summed per period and bundle."""
    groups: dict[tuple, dict] = defaultdict(
        lambda: {
            "applied": 0,
            "completed": 0,
            "days": [],
            "limits": [],
            "materials_saved": 0,
            "visits_saved": 0,
        }
    )
    names = {}
    for row in rows.iterator(chunk_size=2000):
        key = (row["period"], row["version__bundle__code"])
        names[key] = row["version__name"]
        group = groups[key]
        group["applied"] += 1
        group["materials_saved"] += max(0, row["materials_separately"] - row["materials_asked"])
        group["visits_saved"] += row["visits_separately"]  # applied online: no visit at all
        if row["status"] == BundleStatus.COMPLETED and row["working_days_used"] is not None:
            group["completed"] += 1
            group["days"].append(row["working_days_used"])
            group["limits"].append(row["version__sum_of_limits"] or 0)
    return [
        {
            "period": period,
            "code": code,
            "name": names[(period, code)],
            "applied": group["applied"],
            "completed": group["completed"],
            "average_days": round(sum(group["days"]) / len(group["days"]), 1)
            if group["days"]
            else None,
            "sum_of_limits": round(sum(group["limits"]) / len(group["limits"]), 1)
            if group["limits"]
            else None,
            "materials_saved": group["materials_saved"],
            "visits_saved": group["visits_saved"],
        }
        for (period, code), group in groups.items()
    ]


def monthly(months: int = 12) -> list[dict]:
    rows = (
        BundleApplication.objects.annotate(period=TruncMonth("submitted_at"))
        .values("period", *FIELDS)
        .order_by("-period", "version__bundle__code")
    )
    out = [
        {"month": r.pop("period").strftime("%Y-%m") if r["period"] else "", **r}
        for r in _summed(rows)
    ]
    months_seen = sorted({r["month"] for r in out}, reverse=True)[:months]
    return [r for r in out if r["month"] in months_seen]


def daily(day: datetime.date) -> list[dict]:
    """The applications submitted on `day` (local time), summed per bundle as `monthly` does."""
    rows = (
        BundleApplication.objects.filter(submitted_at__date=day)
        .annotate(period=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("period", *FIELDS)
        .order_by("version__bundle__code")
    )
    return _summed(rows)
