"""好差评 settings (defaults in tongban/settings.py, from TONGBAN_* environment variables)."""

from django.conf import settings


def rectify_working_days() -> int:
    """Working days a department has to rectify a bad rating (5, 7, 10 or 15 locally)."""
    return settings.RATING_RECTIFY_WORKING_DAYS


def follow_up_days() -> int:
    """Days after a rating in which the rater may add a 追评 (and answer by SMS)."""
    return settings.RATING_FOLLOW_UP_DAYS
