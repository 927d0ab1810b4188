"""Data-exchange settings (defaults in tongban/settings.py, from TONGBAN_* environment variables)."""

from django.conf import settings


def max_batch() -> int:
    """Subjects one batch query may ask about."""
    return settings.EXCHANGE_MAX_BATCH


def auth_cache_seconds() -> float:
    """How long a process keeps a published resource and a consumer's live grants (0: not at all)."""
    return float(settings.EXCHANGE_AUTH_CACHE_SECONDS)


def token_cache_seconds() -> int:
    """How long the exchange API keeps a checked bearer token (0: not at all)."""
    return int(settings.EXCHANGE_TOKEN_CACHE_SECONDS)
