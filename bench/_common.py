"""What every benchmark script shares: a throw-away Django environment, percentile figures, the
load average, and the web server started as in production."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def percentiles(samples: list[float], digits: int = 1) -> str:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return (
        f"p50 {pick(50):7.{digits}f} ms   p95 {pick(95):7.{digits}f} ms   "
        f"p99 {pick(99):7.{digits}f} ms   mean {statistics.fmean(ordered):7.{digits}f} ms   "
        f"(n={len(ordered)})"
    )


def fresh_django(prefix: str, database_server: str | None = None) -> str:
    """Set up Django on a new SQLite data directory, migrated from scratch; returns the directory
    (the caller removes it). With `database_server` (a PostgreSQL URL such as
    postgresql://postgres@127.0.0.1:5432/postgres) the data goes to a new database on that server
    instead, dropped when the process ends."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.settings"
    os.environ["TONGBAN_DATA_DIR"] = workdir
    os.environ.pop("TONGBAN_DATABASE_URL", None)
    os.environ.setdefault("TONGBAN_LOG_LEVEL", "WARNING")
    if database_server:
        os.environ["TONGBAN_DATABASE_URL"] = _throwaway_database(database_server, prefix)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # as `make run` does: the cache is a table here
    return workdir


def _throwaway_database(server_url: str, prefix: str) -> str:
    """A new, empty PostgreSQL database on the server; dropped at exit."""
    import atexit
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"{prefix.strip('-').replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, to print beside a figure."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def start_server(workdir: str, port: int, **settings: str) -> subprocess.Popen:
    """The web server as the Procfile starts it (Granian, `python -m tongban.server`) on the bench's
    data directory, once /healthz answers; `settings` are more TONGBAN_* variables (without the
    prefix, e.g. WEB_WORKERS="2"). Its output goes to web.log in the data directory."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "TONGBAN_DATA_DIR": workdir,
        "TONGBAN_BIND": f"127.0.0.1:{port}",
        "TONGBAN_ACCESS_LOG": "0",
        **{f"TONGBAN_{name}": value for name, value in settings.items()},
    }
    log = open(Path(workdir) / "web.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongban.server"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the server did not start; see {workdir}/web.log")
