"""The audit action codes of supervision (效能监察): it reads everything and keeps only its
big-screen tokens, whose issue and revocation are audited with these codes
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    SCREEN_TOKEN_ISSUE = "supervision.screen_token.issue"  # noqa: S105 (a code, not a secret)
    SCREEN_TOKEN_REVOKE = "supervision.screen_token.revoke"  # noqa: S105 (a code, not a secret)
