"""办件流程智能监测: finds the cases that need a supervisor's eye, with the reason, and keeps the
per-item step norms (median, 90th and 95th percentile of each step's hours).

Run hourly (tasks.run_monitor). Reasons:
- slow_step: an open step has run longer than that item's 95th percentile for that step (and at
  least MIN_HOURS), over at least MIN_SAMPLES finished steps;
- corrections: the case had 补正 notices at least CORRECTIONS times;
- back_forth: the case's steps were returned (退回) at least RETURNS times;
- reviewer_rate: a reviewer's share of 退回 among their finished steps of the window differs from
  their department's share for the same step by more than RATE_GAP points (over at least
  MIN_SAMPLES steps); the findings are the open cases that reviewer handled, never the person;
- suspension: an open special procedure has lasted longer than that item's 95th percentile of
  suspension length (calendar days), or SUSPENSION_DAYS when the item has too few.
Findings that no longer hold are closed (open=False); nothing in another domain is changed."""

import datetime
import statistics
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tongban.applications.states import Status
from tongban.cases.models import CorrectionNotice, ReviewStep, Suspension
from tongban.supervision.models import Finding, StepNorm

WINDOW_DAYS = 180
MIN_SAMPLES = 5
MIN_HOURS = 4.0
CORRECTIONS = 2
RETURNS = 2
RATE_GAP = 30.0
SUSPENSION_DAYS = 30
OPEN = (Status.ACCEPTED, Status.CORRECTION, Status.SUBMITTED)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _hours(delta: datetime.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def compute_norms(now=None) -> int:
    now = now or timezone.now()
    since = now - datetime.timedelta(days=WINDOW_DAYS)
    durations: dict[tuple[int, str], list[float]] = defaultdict(list)
    rows = ReviewStep.objects.filter(finished_at__gte=since).values_list(
        "case__application__service_item_id", "name", "started_at", "finished_at"
    )
    for item, name, started, finished in rows.iterator(chunk_size=5000):
        durations[(item, name)].append(_hours(finished - started))
    norms = [
        StepNorm(
            service_item_id=item,
            step_name=name,
            samples=len(values),
            median_hours=round(statistics.median(values), 1),
            p90_hours=percentile(values, 0.9),
            p95_hours=percentile(values, 0.95),
        )
        for (item, name), values in durations.items()
    ]
    with transaction.atomic():
        StepNorm.objects.all().delete()
        StepNorm.objects.bulk_create(norms, batch_size=2000)
    return len(norms)


def _case_fields(prefix: str = "case__") -> list[str]:
    return [
        f"{prefix}application_id",
        f"{prefix}application__case_number",
        f"{prefix}application__public_id",
        f"{prefix}department_id",
        f"{prefix}department__region_id",
        f"{prefix}application__service_item_id",
    ]


def _finding(row: tuple, kind: str, reason: str, measure: float, norm: float | None) -> Finding:
    application_id, number, public_id, department, region, item = row
    return Finding(
        application_id=application_id,
        case_number=number,
        public_id=public_id,
        department_id=department,
        region_code=region,
        service_item_id=item,
        kind=kind,
        reason=reason[:300],
        measure=measure,
        norm=norm,
    )


def _slow_steps(now) -> list[Finding]:
    norms = {
        (n.service_item_id, n.step_name): n
        for n in StepNorm.objects.filter(samples__gte=MIN_SAMPLES)
    }
    found = []
    open_steps = ReviewStep.objects.filter(
        finished_at=None, case__application__status__in=OPEN
    ).values_list(*_case_fields(), "name", "started_at")
    for *case, name, started in open_steps.iterator(chunk_size=2000):
        norm = norms.get((case[5], name))
        if norm is None:
            continue
        hours = _hours(now - started)
        if hours > max(norm.p95_hours, MIN_HOURS):
            found.append(
                _finding(
                    case,
                    Finding.Kind.SLOW_STEP,
                    f"“{name}”环节已用 {hours} 小时，超过该事项此环节 95% 分位用时 {norm.p95_hours} 小时"
                    f"（中位数 {norm.median_hours} 小时）",
                    hours,
                    norm.p95_hours,
                )
            )
    return found


def _repeated(rows, at_least: int, kind: str, reason: str, norm: float) -> list[Finding]:
    """One finding per open case with at least `at_least` of `rows` (a queryset of the case's
    notices or steps); `reason` is formatted with the count `n`, `norm` is what is usual."""
    counted = (
        rows.filter(case__application__status__in=OPEN)
        .values(*_case_fields())
        .annotate(n=Count("pk"))
        .filter(n__gte=at_least)
    )
    return [
        _finding(
            tuple(r[f] for f in _case_fields()),
            kind,
            reason.format(n=r["n"]),
            r["n"],
            norm,
        )
        for r in counted
    ]


def _corrections() -> list[Finding]:
    return _repeated(
        CorrectionNotice.objects,
        CORRECTIONS,
        Finding.Kind.CORRECTIONS,
        "已发出 {n} 次补正告知（一次性告知要求一次讲清）",
        1,
    )


def _back_and_forth() -> list[Finding]:
    return _repeated(
        ReviewStep.objects.filter(action=ReviewStep.Action.RETURN),
        RETURNS,
        Finding.Kind.BACK_AND_FORTH,
        "办理环节之间已退回 {n} 次",
        RETURNS,
    )


def _reviewer_rates(now) -> list[Finding]:
    since = now - datetime.timedelta(days=WINDOW_DAYS)
    finished = ReviewStep.objects.filter(finished_at__gte=since).exclude(assignee=None)
    returned = Q(action=ReviewStep.Action.RETURN)
    department_rates = {
        (r["department_id"], r["name"]): 100 * r["r"] / r["n"]
        for r in finished.values("department_id", "name").annotate(
            n=Count("pk"), r=Count("pk", filter=returned)
        )
    }
    unusual = {}
    for r in finished.values("assignee_id", "department_id", "name").annotate(
        n=Count("pk"), r=Count("pk", filter=returned)
    ):
        if r["n"] < MIN_SAMPLES:
            continue
        mine = 100 * r["r"] / r["n"]
        usual = department_rates[(r["department_id"], r["name"])]
        if abs(mine - usual) > RATE_GAP:
            unusual[(r["assignee_id"], r["name"])] = (round(mine, 1), round(usual, 1))
    if not unusual:
        return []
    found = {}
    decided = finished.filter(
        case__application__status__in=OPEN, assignee_id__in={a for a, _ in unusual}
    ).values_list(*_case_fields(), "assignee_id", "name")
    for *case, assignee, name in decided:
        rates = unusual.get((assignee, name))
        if rates and case[0] not in found:
            mine, usual = rates
            found[case[0]] = _finding(
                case,
                Finding.Kind.REVIEWER_RATE,
                f"本件“{name}”环节的办理人近{WINDOW_DAYS}天退回率 {mine}%，本部门同环节为 {usual}%",
                mine,
                usual,
            )
    return list(found.values())


def _long_suspensions(now) -> list[Finding]:
    today = timezone.localdate(now)
    lengths: dict[int, list[int]] = defaultdict(list)
    for item, started, ended in (
        Suspension.objects.exclude(ended_on=None)
        .values_list("case__application__service_item_id", "started_on", "ended_on")
        .iterator(chunk_size=5000)
    ):
        lengths[item].append((ended - started).days)
    found = []
    for *case, kind, started in Suspension.objects.filter(ended_on=None).values_list(
        *_case_fields(), "kind", "started_on"
    ):
        usual = lengths.get(case[5], [])
        limit = percentile(usual, 0.95) if len(usual) >= MIN_SAMPLES else SUSPENSION_DAYS
        days = (today - started).days
        if days > limit:
            found.append(
                _finding(
                    case,
                    Finding.Kind.LONG_SUSPENSION,
                    f"特别程序（{Suspension.Kind(kind).label}）已暂停计时 {days} 天，"
                    f"该事项通常不超过 {limit} 天",
                    days,
                    limit,
                )
            )
    return found


def run(now=None) -> dict:
    now = now or timezone.now()
    compute_norms(now)
    fresh = [
        *_slow_steps(now),
        *_corrections(),
        *_back_and_forth(),
        *_reviewer_rates(now),
        *_long_suspensions(now),
    ]
    with transaction.atomic():
        keep = set()
        for finding in fresh:
            row, _ = Finding.objects.update_or_create(
                application_id=finding.application_id,
                kind=finding.kind,
                defaults={
                    f: getattr(finding, f)
                    for f in (
                        "case_number",
                        "public_id",
                        "department_id",
                        "region_code",
                        "service_item_id",
                        "reason",
                        "measure",
                        "norm",
                    )
                }
                | {"open": True},
            )
            keep.add(row.pk)
        closed = Finding.objects.filter(open=True).exclude(pk__in=keep).update(open=False)
    counts = defaultdict(int)
    for finding in fresh:
        counts[finding.kind] += 1
    return {"open": len(keep), "closed": closed, **counts}


def step_times(filters, limit: int = 200) -> list[dict]:
    """Per item and step: median and 90th percentile hours (the norms)."""
    norms = StepNorm.objects.select_related("service_item__basic_item").order_by(
        "service_item__basic_item__name", "step_name"
    )
    if filters.department:
        norms = norms.filter(service_item__department=filters.department)
    if filters.region:
        norms = norms.filter(
            service_item__department__region__code__startswith=filters.region_prefix
        )
    return [
        {
            "name": n.service_item.basic_item.name,
            "step": n.step_name,
            "samples": n.samples,
            "median": n.median_hours,
            "p90": n.p90_hours,
        }
        for n in norms[:limit]
        if n.samples >= MIN_SAMPLES
    ]
