"""The production web server's settings and its warm start (tongban.server)."""

import gc

import pytest

from tongban import server
from tongban.catalog import search


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TONGBAN_BIND", "10.0.0.5:8080")
    monkeypatch.setenv("TONGBAN_WEB_WORKERS", "3")
    monkeypatch.setenv("TONGBAN_WEB_THREADS", "6")
    monkeypatch.setenv("TONGBAN_ACCESS_LOG", "0")
    assert server.settings_from_env() == server.ServerSettings(
        host="10.0.0.5", port=8080, workers=3, threads=6, access_log=False
    )


def test_defaults_are_one_worker_per_core_on_the_loopback(monkeypatch):
    for name in (
        "TONGBAN_BIND",
        "TONGBAN_WEB_WORKERS",
        "TONGBAN_WEB_THREADS",
        "TONGBAN_ACCESS_LOG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(server.os, "cpu_count", lambda: 2)
    settings = server.settings_from_env()
    assert (settings.host, settings.port, settings.workers, settings.threads) == (
        "127.0.0.1",
        8000,
        2,
        4,
    )
    assert settings.access_log


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TONGBAN_BIND", "8000", "host:port"),
        ("TONGBAN_BIND", "localhost:http", "host:port"),
        ("TONGBAN_WEB_WORKERS", "two", "whole number"),
        ("TONGBAN_WEB_THREADS", "0", "at least 1"),
    ],
)
def test_a_bad_setting_stops_the_start_with_its_name(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        server.settings_from_env()
    assert name in str(stopped.value) and message in str(stopped.value)


@pytest.mark.django_db
def test_each_worker_starts_with_the_search_index_built_and_no_connection_open(monkeypatch):
    monkeypatch.setattr(search, "_index", None)
    closed = []
    monkeypatch.setattr("django.db.connections.close_all", lambda: closed.append(True))
    try:
        application = server.warm_application()
    finally:
        gc.unfreeze()
    assert callable(application)
    assert search._index is not None
    assert search._index.generation == search.current_generation()
    assert closed == [True]
