"""Notification settings (defaults in tongban/settings.py, from TONGBAN_* environment variables)."""

from django.conf import settings


def max_attempts() -> int:
    """Attempts before a delivery is given up (at least one)."""
    return max(1, settings.NOTIFY_MAX_ATTEMPTS)


def retry_minutes() -> list[int]:
    """Waits after the 1st, 2nd … failure; the last value repeats."""
    return list(settings.NOTIFY_RETRY_MINUTES or [])
