"""Live updates for the hall's display, the visitors' phones and the manager's board.

A change to a hall's queue bumps a per-hall version number in the shared cache after commit (and,
with Redis, publishes it on a channel). Each web process runs one small watcher thread that notices
new versions — by Redis pub/sub when TONGBAN_REDIS_URL is set, so several app nodes share updates,
otherwise by reading the cache's version numbers a few times a second — and wakes the streams of
that hall waiting in this process. The queue snapshot the streams format from is read from the
database once per version and process, however many phones watch.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)
CHANNEL = "tongban:hall"
POLL_SECONDS = 0.2
IDLE_SECONDS = 30


def _key(hall_id: int) -> str:
    return f"hall:{hall_id}:version"


def version(hall_id: int) -> int:
    return cache.get(_key(hall_id)) or 0


def publish(hall_id: int) -> int:
    """Call after commit: the hall's pages show the change within a second."""
    try:
        value = cache.incr(_key(hall_id))
    except ValueError:  # first change, or the number expired from the cache: start again
        value = 1 if cache.add(_key(hall_id), 1, None) else cache.incr(_key(hall_id))
    cache.touch(_key(hall_id), None)  # the database cache's incr sets the default expiry again
    client = _redis()
    if client is not None:
        try:
            client.publish(CHANNEL, json.dumps({"hall": hall_id, "v": value}))
        except Exception:  # the cache version still reaches every node's watcher
            log.warning("hall update not published on Redis", exc_info=True)
    hub.wake(hall_id, value)
    return value


_redis_client = None


def _redis():
    global _redis_client
    if not settings.REDIS_URL:
        return None
    if _redis_client is None:
        import redis

        _redis_client = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_client


@dataclass
class _HallState:
    version: int = 0
    condition: threading.Condition = field(default_factory=threading.Condition)
    listeners: int = 0


class Hub:
    """Per-process: the halls someone watches, their last known version, and a condition each."""

    def __init__(self):
        self._halls: dict[int, _HallState] = {}
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self._stopping = threading.Event()
        self._idle_since: float | None = None
        self.streams = threading.BoundedSemaphore(max(1, settings.HALL_STREAMS_PER_WORKER))

    def _state(self, hall_id: int) -> _HallState:
        with self._lock:
            state = self._halls.get(hall_id)
            if state is None:
                state = self._halls[hall_id] = _HallState(version=version(hall_id))
            return state

    def wake(self, hall_id: int, value: int) -> None:
        state = self._halls.get(hall_id)
        # Any different number is news: a cache that lost the key starts counting again at 1.
        if state is None or value == state.version:
            return
        with state.condition:
            state.version = value
            state.condition.notify_all()

    def wait(self, hall_id: int, seen: int, timeout: float) -> int:
        """Block until the hall's version differs from `seen` or `timeout` seconds pass."""
        state = self._state(hall_id)
        with self._lock:
            state.listeners += 1  # before the watcher check: see _watched
        try:
            self._ensure_watcher()
            with state.condition:
                state.condition.wait_for(lambda: state.version != seen, timeout)
                return state.version
        finally:
            with self._lock:
                state.listeners -= 1

    def _ensure_watcher(self) -> None:
        with self._lock:
            if self._watcher is None or not self._watcher.is_alive():
                target = self._listen_redis if settings.REDIS_URL else self._poll_cache
                self._stopping.clear()
                self._idle_since = None
                self._watcher = threading.Thread(target=target, name="hall-live", daemon=True)
                self._watcher.start()

    def stop(self, timeout: float = 2.0) -> None:
        """End the watcher thread (a worker shutting down; tests, between cases)."""
        self._stopping.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)

    def _watched(self) -> list[int] | None:
        """The halls with someone waiting; None when the watcher should end.

        It ends when told to, or after IDLE_SECONDS with nobody watching: a worker whose phones
        and screens have gone away keeps no thread reading the cache or holding a Redis
        connection, and the next stream starts a watcher again. Decided under the lock that
        `wait` registers its listener under, so a new listener never finds a watcher on its way out.
        """
        with self._lock:
            halls = [pk for pk, state in self._halls.items() if state.listeners]
            now = time.monotonic()
            if halls:
                self._idle_since = None
            elif self._idle_since is None:
                self._idle_since = now
            if self._stopping.is_set() or (
                self._idle_since is not None and now - self._idle_since > IDLE_SECONDS
            ):
                self._watcher = None
                return None
            return halls

    def _poll_cache(self) -> None:
        try:
            while (halls := self._watched()) is not None:
                if halls:
                    try:
                        found = cache.get_many([_key(pk) for pk in halls])
                        for pk in halls:
                            self.wake(pk, found.get(_key(pk)) or 0)
                        close_old_connections()  # a database that restarted is reconnected
                    except Exception:  # the watcher outlives a database hiccup; streams time out
                        log.warning("hall versions not read", exc_info=True)
                self._stopping.wait(POLL_SECONDS)
        finally:
            connection.close()  # this thread's own database connection

    def _listen_redis(self) -> None:
        while (client := _redis()) is not None:  # None: Redis no longer configured (tests)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                while self._watched() is not None:
                    message = pubsub.get_message(timeout=POLL_SECONDS * 5)
                    if message is not None:
                        data = json.loads(message["data"])
                        self.wake(int(data["hall"]), int(data["v"]))
                return
            except Exception:
                log.warning("hall update channel lost; reconnecting", exc_info=True)
                if self._stopping.wait(1):
                    return
            finally:
                pubsub.close()


hub = Hub()
