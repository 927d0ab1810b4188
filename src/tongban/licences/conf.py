"""Licence settings (defaults in tongban/settings.py, from TONGBAN_* environment variables)."""

from django.conf import settings


def show_token_seconds() -> int:
    """How long a 亮证 QR code stays valid."""
    return int(settings.LICENCE_SHOW_TOKEN_SECONDS)
