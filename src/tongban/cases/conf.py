"""Case-handling settings (defaults in tongban/settings.py, from TONGBAN_* environment variables):
each is read here as `settings.NAME`, its default written in settings.py once.

CASE_YELLOW_WORKING_DAYS: a case this many working days or fewer from its due date is yellow (预警).
CASE_EXTENSION_WORKING_DAYS: how many working days an approved extension adds (行政许可法 art. 42).
CASE_CORRECTION_WORKING_DAYS: the applicant's time to supply what a 补正 notice lists.
CASE_DEFERRED_MATERIAL_WORKING_DAYS: the time to hand in a material accepted as 容缺.
CASE_DEFERRED_REMINDER_WORKING_DAYS: how long before that deadline the reminder goes out.
INSTANT_APPROVAL_QUERY_THREADS / _SECONDS: 智能秒批 asks remote department systems side by side on
this many threads, and waits for them at most this long.
"""

from django.conf import settings


def yellow_working_days() -> int:
    return int(settings.CASE_YELLOW_WORKING_DAYS)


def extension_working_days() -> int:
    return int(settings.CASE_EXTENSION_WORKING_DAYS)


def correction_working_days() -> int:
    return int(settings.CASE_CORRECTION_WORKING_DAYS)


def deferred_material_working_days() -> int:
    return int(settings.CASE_DEFERRED_MATERIAL_WORKING_DAYS)


def deferred_reminder_working_days() -> int:
    return int(settings.CASE_DEFERRED_REMINDER_WORKING_DAYS)


def instant_query_threads() -> int:
    return max(1, int(settings.INSTANT_APPROVAL_QUERY_THREADS))


def instant_query_seconds() -> float:
    return float(settings.INSTANT_APPROVAL_QUERY_SECONDS)
