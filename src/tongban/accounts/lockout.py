"""Login lockout after repeated failures, keyed by a blind index of what was typed (never the
identifier itself, which may be an ID number or phone)."""

from django.conf import settings
from django.core.cache import cache

from tongban.core import pii


def _key(identifier: str) -> str:
    return "login-failures:" + pii.blind_index(identifier, "login")


def is_locked(identifier: str) -> bool:
    return (cache.get(_key(identifier)) or 0) >= settings.LOGIN_MAX_FAILURES


def register_failure(identifier: str) -> int:
    """Count one failure; the count expires LOGIN_LOCK_MINUTES after the last failure."""
    key, timeout = _key(identifier), settings.LOGIN_LOCK_MINUTES * 60
    failures = (cache.get(key) or 0) + 1
    cache.set(key, failures, timeout)
    return failures


def clear(identifier: str) -> None:
    cache.delete(_key(identifier))


def remaining_attempts(identifier: str) -> int:
    return max(0, settings.LOGIN_MAX_FAILURES - (cache.get(_key(identifier)) or 0))
