"""Gunicorn settings for `make run` and production; every value can be overridden by TONGBAN_* env."""

import gc
import multiprocessing
import os

bind = os.environ.get("TONGBAN_BIND", "127.0.0.1:8000")
# Two processes per core with a few threads each: Django views mostly wait on the database.
workers = int(os.environ.get("TONGBAN_WEB_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("TONGBAN_WEB_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("TONGBAN_WEB_TIMEOUT", 60))
graceful_timeout = 10
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = "-" if os.environ.get("TONGBAN_ACCESS_LOG", "1") == "1" else None
# Query strings never carry personal data by design, but keep them out of the log all the same.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# Load Django once in the master and build what every worker needs (the catalogue search index)
# before forking: workers start warm and share those pages, instead of each spending seconds
# rebuilding the index at start and after every max_requests recycle. gc.freeze() keeps the
# collector from walking (and copying) the shared objects in every worker.
preload_app = os.environ.get("TONGBAN_WEB_PRELOAD", "1") == "1"


def pre_fork(server, worker):
    if not preload_app:
        return
    from django.db import connections

    from tongban.catalog import search

    try:
        search.get_index()  # cheap when the index is still current
    except Exception:  # the database is not reachable yet: workers build it on first use
        server.log.warning("search index not prebuilt", exc_info=True)
    finally:
        connections.close_all()  # never share a database connection with a child
    gc.freeze()
