"""Case numbers of the national practice: 实施编码 (31) + YYYYMMDD + 4-digit serial (43 chars).

The serial comes from a counter row per 实施编码 and day, created or incremented by a single
upsert that holds the row lock until the submitting transaction ends: concurrent submissions
queue on that row and never share a number, and a submission that rolls back gives its number back.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection

MAX_SERIAL = 9999


class CaseNumbersExhausted(ValidationError):
    """The day's 9,999 serials of an item are used up: the submission is refused, with a reason the
    applicant can act on, and its transaction rolls back (the draft stays as it was)."""

    def __init__(self):
        super().__init__(
            f"该事项今天的办件编号已用完（每个事项每天最多 {MAX_SERIAL} 件），请明天再提交"
        )


# Creates the day's CaseNumberCounter row or takes its next serial in one statement, the row
# locked until the transaction ends (PostgreSQL and SQLite both know INSERT … ON CONFLICT …
# RETURNING).
NEXT_SERIAL_SQL = (
    "INSERT INTO applications_casenumbercounter (implementation_code, day, last_serial) "
    "VALUES (%s, %s, 1) ON CONFLICT (implementation_code, day) "
    "DO UPDATE SET last_serial = applications_casenumbercounter.last_serial + 1 "
    "RETURNING last_serial"
)


def next_case_number(implementation_code: str, day: datetime.date) -> str:
    """Call inside the submission's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(NEXT_SERIAL_SQL, [implementation_code, day])
        (serial,) = cursor.fetchone()
    if serial > MAX_SERIAL:
        raise CaseNumbersExhausted()
    return f"{implementation_code}{day:%Y%m%d}{serial:04d}"
