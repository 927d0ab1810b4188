"""The monthly roll-up (MonthlyCaseFigure): a period's figures summed from whole months plus the
daily edges equal the figures summed from the daily rows alone, and from the cases themselves."""

import datetime
import random
from collections import Counter

import pytest

from tongban.cases import actions
from tongban.core import testdata
from tongban.core.models import Department, Region
from tongban.supervision import figures, summary
from tongban.supervision.filters import Filters
from tongban.supervision.models import CaseFact, DailyCaseFigure, MonthlyCaseFigure
from tongban.supervision.tests.conftest import D, accepted, approve_all, at
from tongban.testing.catalog import complete_item

pytestmark = pytest.mark.django_db
COUNTS = summary.COUNTED


def test_split_keeps_whole_months_for_the_roll_up_and_edges_for_the_days():
    assert figures.split(D(2026, 3, 1), D(2026, 5, 31)) == ((D(2026, 3, 1), D(2026, 5, 1)), [])
    assert figures.split(D(2025, 12, 5), D(2026, 12, 4)) == (
        (D(2026, 1, 1), D(2026, 11, 1)),
        [(D(2025, 12, 5), D(2025, 12, 31)), (D(2026, 12, 1), D(2026, 12, 4))],
    )
    # Leap February whole; a period inside one month, or across two partial ones, is all days.
    assert figures.split(D(2028, 2, 1), D(2028, 2, 29)) == ((D(2028, 2, 1), D(2028, 2, 1)), [])
    assert figures.split(D(2026, 2, 3), D(2026, 2, 27)) == (None, [(D(2026, 2, 3), D(2026, 2, 27))])
    assert figures.split(D(2026, 1, 20), D(2026, 2, 10)) == (
        None,
        [(D(2026, 1, 20), D(2026, 2, 10))],
    )
    assert figures.split(D(2026, 7, 1), D(2026, 7, 1)) == (None, [(D(2026, 7, 1), D(2026, 7, 1))])


@pytest.fixture
def county_department(region_city):
    county = Region.objects.get(code="411002")
    return Department.objects.create(
        name="魏都区民政局",
        short_name="区民政局",
        uscc=testdata.credit_code("11", "411002", 3),
        region=county,
        level=Department.ExerciseLevel.COUNTY,
    )


def _random_days(rng, departments, items):
    """Daily figures over fourteen months, as the fold would leave them (any mix of counts)."""
    rows = []
    day = D(2025, 11, 1)
    while day <= D(2026, 12, 31):
        for department in departments:
            for _ in range(rng.randrange(0, 4)):
                cases = rng.randrange(1, 9)
                completed = rng.randrange(0, cases + 1)
                rows.append(
                    DailyCaseFigure(
                        day=day,
                        department=department,
                        region_code=department.region_id,
                        service_item=rng.choice(items),
                        channel=rng.choice(["pc", "mobile", "window"]),
                        status=rng.choice(["submitted", "accepted", "completed", "rejected"]),
                        warning=rng.choice(["", "", "yellow", "red"]),
                        cases=cases,
                        accepted=rng.randrange(0, cases + 1),
                        completed=completed,
                        on_time=rng.randrange(0, completed + 1),
                        ever_warned=rng.randrange(0, cases + 1),
                        supervised=rng.randrange(0, 2),
                        used_days=completed * rng.randrange(0, 9),
                        promised_days=completed * 5,
                        full_online=rng.randrange(0, cases + 1),
                        instant_approved=rng.randrange(0, 2),
                        spot_checked=rng.randrange(0, 2),
                        spot_revoked=rng.randrange(0, 2),
                    )
                )
        day += datetime.timedelta(days=rng.choice([1, 1, 2, 3]))
    DailyCaseFigure.objects.bulk_create(rows)
    summary.roll_up({(r.day.replace(day=1), r.department_id) for r in rows})


KEYS = {
    "department": "department_id",
    "status": "status",
    "channel": "channel",
    "item": "service_item_id",
}


def _from_days(filters: Filters, by):
    """The reference: every daily row of the period, summed in Python."""
    found: dict = {}
    for row in DailyCaseFigure.objects.filter(day__gte=filters.start, day__lte=filters.end):
        if filters.department and row.department_id != filters.department.pk:
            continue
        if filters.region and not row.region_code.startswith(filters.region_prefix):
            continue
        into = found.setdefault(getattr(row, KEYS[by]) if by else None, Counter())
        for name in COUNTS:
            into[name] += getattr(row, name)
        into["overdue"] += row.cases if row.warning == "red" else 0
        into["warned"] += row.cases if row.warning == "yellow" else 0
    return {key: {n: c[n] for n in (*COUNTS, "overdue", "warned")} for key, c in found.items()}


