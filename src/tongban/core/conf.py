"""Core settings that have no line in settings.py, read with their one default here (a setting
that settings.py declares is read as `settings.NAME`: its default is written there, once).

CALENDAR_UNCONFIRMED_MARGINS: per holiday name, how many days a not-yet-published State Council
schedule may start earlier and end later than the statutory days (core.holidays); merged over
holidays.DEFAULT_MARGINS.
"""

from django.conf import settings


def calendar_unconfirmed_margins() -> dict[str, tuple[int, int]]:
    return dict(getattr(settings, "CALENDAR_UNCONFIRMED_MARGINS", {}))
