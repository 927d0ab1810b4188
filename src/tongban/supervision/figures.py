"""The dashboards' figures, one Section per chart: its table (the accessible fallback and the
Excel sheet) and how to draw it. Case figures sum MonthlyCaseFigure for the period's whole months and DailyCaseFigure for its partial
edge months (both kept by supervision.summary);
the other domains' figures reuse their own statistics modules over the period. No section carries
a person; counts below the threshold are suppressed (filters.suppress)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.catalog import statistics as catalog_statistics
from tongban.catalog.models import ServiceItem
from tongban.core.models import Department
from tongban.supervision import rating_summary, service_summary, summary
from tongban.supervision.filters import Filters, rate, suppress
from tongban.supervision.models import (
    DailyCaseFigure,
    DailyExchangeFigure,
    DailyHallFigure,
    DailyRatingFigure,
    DailyServiceFigure,
    MonthlyCaseFigure,
)

Source = DailyServiceFigure.Source


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (row key, column heading)
    rows: list[dict]
    chart: str = "bar"  # bar | pie | none
    category: str = "name"
    series: list[str] = field(default_factory=list)
    note: str = ""

    def chart_data(self) -> dict:
        labels = dict(self.columns)
        return {
            "type": self.chart,
            "title": self.title,
            "categories": [str(r.get(self.category, "")) for r in self.rows],
            "series": [
                {"name": labels[s], "data": [r.get(s) for r in self.rows]} for s in self.series
            ],
        }

    def table(self) -> list[list[tuple[str, str]]]:
        """The rows as (column heading, text shown) pairs: “<N” for a suppressed count, “—” for
        a figure that does not exist."""
        from tongban.supervision.filters import threshold

        hidden = f"<{threshold()}"
        return [
            [
                (
                    label,
                    hidden
                    if row.get(key) is None and key in self.series
                    else "—"
                    if row.get(key) is None
                    else str(row.get(key)),
                )
                for key, label in self.columns
            ]
            for row in self.rows
        ]


def _month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def split(start: datetime.date, end: datetime.date):
    """The whole months of [start, end] (first and last month's first day, or None) and the
    partial edge ranges left to the daily rows."""
    first = start if start.day == 1 else _month_after(start)
    after = _month_after(end)
    last_end = end if after - datetime.timedelta(days=1) == end else end.replace(day=1) - ONE_DAY
    if first > last_end:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - ONE_DAY))
    if last_end < end:
        edges.append((last_end + ONE_DAY, end))
    return (first, last_end.replace(day=1)), edges


ONE_DAY = datetime.timedelta(days=1)
COUNTED = (*summary.COUNTED, "overdue", "warned")
# by → (cut of MonthlyCaseFigure, DailyCaseFigure column grouped by)
GROUPINGS = {
    None: (MonthlyCaseFigure.Cut.DEPARTMENT, None),
    "department": (MonthlyCaseFigure.Cut.DEPARTMENT, "department_id"),
    "status": (MonthlyCaseFigure.Cut.STATUS, "status"),
    "channel": (MonthlyCaseFigure.Cut.CHANNEL, "channel"),
    "item": (MonthlyCaseFigure.Cut.ITEM, "service_item_id"),
}


def _scoped(rows, filters: Filters):
    if filters.department:
        rows = rows.filter(department=filters.department)
    if filters.region:
        rows = rows.filter(region_code__startswith=filters.region_prefix)
    return rows


def sums(filters: Filters, by: str | None = None) -> dict:
    """The case counts of the period summed per `by` (None: one total under the key None):
    whole months from MonthlyCaseFigure, the partial edge months from DailyCaseFigure. Equal to
    summing the daily rows of the whole period."""
    cut, column = GROUPINGS[by]
    months, edges = split(filters.start, filters.end)
    found: dict = {}

    def add(key, row):
        into = found.setdefault(key, dict.fromkeys(COUNTED, 0))
        for name in COUNTED:
            into[name] += row[f"sum_{name}"] or 0

    if months:
        rows = _scoped(
            MonthlyCaseFigure.objects.filter(cut=cut, month__gte=months[0], month__lte=months[1]),
            filters,
        )
        month_sums = {f"sum_{name}": Sum(name) for name in COUNTED}
        if column is None:
            add(None, rows.aggregate(**month_sums))
        else:
            key = "department_id" if by == "department" else "value"
            for r in rows.values(key).annotate(**month_sums).order_by():
                add(int(r[key]) if by == "item" else r[key], r)
    if edges:
        within = Q()
        for first, last in edges:
            within |= Q(day__gte=first, day__lte=last)
        rows = _scoped(DailyCaseFigure.objects.filter(within), filters)
        if column is None:
            add(None, rows.aggregate(**summary.DAILY_SUMS))
        else:
            for r in rows.values(column).annotate(**summary.DAILY_SUMS).order_by():
                add(r[column], r)
    if column is None and None not in found:
        found[None] = dict.fromkeys(COUNTED, 0)
    return found


def _total(filters: Filters) -> dict:
    return sums(filters)[None]


def overview(filters: Filters) -> dict:
    t = _total(filters)
    online = t["full_online"]
    return {
        "cases": suppress(t["cases"]),
        "completed": suppress(t["completed"]),
        "on_time_rate": rate(t["on_time"], t["completed"]),
        "overdue": suppress(t["overdue"]),
        "warned": suppress(t["warned"]),
        "full_online_rate": rate(online, t["cases"]),
        "time_used": rate(t["used_days"], t["promised_days"]),
        "instant": suppress(t["instant_approved"]),
    }


def cases_by_status(filters: Filters) -> Section:
    labels = dict(Status.choices)
    rows = [
        {"name": str(labels.get(status, status)), "cases": suppress(r["cases"])}
        for status, r in sorted(
            sums(filters, "status").items(), key=lambda kv: (-kv[1]["cases"], kv[0])
        )
    ]
    return Section(
        "status",
        _("办件状态分布"),
        [("name", _("状态")), ("cases", _("办件数"))],
        rows,
        "pie",
        series=["cases"],
    )


def cases_by_channel(filters: Filters) -> Section:
    labels = dict(Application.Channel.choices)
    rows = [
        {"name": str(labels.get(channel, channel)), "cases": suppress(r["cases"])}
        for channel, r in sorted(
            sums(filters, "channel").items(), key=lambda kv: (-kv[1]["cases"], kv[0])
        )
    ]
    return Section(
        "channel",
        _("办件申报渠道"),
        [("name", _("渠道")), ("cases", _("办件数"))],
        rows,
        series=["cases"],
    )


def online_service(filters: Filters) -> Section:
    """网上可办率, 最多跑一次率, 零跑动率 over the published catalogue (catalog.statistics);
    全程网办率 over the period's cases."""
    items = catalog_statistics.compute(department=filters.department, region=filters.region)[
        "total"
    ]
    t = _total(filters)
    rows = [
        {
            "name": _("网上可办率"),
            "part": items.online,
            "whole": items.items,
            "rate": items.online_rate,
        },
        {
            "name": _("最多跑一次率"),
            "part": items.at_most_once,
            "whole": items.items,
            "rate": items.at_most_once_rate,
        },
        {
            "name": _("零跑动率"),
            "part": items.zero_visit,
            "whole": items.items,
            "rate": items.zero_visit_rate,
        },
        {
            "name": _("全程网办率"),
            "part": suppress(t["full_online"]),
            "whole": suppress(t["cases"]),
            "rate": rate(t["full_online"], t["cases"]),
        },
    ]
    return Section(
        "online",
        _("网上可办率、全程网办率、最多跑一次、零跑动（%）"),
        [("name", _("指标")), ("part", _("分子")), ("whole", _("分母")), ("rate", _("比率（%）"))],
        rows,
        series=["rate"],
        note=_("前三项按已发布事项计算，全程网办率按期间内的办件计算。"),
    )


def timeliness(filters: Filters) -> Section:
    rows = []
    names = dict(Department.objects.values_list("pk", "name"))
    for department_id, r in sorted(sums(filters, "department").items()):
        rows.append(
            {
                "name": names.get(department_id, ""),
                "cases": suppress(r["cases"]),
                "completed": suppress(r["completed"]),
                "on_time_rate": rate(r["on_time"], r["completed"]),
                "overdue": suppress(r["overdue"]),
                "warned": suppress(r["warned"]),
                "ever_warned": suppress(r["ever_warned"]),
                "supervised": suppress(r["supervised"]),
            }
        )
    return Section(
        "timeliness",
        _("按时办结率、超期与预警（按部门）"),
        [
            ("name", _("部门")),
            ("cases", _("办件数")),
            ("completed", _("办结数")),
            ("on_time_rate", _("按时办结率（%）")),
            ("overdue", _("当前超期")),
            ("warned", _("当前黄色预警")),
            ("ever_warned", _("曾预警")),
            ("supervised", _("已督办")),
        ],
        rows,
        series=["on_time_rate"],
    )


def item_times(filters: Filters, limit: int = 30) -> Section:
    grouped = sorted(
        (
            {"service_item_id": item, **r}
            for item, r in sums(filters, "item").items()
            if r["completed"]
        ),
        key=lambda r: (-r["completed"], r["service_item_id"]),
    )[:limit]
    names = dict(
        ServiceItem.objects.filter(pk__in=[r["service_item_id"] for r in grouped]).values_list(
            "pk", "basic_item__name"
        )
    )
    rows = []
    for r in grouped:
        ok = suppress(r["completed"]) is not None and r["promised_days"]
        counted = r["completed"]
        rows.append(
            {
                "name": names.get(r["service_item_id"], ""),
                "completed": suppress(r["completed"]),
                "average_days": round(r["used_days"] / counted, 1) if ok else None,
                "promised_days": round(r["promised_days"] / counted, 1) if ok else None,
                "share_used": rate(r["used_days"], r["promised_days"]) if ok else None,
            }
        )
    return Section(
        "items",
        _("事项平均用时与承诺时限（工作日）"),
        [
            ("name", _("事项")),
            ("completed", _("办结数")),
            ("average_days", _("平均用时")),
            ("promised_days", _("平均承诺时限")),
            ("share_used", _("承诺时限使用比例（%）")),
        ],
        rows,
        series=["average_days", "promised_days"],
    )


def instant_approvals(filters: Filters) -> Section:
    names = dict(Department.objects.values_list("pk", "name"))
    rows = []
    for department_id, r in sorted(sums(filters, "department").items()):
        if not r["instant_approved"]:
            continue
        rows.append(
            {
                "name": names.get(department_id, ""),
                "approved": suppress(r["instant_approved"]),
                "checked": suppress(r["spot_checked"]),
                "revoked": suppress(r["spot_revoked"]),
                "revoke_rate": rate(r["spot_revoked"], r["spot_checked"]),
            }
        )
    return Section(
        "instant",
        _("智能秒批与事后抽查"),
        [
            ("name", _("部门")),
            ("approved", _("秒批办件")),
            ("checked", _("已抽查")),
            ("revoked", _("抽查发现问题")),
            ("revoke_rate", _("问题率（%）")),
        ],
        rows,
        series=["approved", "checked"],
    )


def ratings(filters: Filters) -> Section:
    """好差评 per department from DailyRatingFigure (supervision.rating_summary)."""
    found = DailyRatingFigure.objects.filter(day__gte=filters.start, day__lte=filters.end)
    if filters.department:
        found = found.filter(department=filters.department)
    if filters.region:
        found = found.filter(department__region__code__startswith=filters.region_prefix)
    grouped = (
        found.values("department_id", "department__name")
        .annotate(**{f"sum_{name}": Sum(name) for name in rating_summary.COUNTS})
        .order_by("-sum_total", "department__name")
    )
    rows = []
    for r in grouped:
        total, bad = suppress(r["sum_total"]), suppress(r["sum_bad"])
        rows.append(
            {
                "name": r["department__name"],
                "total": total,
                "good_rate": rate(r["sum_good"], r["sum_total"]) if total is not None else None,
                "bad": bad,
                "rectify_rate": rate(r["sum_rectified"], r["sum_bad"]) if bad is not None else None,
                "callback_rate": rate(r["sum_called_back"], r["sum_real_name_bad"])
                if bad is not None
                else None,
            }
        )
    return Section(
        "ratings",
        _("好差评（好评率、差评整改率、回访率）"),
        [
            ("name", _("部门")),
            ("total", _("评价数")),
            ("good_rate", _("好评率（%）")),
            ("bad", _("差评数")),
            ("rectify_rate", _("差评整改率（%）")),
            ("callback_rate", _("实名差评回访率（%）")),
        ],
        rows,
        series=["good_rate"],
    )


def bundles(filters: Filters) -> Section:
    """Per bundle from DailyServiceFigure (supervision.service_summary)."""
    merged: dict[str, dict] = {}
    for r in service_summary.rows(Source.BUNDLES, filters.start, filters.end):
        row = merged.setdefault(
            r["key"],
            {
                "name": r["name"],
                "applied": 0,
                "completed": 0,
                "visits_saved": 0,
                "materials_saved": 0,
            },
        )
        for key in ("applied", "completed", "visits_saved", "materials_saved"):
            row[key] += r["counts"].get(key, 0)
    rows = [
        {**row, "applied": suppress(row["applied"]), "completed": suppress(row["completed"])}
        for row in merged.values()
    ]
    return Section(
        "bundles",
        _("高效办成一件事"),
        [
            ("name", _("一件事")),
            ("applied", _("申请数")),
            ("completed", _("办结数")),
            ("materials_saved", _("减少材料（份）")),
            ("visits_saved", _("减少跑动（次）")),
        ],
        rows,
        series=["applied", "completed"],
        note=_("一件事跨部门办理，按全市统计。"),
    )


def exchange(filters: Filters) -> Section:
    """数据共享 per resource from DailyExchangeFigure (supervision.exchange_summary)."""
    merged: dict[str, dict] = defaultdict(
        lambda: {"calls": 0, "denied": 0, "failed": 0, "latencies": []}
    )
    found = DailyExchangeFigure.objects.filter(day__gte=filters.start, day__lte=filters.end)
    for r in found.values("resource_code", "calls", "denied", "failed", "p95_ms"):
        row = merged[r["resource_code"]]
        row["calls"] += r["calls"]
        row["denied"] += r["denied"]
        row["failed"] += r["failed"]
        row["latencies"].append(r["p95_ms"])
    rows = [
        {
            "name": resource,
            "calls": suppress(row["calls"]),
            "denied": suppress(row["denied"]),
            "deny_rate": rate(row["denied"], row["calls"]),
            "p95_ms": max(row["latencies"]) if row["latencies"] else None,
        }
        for resource, row in sorted(merged.items())
    ]
    return Section(
        "exchange",
        _("数据共享调用（次数、拒绝、时延）"),
        [
            ("name", _("数据资源")),
            ("calls", _("调用次数")),
            ("denied", _("拒绝次数")),
            ("deny_rate", _("拒绝率（%）")),
            ("p95_ms", _("日最高 P95 时延（毫秒）")),
        ],
        rows,
        series=["calls", "denied"],
        note=_("共享调用跨部门发生，按全市统计。"),
    )


def workorders(filters: Filters) -> Section:
    """Per department from DailyServiceFigure (supervision.service_summary): orders registered
    in the period, 按时办结率 over those replied, 回访满意率 over those rated, hot categories."""
    departments: dict[int, dict] = {}
    categories: dict[str, dict] = {}
    totals = defaultdict(int)
    for r in service_summary.rows(
        Source.WORKORDERS, filters.start, filters.end, filters.department
    ):
        counts = r["counts"]
        row = departments.setdefault(
            r["department_id"], {"name": r["department__name"] or _("未分派"), "total": 0}
        )
        row["total"] += counts["total"]
        category = categories.setdefault(r["key"], {"name": r["name"] or _("未分类"), "total": 0})
        category["total"] += counts["total"]
        for key, value in counts.items():
            totals[key] += value
    rows = [
        {"name": row["name"], "total": suppress(row["total"])}
        for row in sorted(departments.values(), key=lambda row: -row["total"])
    ]
    result = {
        "on_time_rate": rate(totals["on_time"], totals["replied"]),
        "satisfaction_rate": rate(totals["satisfied"], totals["rated"]),
        "by_category": sorted(categories.values(), key=lambda row: -row["total"]),
    }

    def shown(rate):
        return "—" if rate is None else rate

    note = _("按时办结率 {on_time}%，回访满意率 {satisfaction}%；热点分类：{hot}").format(
        on_time=shown(result["on_time_rate"]),
        satisfaction=shown(result["satisfaction_rate"]),
        hot=_("、").join(str(r["name"]) for r in result["by_category"][:5]),
    )
    return Section(
        "workorders",
        _("12345 工单（按部门）"),
        [("name", _("承办部门")), ("total", _("工单数"))],
        rows,
        series=["total"],
        note=note,
    )


def halls(filters: Filters) -> Section:
    """Per hall from DailyHallFigure (supervision.hall_summary): tickets of the period and the
    average waiting and service minutes."""
    from tongban.core.models import ServiceHall
    from tongban.supervision.hall_summary import average

    found = ServiceHall.objects.all()
    if filters.region:
        found = found.filter(region__code__startswith=filters.region_prefix)
    chosen = list(found.order_by("name").values_list("pk", "name")[:50])
    summed: dict[int, dict] = {}
    for r in DailyHallFigure.objects.filter(
        day__gte=filters.start, day__lte=filters.end, hall_id__in=[pk for pk, _name in chosen]
    ).values("hall_id", "tickets", "waiting_sum", "waiting_count", "service_sum", "service_count"):
        into = summed.setdefault(r["hall_id"], defaultdict(list))
        for key, value in r.items():
            into[key].append(value)
    rows = []
    for pk, name in chosen:
        r = summed.get(pk)
        if not r or not sum(r["tickets"]):
            continue
        rows.append(
            {
                "name": name,
                "tickets": suppress(sum(r["tickets"])),
                "waiting": average(r["waiting_sum"], sum(r["waiting_count"])),
                "service": average(r["service_sum"], sum(r["service_count"])),
            }
        )
    return Section(
        "halls",
        _("政务大厅等候与办理时间（分钟）"),
        [
            ("name", _("大厅")),
            ("tickets", _("取号数")),
            ("waiting", _("平均等候")),
            ("service", _("平均办理")),
        ],
        rows,
        series=["waiting", "service"],
    )


def policies(filters: Filters) -> Section:
    """Per policy from DailyServiceFigure (supervision.service_summary): subjects matched in the
    period, lines paid and their amount from the batches made in the period."""
    merged: dict[str, dict] = {}
    for r in service_summary.rows(Source.POLICIES, filters.start, filters.end, filters.department):
        row = merged.setdefault(r["key"], {"name": r["name"], "matched": 0, "paid": 0, "amount": 0})
        row["matched"] += r["counts"]["matched"]
        row["paid"] += r["counts"]["paid"]
        row["amount"] += Decimal(r["counts"]["amount"])
    rows = [
        {
            "name": row["name"],
            "matched": suppress(row["matched"]),
            "paid": suppress(row["paid"]),
            "amount": float(row["amount"]) if row["amount"] and suppress(row["paid"]) else None,
        }
        for row in sorted(merged.values(), key=lambda row: row["name"])
    ]
    return Section(
        "policies",
        _("免申即享政策（匹配与兑现）"),
        [
            ("name", _("政策")),
            ("matched", _("匹配数")),
            ("paid", _("已发放笔数")),
            ("amount", _("已发放金额（元）")),
        ],
        rows,
        series=["matched", "paid"],
    )


SECTIONS = {
    "status": cases_by_status,
    "channel": cases_by_channel,
    "online": online_service,
    "timeliness": timeliness,
    "items": item_times,
    "ratings": ratings,
    "bundles": bundles,
    "instant": instant_approvals,
    "exchange": exchange,
    "workorders": workorders,
    "halls": halls,
    "policies": policies,
}
# Cross-department by nature: shown to supervisors and leaders only.
CITY_ONLY = frozenset({"bundles", "exchange"})


def sections_for(filters: Filters, cross: bool) -> list[Section]:
    return [f(filters) for key, f in SECTIONS.items() if cross or key not in CITY_ONLY]
