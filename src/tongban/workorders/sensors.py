"""The sensors alerts name, kept for a few seconds per process, so that verifying an alert costs no
query and no decryption of the sensor's key (a burst of alerts names the same few sensors).

Saving or deleting a sensor clears this process's copy at once; other processes (web workers,
the MQTT subscriber) see a change — a disabled sensor, a new key — within CACHE_SECONDS."""

import threading
import time

CACHE_SECONDS = 5.0
MAX_ENTRIES = 10_000

_lock = threading.Lock()
_cache: dict[str, tuple[float, object]] = {}  # code → (expires, Sensor or None for unknown codes)


def clear() -> None:
    with _lock:
        _cache.clear()


def get_many(codes) -> dict:
    """{code: Sensor or None}; the key is decrypted once, when the sensor is loaded."""
    from tongban.workorders.models import Sensor

    now = time.monotonic()
    found, missing = {}, []
    for code in codes:
        hit = _cache.get(code)
        if hit is not None and hit[0] > now:
            found[code] = hit[1]
        else:
            missing.append(code)
    if missing:
        loaded = {
            s.code: s for s in Sensor.objects.filter(code__in=missing).select_related("category")
        }
        expires = now + CACHE_SECONDS
        with _lock:
            for code in missing:
                if len(_cache) >= MAX_ENTRIES:  # junk codes cannot grow it without bound
                    _cache.clear()
                _cache[code] = (expires, loaded.get(code))
                found[code] = loaded.get(code)
    return found


def get(code: str):
    return get_many([code])[code]
