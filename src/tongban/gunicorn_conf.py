"""Gunicorn settings for `make run` and production; every value can be overridden by TONGBAN_* env."""

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
