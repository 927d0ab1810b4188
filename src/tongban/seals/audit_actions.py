"""The audit action codes of the seals domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    DOCUMENT_ISSUED = "seals.document_issued"
    SEAL_CREATED = "seals.seal_created"
    SEAL_REVOKED = "seals.seal_revoked"
    SEAL_ROTATED = "seals.seal_rotated"
    SEAL_USED = "seals.seal_used"
