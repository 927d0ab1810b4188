"""The audit action codes core writes (tongban.core.tests.test_audit_actions checks that no code is
written as a bare string): its own (the working-day calendar), the admin's record of every change
made through it, and the full view of personal data that every domain records the same way."""

from enum import StrEnum


class AuditAction(StrEnum):
    CALENDAR_DAY_REMOVED = "core.calendar_day_removed"
    CALENDAR_DAY_SET = "core.calendar_day_set"
    CALENDAR_YEAR_CONFIRMED = "core.calendar_year_confirmed"
    CALENDAR_YEAR_WITHDRAWN = "core.calendar_year_withdrawn"


class AdminAction(StrEnum):
    """A change made through the admin (core.admin.AuditedAdminMixin), object and inline rows."""

    ADD = "admin.add"
    CHANGE = "admin.change"
    DELETE = "admin.delete"


class PiiAction(StrEnum):
    """Personal data: a full value shown (with its purpose), the encryption keys rotated."""

    REVEAL = "pii.reveal"
    ROTATE = "pii.rotate"
