"""Calls per minute per consumer, counted in the shared cache without a cache round trip per call.

Each process counts its calls and adds them to the consumer's shared count for the minute
(`core.ratelimit`'s clock windows, in the cache every process sees) in small batches: every call
when the limit is small, every `limit / 200` calls (at most 50) when it is large. A consumer can
therefore go over its limit by at most one batch per process; a limit of a few calls per minute is
exact.
"""

import threading
import time

from django.core.cache import cache

WINDOW_SECONDS = 60
MAX_BATCH = 50

_lock = threading.Lock()
# consumer id → [window, calls not yet added to the shared count, shared count last seen]
_local: dict[int, list[int]] = {}


def batch_for(limit: int) -> int:
    return max(1, min(MAX_BATCH, limit // 200))


def exceeded(consumer_id: int, limit: int) -> bool:
    """Count one more call of the consumer and say whether it goes over `limit` this minute."""
    if limit < 1:
        return True
    window = int(time.time() // WINDOW_SECONDS)
    with _lock:
        state = _local.get(consumer_id)
        if state is None or state[0] != window:
            state = _local[consumer_id] = [window, 0, 0]
        state[1] += 1
        if state[1] < batch_for(limit) and state[2] + state[1] <= limit:
            return False
        pending, state[1] = state[1], 0
    total = _add(f"exchange:rate:{consumer_id}:{window}", pending)
    with _lock:
        if _local.get(consumer_id, [None])[0] == window:
            _local[consumer_id][2] = total
    return total > limit


def _add(key: str, calls: int) -> int:
    if cache.add(key, calls, WINDOW_SECONDS * 2):
        return calls
    try:
        return cache.incr(key, calls)
    except ValueError:  # expired between add and incr: the window is over anyway
        return calls


def forget() -> None:
    with _lock:
        _local.clear()