def _shown(filters: Filters):
    return [
        figures.overview(filters),
        *(
            (s.rows, s.note)
            for s in (
                figures.cases_by_status(filters),
                figures.cases_by_channel(filters),
                figures.online_service(filters),
                figures.timeliness(filters),
                figures.item_times(filters),
                figures.instant_approvals(filters),
            )
        ),
    ]


def test_roll_up_gives_the_daily_figures_for_random_periods_and_filters(
    department, other_department, county_department, promise_item, region_city, monkeypatch
):
    other_item, _draft = complete_item(other_department, code="010101003000", name="另一事项")
    rng = random.Random(27)
    _random_days(rng, [department, other_department, county_department], [promise_item, other_item])
    assert MonthlyCaseFigure.objects.filter(cut="department").count() == 14 * 3
    county = Region.objects.get(code="411002")
    scopes = [
        {},
        {"department": department},
        {"department": county_department},
        {"region": county},
        {"region": region_city},
    ]
    periods = [(D(2025, 11, 1), D(2026, 12, 31)), (D(2026, 2, 1), D(2026, 2, 28))]
    for _ in range(25):
        start = D(2025, 11, 1) + datetime.timedelta(days=rng.randrange(0, 420))
        periods.append((start, start + datetime.timedelta(days=rng.randrange(0, 300))))
    everything_from_days = lambda start, end: (None, [(start, end)])  # noqa: E731
    for start, end in periods:
        filters = Filters(start=start, end=end, **rng.choice(scopes))
        for by in (None, *KEYS):
            assert figures.sums(filters, by) == (
                _from_days(filters, by) or ({None: dict.fromkeys(figures.COUNTED, 0)})
            ), (start, end, by)
        with_roll_up = _shown(filters)
        with monkeypatch.context() as patched:
            patched.setattr(figures, "split", everything_from_days)
            assert _shown(filters) == with_roll_up, (start, end)


def test_an_incremental_change_updates_the_daily_and_the_monthly_figures(
    citizen, team, promise_item
):
    applications = [accepted(citizen, promise_item, team, D(2026, 10, 12)) for _ in range(3)]
    with at(D(2026, 10, 12)):
        for application in applications:
            approve_all(application, team)
    with at(D(2026, 10, 12), 12):
        summary.fold()
    october = Filters(start=D(2026, 10, 1), end=D(2026, 10, 31))
    assert figures.split(october.start, october.end)[1] == []  # all from the roll-up
    assert figures.overview(october)["completed"] == 0
    assert figures.overview(october)["cases"] == 3
    # 办结 in November counts in October's figures (the received month), at once and after a fold.
    with at(D(2026, 11, 3)):
        actions.complete(application=applications[0], actor=team["clerk"])
        actions.complete(application=applications[1], actor=team["clerk"])
    with at(D(2026, 11, 3), 12):
        summary.fold()
    month = MonthlyCaseFigure.objects.get(cut="department", month=D(2026, 10, 1))
    daily = figures.sums(october)[None]
    assert (month.cases, month.completed, month.on_time) == (
        3,
        2,
        0,
    )  # promised 5 working days: late
    assert daily == _from_days(october, None)[None]
    facts = CaseFact.objects.filter(received_on__month=10)
    assert daily["completed"] == facts.exclude(completed_on=None).count() == 2
    assert daily["used_days"] == sum(f.used_days for f in facts if f.completed_on)
    assert figures.overview(october)["on_time_rate"] == 0.0
    statuses = {r["name"]: r["cases"] for r in figures.cases_by_status(october).rows}
    assert sum(statuses.values()) == 3 and len(statuses) == 2
    # Folding from scratch gives the same monthly rows.
    before = sorted(
        MonthlyCaseFigure.objects.values_list("cut", "month", "value", "cases", "completed")
    )
    summary.rebuild()
    after = sorted(
        MonthlyCaseFigure.objects.values_list("cut", "month", "value", "cases", "completed")
    )
    assert after == before


def test_the_migration_rolls_up_the_daily_rows_already_folded(
    department, other_department, promise_item
):
    """Migration 0003 gives the monthly rows the fold would give for the daily rows it finds."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tongban.supervision.migrations.0003_monthly_case_figure")
    _random_days(random.Random(3), [department, other_department], [promise_item])
    columns = ("cut", "month", "department_id", "region_code", "value", *figures.COUNTED)
    folded = sorted(MonthlyCaseFigure.objects.values_list(*columns))
    MonthlyCaseFigure.objects.all().delete()
    migration.roll_up_existing(apps, None)
    assert sorted(MonthlyCaseFigure.objects.values_list(*columns)) == folded
