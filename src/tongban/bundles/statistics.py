"""Statistics per bundle and month: applied, completed, average working days against the sum of
the members' promised limits, and what one guide and one form saved the applicants (materials
handed in once instead of per item; visits: 零跑动 online against each item's 到现场次数)."""

from collections import defaultdict

from django.db.models.functions import TruncMonth

from tongban.bundles.models import BundleApplication
from tongban.bundles.states import BundleStatus


def monthly(months: int = 12) -> list[dict]:
    rows = (
        BundleApplication.objects.annotate(month=TruncMonth("submitted_at"))
        .values(
            "month",
            "version__bundle__code",
            "version__name",
            "version__sum_of_limits",
            "status",
            "working_days_used",
            "materials_asked",
            "materials_separately",
            "visits_separately",
        )
        .order_by("-month", "version__bundle__code")
    )
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
        key = (row["month"], row["version__bundle__code"])
        names[key] = row["version__name"]
        group = groups[key]
        group["applied"] += 1
        group["materials_saved"] += max(0, row["materials_separately"] - row["materials_asked"])
        group["visits_saved"] += row["visits_separately"]  # applied online: no visit at all
        if row["status"] == BundleStatus.COMPLETED and row["working_days_used"] is not None:
            group["completed"] += 1
            group["days"].append(row["working_days_used"])
            group["limits"].append(row["version__sum_of_limits"] or 0)
    out = []
    for (month, code), group in groups.items():
        out.append(
            {
                "month": month.strftime("%Y-%m") if month else "",
                "code": code,
                "name": names[(month, code)],
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
        )
    months_seen = sorted({r["month"] for r in out}, reverse=True)[:months]
    return [r for r in out if r["month"] in months_seen]
