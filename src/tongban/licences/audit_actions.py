"""The audit action codes of the licences domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    CANCEL = "licences.cancel"
    DECISION_DOWNLOAD = "licences.decision_download"
    DOWNLOAD = "licences.download"
    EXPIRE = "licences.expire"
    ISSUE = "licences.issue"
    LOOKUP = "licences.lookup"
    REMIND = "licences.remind"
    REPLACE = "licences.replace"
    REVOKE = "licences.revoke"
    USE = "licences.use"
    USE_WITHDRAWN = "licences.use_withdrawn"
