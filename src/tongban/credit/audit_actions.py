"""The audit action codes of the credit domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    FALSE_COMMITMENT = "credit.false_commitment"
