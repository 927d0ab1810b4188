"""Benchmark: supervision dashboards and the big screen at the capacity benchmark's volume.

Generates the capacity volume (bench/_volume.py: 200,000 submitted applications with status history
and cases at scale 1) into a fresh SQLite database with the demo data, folds it into the summary
tables once (timed), then requests every dashboard page (the whole city, one department, one
county; month, quarter and year) and the big screen's refresh as a supervisor would, and prints
p50/p95/p99. Goals: every dashboard ≤ 500 ms p95, the big screen's refresh ≤ 200 ms p95 (its JSON
is recomputed on every request here: the 30-second cache is cleared before each one).
Run: .venv/bin/python bench/supervision.py [--scale 1] [--rounds 5]
     (--scale 0.05 = 10,000 cases for a quick run; the default is 1)
"""

import argparse
import datetime
import os
import shutil
import sys
import time

from _common import fresh_django, percentiles


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale", type=float, default=float(os.environ.get("TONGBAN_BENCH_SCALE", "1"))
    )
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    workdir = fresh_django("tongban-bench-supervision-")
    try:
        return run(args.scale, args.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(scale: float, rounds: int) -> int:
    import _volume
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from tongban.accounts.models import User
    from tongban.applications.models import Application
    from tongban.core.models import Department, Region
    from tongban.supervision import actions, summary, views

    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    started = time.perf_counter()
    volume = _volume.generate(scale, lambda line: None)
    print(f"volume: {volume.cases:,} cases generated in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    folded = summary.rebuild()
    took = time.perf_counter() - started
    print(f"fold from scratch: {folded:,} applications in {took:.1f} s ({folded / took:,.0f}/s)")
    from tongban.supervision.models import DailyCaseFigure, MonthlyCaseFigure

    print(
        f"summary rows: {DailyCaseFigure.objects.count():,} daily, "
        + ", ".join(
            f"{cut} {MonthlyCaseFigure.objects.filter(cut=cut).count():,}"
            for cut in MonthlyCaseFigure.Cut.values
        )
        + " monthly"
    )

    # An incremental fold after one more status change: what the minute task does.
    application = Application.objects.exclude(case_number=None).order_by("-pk").first()
    from tongban.applications.models import StatusChange

    StatusChange.objects.create(
        application=application, from_status="x", to_status=application.status
    )
    started = time.perf_counter()
    summary.fold()
    print(f"incremental fold of one change: {1000 * (time.perf_counter() - started):.1f} ms")

    supervisor = User.objects.get(login_name="supervisor")
    client = Client()
    client.force_login(supervisor)
    today = timezone.localdate()
    periods = {
        "month": (today.replace(day=1), today),
        "quarter": (today - datetime.timedelta(days=91), today),
        "year": (today - datetime.timedelta(days=365), today),
    }
    busiest = Department.objects.order_by("pk").first()
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    scopes = {
        "city": {},
        "department": {"department": busiest.pk},
        "county": {"region": county.code},
    }
    samples: list[float] = []
    slowest = (0.0, "")
    for _ in range(rounds):
        for period, (start, end) in periods.items():
            for scope, extra in scopes.items():
                params = {"start": start.isoformat(), "end": end.isoformat(), **extra}
                began = time.perf_counter()
                response = client.get(reverse("supervision:dashboard"), params)
                ms = 1000 * (time.perf_counter() - began)
                assert response.status_code == 200, response.status_code
                samples.append(ms)
                if ms > slowest[0]:
                    slowest = (ms, f"{period}/{scope}")
    print(
        f"dashboard (all sections, {len(periods) * len(scopes)} filter sets): {percentiles(samples)}"
    )
    print(f"  slowest: {slowest[0]:.1f} ms ({slowest[1]})")
    _per_section(periods["year"], rounds)

    _token, secret = actions.issue_screen_token(actor=supervisor, name="基准测试大屏")
    screen = Client()
    url = reverse("supervision:screen-data", args=[secret])
    cold, warm = [], []
    for _ in range(rounds * 6):
        cache.delete(views.screen_cache_key())
        began = time.perf_counter()
        assert screen.get(url).status_code == 200
        cold.append(1000 * (time.perf_counter() - began))
        began = time.perf_counter()
        screen.get(url)
        warm.append(1000 * (time.perf_counter() - began))
    print(f"big screen refresh, recomputed: {percentiles(cold)}")
    print(f"big screen refresh, cached:     {percentiles(warm)}")
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


def _per_section(period, rounds: int) -> None:
    """Where a year of the whole city goes: each section's own p95 (what to fold next)."""
    from tongban.supervision import figures
    from tongban.supervision.filters import Filters

    filters = Filters(start=period[0], end=period[1])
    timed = [("overview", lambda: figures.overview(filters))]
    timed += [(key, lambda f=f: f(filters)) for key, f in figures.SECTIONS.items()]
    for key, compute in timed:
        samples = []
        for _ in range(rounds):
            began = time.perf_counter()
            compute()
            samples.append(1000 * (time.perf_counter() - began))
        print(f"  section {key:<11} year/city: {percentiles(samples)}")


if __name__ == "__main__":
    sys.exit(main())
