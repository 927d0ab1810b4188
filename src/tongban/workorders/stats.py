"""Work-order statistics: counts by channel, category, department, region and day; 按时办结率,
回访满意率, 重办率; 按时回访率 and the callbacks waiting, due soon and overdue; and the hot-spot map of the grid, drawn as inline SVG on the server from the
GridCell rectangles (which come from the generated GeoJSON), so no tiles or scripts are needed."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Substr, TruncDate

from tongban.core.models import Region
from tongban.ratings.stats import Period  # the same date-range parsing as the rating figures
from tongban.workorders import geo
from tongban.workorders.codes import Channel, Satisfaction, Status, Warning
from tongban.workorders.models import GridCell, WorkOrder

MAP_WIDTH = 800
# Colours of the hot-spot scale, from no orders to the busiest cell (CSS classes in workorders.css).
HEAT_STEPS = 5

__all__ = ["Period", "figures", "hotspot_map"]


def pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def _grouped(orders, field: str, label_field: str | None = None) -> list[dict]:
    label_field = label_field or field
    rows = orders.values(field, label_field).annotate(total=Count("pk")).order_by("-total")
    return [
        {"key": r[field], "name": r[label_field] or "未分类", "total": r["total"]} for r in rows
    ]


def figures(period: Period) -> dict:
    orders = WorkOrder.objects.filter(period.filter())
    replied = orders.filter(replied_on_time__isnull=False)
    on_time = replied.filter(replied_on_time=True).count()
    rated = orders.exclude(satisfaction="")
    satisfied = rated.filter(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC)).count()
    channel_names = dict(Channel.choices)
    by_channel = _grouped(orders, "channel")
    for row in by_channel:
        row["name"] = channel_names.get(row["key"], row["key"])
    called_back = orders.filter(called_back_on_time__isnull=False)
    waiting = orders.filter(status=Status.REPLIED)
    return {
        "total": orders.count(),
        "callback_on_time_rate": pct(
            called_back.filter(called_back_on_time=True).count(), called_back.count()
        ),
        "callback_waiting": waiting.count(),
        "callback_yellow": waiting.filter(callback_warning=Warning.YELLOW).count(),
        "callback_overdue": waiting.filter(callback_warning=Warning.RED).count(),
        "on_time_rate": pct(on_time, replied.count()),
        "satisfaction_rate": pct(satisfied, rated.count()),
        "reopen_rate": pct(orders.filter(reopen_count__gt=0).count(), replied.count()),
        "by_channel": by_channel,
        "by_category": _grouped(orders, "category__parent__code", "category__parent__name"),
        "by_department": _grouped(orders, "department_id", "department__name"),
        "by_region": _by_county(orders),
        "by_day": [
            {"name": r["day"].isoformat(), "total": r["total"]}
            for r in orders.annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(total=Count("pk"))
            .order_by("day")
        ],
    }


def _by_county(orders) -> list[dict]:
    """Counties (区县): an order placed in a street's cell counts for the street's county."""
    rows = (
        orders.filter(region__isnull=False)
        .annotate(county=Substr("region_id", 1, 6))
        .values("county")
        .annotate(total=Count("pk"))
        .order_by("-total")
    )
    names = dict(
        Region.objects.filter(code__in=[r["county"] for r in rows]).values_list("code", "name")
    )
    return [
        {"key": r["county"], "name": names.get(r["county"], r["county"]), "total": r["total"]}
        for r in rows
    ]


@dataclass(frozen=True)
class Cell:
    code: str
    name: str
    x: float
    y: float
    width: float
    height: float
    total: int
    heat: int


def hotspot_map(period: Period) -> dict:
    """Every grid cell as an SVG rectangle, shaded by the number of orders placed in it."""
    lng_min, lat_min, lng_max, lat_max = geo.city_bounds()
    scale = MAP_WIDTH / (lng_max - lng_min)
    height = (lat_max - lat_min) * scale
    counts = dict(
        WorkOrder.objects.filter(period.filter(), grid_cell__isnull=False)
        .values_list("grid_cell_id")
        .annotate(total=Count("pk"))
    )
    busiest = max(counts.values(), default=0)
    cells = []
    for cell in GridCell.objects.only(
        "pk", "code", "name", "min_lng", "min_lat", "max_lng", "max_lat"
    ).order_by("code"):
        total = counts.get(cell.pk, 0)
        heat = 0 if not total else 1 + (total * (HEAT_STEPS - 1) - 1) // busiest
        cells.append(
            Cell(
                code=cell.code,
                name=cell.name,
                x=round((float(cell.min_lng) - lng_min) * scale, 2),
                y=round((lat_max - float(cell.max_lat)) * scale, 2),
                width=round(float(cell.max_lng - cell.min_lng) * scale, 2),
                height=round(float(cell.max_lat - cell.min_lat) * scale, 2),
                total=total,
                heat=heat,
            )
        )
    hottest = sorted((c for c in cells if c.total), key=lambda c: -c.total)[:10]
    return {"width": MAP_WIDTH, "height": round(height, 2), "cells": cells, "hottest": hottest}
