"""Supervision settings, each with its one default here (neither has a line in settings.py).

SUPERVISION_MIN_COUNT: counts from 1 up to this − 1 are suppressed in every figure shown (小数抑制).
SUPERVISION_OFFICE_USCC: the 统一社会信用代码 of the department that seals the monthly reports;
empty: the first city-level department with a usable seal.
"""

from django.conf import settings


def min_count() -> int:
    return int(getattr(settings, "SUPERVISION_MIN_COUNT", 5))


def office_uscc() -> str:
    return getattr(settings, "SUPERVISION_OFFICE_USCC", "") or ""
