"""The incremental fold: keeps CaseFact and DailyCaseFigure up to date without scanning cases.

Every source it reads is append-only or has a monotonic column, so a watermark per source says how
far it has read: status changes, warnings, 督办 notices, 补正 notices and special procedures by id;
finished review steps and 事后抽查 by time. Each fold takes what is new since the watermark, turns it
into the set of applications touched, rebuilds those applications' CaseFact rows and then the
DailyCaseFigure rows of each (received day, department) they fall in, old and new. Folding twice
gives the same rows; folding from scratch (`rebuild`) gives the same rows as folding in steps.

Also run for one application right after 受理, 补正, 特别程序结束 and 办结 (domain events), so the figures people
watch most move within the second."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from tongban.applications.models import Application, StatusChange, TimelineEvent
from tongban.cases.models import (
    Case,
    CorrectionNotice,
    InstantDecision,
    ReviewStep,
    SupervisionNotice,
    Suspension,
    WarningEvent,
)
from tongban.supervision import exchange_summary, hall_summary, rating_summary, service_summary
from tongban.supervision.models import (
    CaseFact,
    DailyCaseFigure,
    DailyExchangeFigure,
    DailyHallFigure,
    DailyRatingFigure,
    DailyServiceFigure,
    MonthlyCaseFigure,
    Watermark,
)

BATCH = 2000
# Rows read from one source per pass; a fold makes as many passes as it needs to catch up.
PAGE = 50_000
ONLINE_CHANNELS = (Application.Channel.PC, Application.Channel.MOBILE, Application.Channel.API)

# source → (queryset of new rows, column that is watermarked, column naming the application)
ID_SOURCES = {
    "status_change": (StatusChange.objects, "application_id"),
    "warning": (WarningEvent.objects, "case__application_id"),
    "supervision": (SupervisionNotice.objects, "case__application_id"),
    "correction": (CorrectionNotice.objects, "case__application_id"),
    "suspension": (Suspension.objects, "case__application_id"),
    # Every change of a case's clock that updates a row in place (特别程序结束, a recount after a
    # calendar correction, 延长) also writes a timeline entry: that is how the fold sees it.
    "timeline": (TimelineEvent.objects, "application_id"),
}
TIME_SOURCES = {
    "step_finished": (ReviewStep.objects, "finished_at", "case__application_id"),
    "spot_check": (InstantDecision.objects, "checked_at", "application_id"),
}


def _touched_since_watermarks() -> tuple[set[int], list, bool]:
    """The applications touched since the watermarks, the watermark moves, and whether a source
    had more rows than one page (then another pass is needed)."""
    touched: set[int] = set()
    moves = []
    more = False
    for source, (manager, app_field) in ID_SOURCES.items():
        mark, _ = Watermark.objects.get_or_create(source=source)
        rows = list(
            manager.filter(pk__gt=mark.last_id).order_by("pk").values_list("pk", app_field)[:PAGE]
        )
        if rows:
            touched.update(app for _, app in rows)
            moves.append((mark, rows[-1][0], None))
            more = more or len(rows) == PAGE
    now = timezone.now()
    for source, (manager, field, app_field) in TIME_SOURCES.items():
        mark, _ = Watermark.objects.get_or_create(source=source)
        since = mark.last_at or datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
        # rows stamped up to now; a row stamped in this very instant is caught next time
        apps = manager.filter(**{f"{field}__gt": since, f"{field}__lte": now}).values_list(
            app_field, flat=True
        )
        touched.update(apps)
        moves.append((mark, None, now))
    return touched, moves, more


def fold() -> int:
    """Fold everything new since the watermarks, in passes of at most PAGE rows per source until
    caught up; returns how many applications were refreshed (one counted once)."""
    refreshed: set[int] = set()
    more = True
    while more:
        touched, moves, more = _touched_since_watermarks()
        ids = sorted(touched)
        months: set[tuple[datetime.date, int]] = set()
        for start in range(0, len(ids), BATCH):
            months |= _refresh_days(ids[start : start + BATCH])
        # The monthly roll-up once per pass (a month is summed again once, not once per batch);
        # the watermarks move only after it, so a pass cut short is folded again whole.
        roll_up(months)
        for mark, last_id, last_at in moves:
            if last_id is not None:
                mark.last_id = last_id
            if last_at is not None:
                mark.last_at = last_at
            mark.save()
        refreshed.update(ids)
    rating_summary.fold()
    exchange_summary.fold()
    hall_summary.fold()
    service_summary.fold()
    return len(refreshed)


def rebuild() -> int:
    """Forget everything and fold from the beginning (after a restore, or to check the fold)."""
    with transaction.atomic():
        CaseFact.objects.all().delete()
        DailyCaseFigure.objects.all().delete()
        MonthlyCaseFigure.objects.all().delete()
        DailyRatingFigure.objects.all().delete()
        DailyExchangeFigure.objects.all().delete()
        DailyHallFigure.objects.all().delete()
        DailyServiceFigure.objects.all().delete()
        Watermark.objects.all().delete()
    return fold()


def on_case_event(payload) -> None:
    refresh([payload.application_id])


def on_suspension_ended(payload) -> None:
    """特别程序结束: the time used and the suspended days count the procedure at once, and a
    “suspended too long” finding of the case closes without waiting for the hourly monitor."""
    from tongban.supervision.models import Finding

    refresh([payload.application_id])
    Finding.objects.filter(
        application_id=payload.application_id, kind=Finding.Kind.LONG_SUSPENSION, open=True
    ).update(open=False)


def _counts(model, ids, field="case__application_id") -> dict[int, int]:
    return dict(
        model.objects.filter(**{f"{field}__in": ids})
        .values_list(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )


def _facts(ids: list[int]) -> list[CaseFact]:
    applications = (
        Application.objects.filter(pk__in=ids, submitted_at__isnull=False)
        .exclude(case_number=None)
        .values(
            "pk",
            "case_number",
            "status",
            "channel",
            "submitted_at",
            "service_item_id",
            "service_item__department_id",
            "service_item__department__region_id",
            "item_version__is_online",
            "item_version__max_visits",
        )
    )
    cases = {
        row["application_id"]: row
        for row in Case.objects.filter(application_id__in=ids).values(
            "application_id",
            "department_id",
            "department__region_id",
            "accepted_on",
            "completed_at",
            "effective_due_date",
            "promised_limit_days",
            "working_days_used",
            "warning",
        )
    }
    corrections = _counts(CorrectionNotice, ids)
    supervised = _counts(SupervisionNotice, ids)
    warned = _counts(WarningEvent, ids)
    suspended = dict(
        Suspension.objects.filter(case__application_id__in=ids)
        .values_list("case__application_id")
        .annotate(days=Sum("working_days"))
        .values_list("case__application_id", "days")
    )
    instant = {
        row[0]: row[1:]
        for row in InstantDecision.objects.filter(application_id__in=ids).values_list(
            "application_id", "outcome", "spot_check"
        )
    }
    tz = timezone.get_current_timezone()
    facts = []
    for row in applications:
        pk = row["pk"]
        case = cases.get(pk, {})
        completed_at = case.get("completed_at")
        completed_on = timezone.localtime(completed_at, tz).date() if completed_at else None
        due = case.get("effective_due_date")
        outcome, check = instant.get(pk, ("", ""))
        facts.append(
            CaseFact(
                application_id=pk,
                case_number=row["case_number"],
                department_id=case.get("department_id") or row["service_item__department_id"],
                region_code=case.get("department__region_id")
                or row["service_item__department__region_id"],
                service_item_id=row["service_item_id"],
                channel=row["channel"],
                status=row["status"],
                received_on=timezone.localtime(row["submitted_at"], tz).date(),
                accepted_on=case.get("accepted_on"),
                completed_on=completed_on,
                promised_days=case.get("promised_limit_days"),
                used_days=case.get("working_days_used"),
                on_time=(completed_on <= due) if completed_on and due else None,
                warning=case.get("warning") or "",
                ever_warned=bool(warned.get(pk)),
                supervised=bool(supervised.get(pk)),
                corrections=corrections.get(pk, 0),
                suspended_days=suspended.get(pk) or 0,
                online_item=bool(row["item_version__is_online"]),
                max_visits=row["item_version__max_visits"] or 0,
                instant=outcome,
                spot_check=check,
            )
        )
    return facts


@transaction.atomic
def refresh(ids: list[int]) -> None:
    """Rebuild the CaseFact rows of `ids` and the daily and monthly figures they count in."""
    roll_up(_refresh_days(ids))


@transaction.atomic
def _refresh_days(ids: list[int]) -> set[tuple[datetime.date, int]]:
    """Rebuild the CaseFact rows of `ids` and their daily figures; returns the (month,
    department) pairs whose monthly roll-up is now out of date."""
    old_keys = set(
        CaseFact.objects.filter(application_id__in=ids).values_list("received_on", "department_id")
    )
    facts = _facts(ids)
    CaseFact.objects.filter(application_id__in=ids).delete()
    CaseFact.objects.bulk_create(facts)
    keys = old_keys | {(f.received_on, f.department_id) for f in facts}
    _rebuild_days(keys)
    return {(day.replace(day=1), department) for day, department in keys}


DIMENSIONS = ("region_code", "service_item_id", "channel", "status", "warning")


def _rebuild_days(keys: set[tuple[datetime.date, int]]) -> None:
    by_day: dict[datetime.date, set[int]] = defaultdict(set)
    for day, department in keys:
        by_day[day].add(department)
    for day, departments in by_day.items():
        DailyCaseFigure.objects.filter(day=day, department_id__in=departments).delete()
        groups: dict[tuple, DailyCaseFigure] = {}
        rows = CaseFact.objects.filter(received_on=day, department_id__in=departments).values(
            "department_id",
            *DIMENSIONS,
            "accepted_on",
            "completed_on",
            "on_time",
            "ever_warned",
            "supervised",
            "used_days",
            "promised_days",
            "max_visits",
            "instant",
            "spot_check",
        )
        for fact in rows.iterator(chunk_size=BATCH):
            key = (fact["department_id"], *(fact[d] for d in DIMENSIONS))
            figure = groups.get(key)
            if figure is None:
                figure = groups[key] = DailyCaseFigure(
                    day=day,
                    department_id=fact["department_id"],
                    **{d: fact[d] for d in DIMENSIONS},
                )
            figure.cases += 1
            figure.accepted += fact["accepted_on"] is not None
            if fact["completed_on"] is not None:
                figure.completed += 1
                figure.on_time += bool(fact["on_time"])
                if fact["used_days"] is not None and fact["promised_days"]:
                    figure.used_days += fact["used_days"]
                    figure.promised_days += fact["promised_days"]
            figure.ever_warned += fact["ever_warned"]
            figure.supervised += fact["supervised"]
            figure.full_online += fact["channel"] in ONLINE_CHANNELS and fact["max_visits"] == 0
            figure.instant_approved += fact["instant"] == InstantDecision.Outcome.APPROVED
            figure.spot_checked += fact["spot_check"] in (
                InstantDecision.Check.CONFIRMED,
                InstantDecision.Check.REVOKED,
            )
            figure.spot_revoked += fact["spot_check"] == InstantDecision.Check.REVOKED
        DailyCaseFigure.objects.bulk_create(groups.values(), batch_size=BATCH)


# cut → the DailyCaseFigure column kept in MonthlyCaseFigure.value (None: the department alone)
CUTS = {
    MonthlyCaseFigure.Cut.DEPARTMENT: None,
    MonthlyCaseFigure.Cut.STATUS: "status",
    MonthlyCaseFigure.Cut.CHANNEL: "channel",
    MonthlyCaseFigure.Cut.ITEM: "service_item_id",
}
COUNTED = (
    "cases",
    "accepted",
    "completed",
    "on_time",
    "ever_warned",
    "supervised",
    "used_days",
    "promised_days",
    "full_online",
    "instant_approved",
    "spot_checked",
    "spot_revoked",
)
# Aliases differ from the column names: an aggregate named like a column would shadow it.
DAILY_SUMS = {f"sum_{name}": Sum(name) for name in COUNTED} | {
    "sum_overdue": Sum("cases", filter=Q(warning="red")),
    "sum_warned": Sum("cases", filter=Q(warning="yellow")),
}


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


@transaction.atomic
def roll_up(keys: set[tuple[datetime.date, int]]) -> None:
    """Sum the daily figures of each (month, department) in `keys` again into MonthlyCaseFigure,
    one set of rows per cut."""
    by_month: dict[datetime.date, set[int]] = defaultdict(set)
    for month, department in keys:
        by_month[month].add(department)
    for month, departments in sorted(by_month.items()):
        departments = sorted(departments)
        for start in range(0, len(departments), 500):
            _roll_up_month(month, departments[start : start + 500])


def _roll_up_month(month: datetime.date, departments: list[int]) -> None:
    MonthlyCaseFigure.objects.filter(month=month, department_id__in=departments).delete()
    days = DailyCaseFigure.objects.filter(
        day__gte=month, day__lte=_month_end(month), department_id__in=departments
    )
    rows = []
    for cut, column in CUTS.items():
        grouped = days.values("department_id", "region_code", *([column] if column else []))
        for r in grouped.annotate(**DAILY_SUMS).order_by():
            rows.append(
                MonthlyCaseFigure(
                    cut=cut,
                    month=month,
                    department_id=r["department_id"],
                    region_code=r["region_code"],
                    value=str(r[column]) if column else "",
                    **{name: r[f"sum_{name}"] or 0 for name in (*COUNTED, "overdue", "warned")},
                )
            )
    MonthlyCaseFigure.objects.bulk_create(rows, batch_size=BATCH)


def last_folded_at():
    return Watermark.objects.aggregate(at=Max("folded_at"))["at"]
