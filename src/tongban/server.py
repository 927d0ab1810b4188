"""The production web server: Granian (a Rust HTTP server) running Tongban's WSGI application.

`python -m tongban.server` is what the Procfile, `make run` and the capacity benchmark start. Every
setting comes from TONGBAN_* environment variables (README, "Configuration"). Granian parses HTTP
and keeps connections in Rust, so a request costs Python only Django's own work; with gunicorn's
threaded worker the server itself cost about as much as a trivial Django view again (docs/sizing.md).

Each worker process starts warm: it loads Django and builds the catalogue search index before it
accepts a request, then freezes the garbage collector's view of everything loaded so far, so the
large, long-lived index is never walked by a collection.
"""

import gc
import logging
import os
from dataclasses import dataclass

log = logging.getLogger(__name__)

# The query string stays out of the log: it never carries personal data by design, but a search
# term is still something a visitor typed.
ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).1fms'


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    workers: int
    threads: int
    access_log: bool


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}")
    return value


def settings_from_env() -> ServerSettings:
    bind = os.environ.get("TONGBAN_BIND", "127.0.0.1:8000").strip()
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise SystemExit(f"TONGBAN_BIND must be host:port, not {bind!r}")
    return ServerSettings(
        host=host.strip("[]"),
        port=int(port),
        # One process per core: Granian serves connections outside the GIL, and the threads of
        # a process overlap the time Django waits on PostgreSQL and Redis.
        workers=_positive_int("TONGBAN_WEB_WORKERS", os.cpu_count() or 1),
        threads=_positive_int("TONGBAN_WEB_THREADS", 4),
        access_log=os.environ.get("TONGBAN_ACCESS_LOG", "1") == "1",
    )


def warm_application():
    """Granian's application factory, called once in each worker process before it serves."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    from django.db import connections

    from tongban.catalog import search
    from tongban.wsgi import application

    try:
        search.get_index()  # cheap when the index is current; seconds at 10,000 items otherwise
    except Exception:  # the database is not reachable yet: the first search builds it instead
        log.warning("search index not prebuilt", exc_info=True)
    finally:
        connections.close_all()  # requests run on Granian's threads, each with its own connection
    gc.freeze()
    return application


def main() -> None:
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    config = settings_from_env()
    Server(
        "tongban.server:warm_application",
        factory=True,
        interface=Interfaces.WSGI,
        address=config.host,
        port=config.port,
        workers=config.workers,
        blocking_threads=config.threads,
        websockets=False,
        log_level=LogLevels.warning,
        log_access=config.access_log,
        log_access_format=ACCESS_LOG_FORMAT,
        # A worker that dies (killed, out of memory) is replaced; clients retry what it dropped.
        respawn_failed_workers=True,
        respawn_interval=1.0,
        workers_kill_timeout=10,
    ).serve()


if __name__ == "__main__":
    main()
