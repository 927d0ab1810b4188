"""What every benchmark script shares: a throw-away Django environment and percentile figures."""

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return (
        f"p50 {pick(50):7.1f} ms   p95 {pick(95):7.1f} ms   p99 {pick(99):7.1f} ms   "
        f"mean {statistics.fmean(ordered):7.1f} ms   (n={len(ordered)})"
    )


def fresh_django(prefix: str) -> str:
    """Set up Django on a new SQLite data directory, migrated from scratch; returns the directory
    (the caller removes it)."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.settings"
    os.environ["TONGBAN_DATA_DIR"] = workdir
    os.environ.pop("TONGBAN_DATABASE_URL", None)
    os.environ.setdefault("TONGBAN_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # as `make run` does: the cache is a table here
    return workdir
