"""Fixed-window limits on how often one address may do something (progress queries, seal checks).

Counted in the shared cache (Redis in production), so every app node and thread counts together,
and counted atomically: two requests at the same moment cannot both read the same count. Windows
follow the clock (each hour, each minute) and each has a key of its own, so a backend whose
increment resets the expiry (Django's database cache does) cannot stretch a window.
"""

import time

from django.core.cache import cache


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    """Count one more attempt under `key` in the current window and say whether it goes over
    `limit` attempts."""
    window_key = f"{key}:{int(time.time() // window_seconds)}"
    if cache.add(window_key, 1, window_seconds):
        return limit < 1
    try:
        return cache.incr(window_key) > limit
    except ValueError:  # the key expired between add and incr: the window is over anyway
        return False
