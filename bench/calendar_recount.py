"""Benchmark: open cases following a calendar correction (cases.calendar_sync.follow_calendar, the
Celery task queued after an administrator corrects the working-day calendar).

Standalone: a throw-away SQLite data directory, migrated, demo data loaded, then the capacity
benchmark's bulk volume at a small scale (TONGBAN_BENCH_SCALE, default 0.02: 4,000 applications, a
few hundred of them open). The bulk rows carry due dates that are not the calendar's, so the first
run moves most open cases (a write, a timeline entry and an audit record each); the second run finds
nothing to move, which is the cost of the nightly safety net and of a correction that moves no date.
Run: .venv/bin/python bench/calendar_recount.py
"""

import os
import shutil
import sys
import time

import _volume
from _common import fresh_django


def main() -> int:
    scale = float(os.environ.get("TONGBAN_BENCH_SCALE", "0.02"))
    workdir = fresh_django("tongban-bench-calendar-")
    from django.core.management import call_command

    from tongban.applications.states import Status
    from tongban.cases import calendar_sync
    from tongban.cases.models import Case

    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    _volume.generate(scale, lambda _line: None)
    open_cases = Case.objects.filter(application__status=Status.ACCEPTED).count()

    for label in ("first run (dates move)", "second run (nothing to move)"):
        started = time.perf_counter()
        counts = calendar_sync.follow_calendar()
        seconds = time.perf_counter() - started
        print(
            f"recount after a calendar correction, {label}: {counts['checked']:,} open cases "
            f"checked, {counts['moved']:,} moved in {seconds:.2f} s "
            f"({seconds / max(1, counts['checked']) * 1000:.2f} ms per case)"
        )
    print(f"({open_cases:,} cases in handling, the rest decided and awaiting delivery)")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
