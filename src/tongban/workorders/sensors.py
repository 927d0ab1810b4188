"""The sensors alerts name, kept for a few seconds per process, so that verifying an alert costs no
query and no decryption of the sensor's key (a burst of alerts names the same few sensors). What is
kept is an immutable copy (KnownSensor), shared by every request and the MQTT subscriber's threads.

Saving or deleting a sensor clears this process's copy at once; other processes (web workers,
the MQTT subscriber) see a change — a disabled sensor, a new key — within CACHE_SECONDS."""

import threading
import time
from dataclasses import dataclass
from decimal import Decimal

CACHE_SECONDS = 5.0
MAX_ENTRIES = 10_000

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class KnownSensor:
    """What verifying an alert and registering its work order read from a registered sensor."""

    pk: int
    code: str
    name: str
    alert_text: str
    category_id: int
    urgency: str
    address: str
    lng: Decimal
    lat: Decimal
    is_active: bool
    secret: str  # decrypted once, when the sensor is loaded

    @classmethod
    def of(cls, sensor) -> "KnownSensor":
        return cls(**{name: getattr(sensor, name) for name in cls.__slots__})


_cache: dict[str, tuple[float, KnownSensor | None]] = {}  # code → (expires, None: unknown code)


def clear() -> None:
    with _lock:
        _cache.clear()


def get_many(codes) -> dict[str, KnownSensor | None]:
    """{code: KnownSensor, or None for a code no sensor has}."""
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
        loaded = {s.code: KnownSensor.of(s) for s in Sensor.objects.filter(code__in=missing)}
        expires = now + CACHE_SECONDS
        with _lock:
            for code in missing:
                if len(_cache) >= MAX_ENTRIES:  # junk codes cannot grow it without bound
                    _cache.clear()
                _cache[code] = (expires, loaded.get(code))
                found[code] = loaded.get(code)
    return found


def get(code: str) -> KnownSensor | None:
    return get_many([code])[code]
