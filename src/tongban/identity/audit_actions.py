"""The audit action codes of the identity domain (single sign-on, department systems, consents,
keys, real-name checks): every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string).
The CLIENT_* past-tense codes are the ones the registration machine builds
(`audit_prefix` + the state moved to)."""

from enum import StrEnum


class AuditAction(StrEnum):
    CLIENT_APPROVED = "identity.client_approved"
    CLIENT_REGISTERED = "identity.client_registered"
    CLIENT_REJECTED = "identity.client_rejected"
    CLIENT_SUSPENDED = "identity.client_suspended"
    CONSENT_GRANTED = "identity.consent_granted"
    CONSENT_REVOKED = "identity.consent_revoked"
    ISSUE_SECRET = "identity.issue_secret"  # noqa: S105 (a code, not a secret)
    KEY_CREATED = "identity.key_created"
    KEY_ROTATED = "identity.key_rotated"
    REALNAME_CHECK = "identity.realname_check"
    ROTATE_SECRET = "identity.rotate_secret"  # noqa: S105 (a code, not a secret)
    SESSION_ENDED = "identity.session_ended"
    SMS_CODE_SENT = "identity.sms_code_sent"
