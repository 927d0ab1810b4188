"""The audit action codes of the notify domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    GIVEN_UP = "notify.given_up"
    RESEND = "notify.resend"
