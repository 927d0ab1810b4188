"""The production server forks its workers warm: the catalogue search index is built once in the
gunicorn master (shared by every worker) and no database connection crosses the fork."""

import gc
import logging

import pytest
from django.db import connection

from tongban import gunicorn_conf
from tongban.catalog import search


class _Server:
    log = logging.getLogger("test.gunicorn")


@pytest.mark.django_db
def test_pre_fork_builds_the_search_index_and_closes_connections(monkeypatch):
    monkeypatch.setattr(search, "_index", None)
    monkeypatch.setattr(gunicorn_conf, "preload_app", True)
    closed = []
    monkeypatch.setattr(
        "django.db.connections.close_all", lambda: closed.append(True), raising=True
    )
    try:
        gunicorn_conf.pre_fork(_Server(), worker=None)
    finally:
        gc.unfreeze()
    assert search._index is not None
    assert search._index.generation == search.current_generation()
    assert closed == [True]
    assert connection.vendor  # the test database is still usable here
