"""Case numbers of the national practice: 实施编码 (31) + YYYYMMDD + 4-digit serial (43 chars).

The serial comes from a counter row per 实施编码 and day, incremented with a single UPDATE that
holds the row lock until the submitting transaction ends: concurrent submissions queue on that row
and never share a number, and a submission that rolls back gives its number back.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from tongban.applications.models import CaseNumberCounter

MAX_SERIAL = 9999


class CaseNumbersExhausted(ValidationError):
    """The day's 9,999 serials of an item are used up: the submission is refused, with a reason the
    applicant can act on, and its transaction rolls back (the draft stays as it was)."""

    def __init__(self):
        super().__init__(
            f"该事项今天的办件编号已用完（每个事项每天最多 {MAX_SERIAL} 件），请明天再提交"
        )


def _ensure_counter(code: str, day: datetime.date) -> None:
    try:
        with transaction.atomic():
            CaseNumberCounter.objects.get_or_create(implementation_code=code, day=day)
    except IntegrityError:  # created by a concurrent submission between our get and create
        pass


def next_case_number(implementation_code: str, day: datetime.date) -> str:
    """Call inside the submission's transaction."""
    _ensure_counter(implementation_code, day)
    counters = CaseNumberCounter.objects.filter(implementation_code=implementation_code, day=day)
    counters.update(last_serial=F("last_serial") + 1)
    serial = counters.values_list("last_serial", flat=True).get()
    if serial > MAX_SERIAL:
        raise CaseNumbersExhausted()
    return f"{implementation_code}{day:%Y%m%d}{serial:04d}"
