"""The live layer: versions in the cache wake waiting streams; with Redis, changes go out on a
channel that every app node's watcher listens to."""

import threading
import time

import pytest
import redis

from tongban.hall import live

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def hub():
    made = live.Hub()
    yield made
    made.stop()
    assert made._watcher is None or not made._watcher.is_alive()


def test_a_change_wakes_a_waiting_stream(db, hub):
    seen = live.version(9001)
    woke = []
    waiter = threading.Thread(target=lambda: woke.append(hub.wait(9001, seen, 5)))
    waiter.start()
    time.sleep(0.1)
    value = live.publish(9001)
    hub.wake(9001, value)
    waiter.join(2)
    assert woke == [value] and value != seen


def test_a_version_lost_from_the_cache_starts_again_and_still_counts_as_news(db):
    from django.core.cache import cache

    first = live.publish(9002)
    cache.delete("hall:9002:version")
    assert live.publish(9002) == 1
    assert first >= 1


def test_wait_times_out_without_change(db, hub):
    assert hub.wait(9003, live.version(9003), 0.05) == live.version(9003)


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_with_redis_other_nodes_hear_the_change(db, settings, monkeypatch):
    settings.REDIS_URL = REDIS
    monkeypatch.setattr(live, "_redis_client", None)
    listener = redis.Redis.from_url(REDIS).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(live.CHANNEL)
    time.sleep(0.1)
    value = live.publish(9004)
    message = None
    for _ in range(20):
        message = listener.get_message(timeout=0.1)
        if message:
            break
    assert message is not None and b'"hall": 9004' in message["data"]
    assert f'"v": {value}'.encode() in message["data"]


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_with_redis_a_stream_wakes_on_another_nodes_change(db, settings, monkeypatch, hub):
    settings.REDIS_URL = REDIS
    monkeypatch.setattr(live, "_redis_client", None)
    woke = []
    waiter = threading.Thread(target=lambda: woke.append(hub.wait(9005, 0, 5)))
    waiter.start()
    time.sleep(0.3)  # the watcher subscribes
    redis.Redis.from_url(REDIS).publish(live.CHANNEL, '{"hall": 9005, "v": 41}')
    waiter.join(3)
    assert woke == [41]


def test_the_watcher_ends_when_nobody_has_watched_for_a_while(db, hub, monkeypatch):
    monkeypatch.setattr(live, "IDLE_SECONDS", 0.1)
    hub.wait(9006, live.version(9006), 0.05)
    watcher = hub._watcher
    assert watcher is not None
    watcher.join(3)
    assert not watcher.is_alive() and hub._watcher is None
    woke = []  # and the next stream starts a watcher again
    waiter = threading.Thread(target=lambda: woke.append(hub.wait(9006, 0, 5)))
    waiter.start()
    time.sleep(0.1)
    assert hub._watcher is not None and hub._watcher.is_alive()
    hub.wake(9006, 7)
    waiter.join(3)
    assert woke == [7]
