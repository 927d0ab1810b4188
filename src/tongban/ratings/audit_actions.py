"""The audit action codes of the ratings domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    BAD_APPEALED = "ratings.bad_appealed"
    BAD_ASSIGNED = "ratings.bad_assigned"
    BAD_EXPLAINED = "ratings.bad_explained"
    BAD_FIXED = "ratings.bad_fixed"
    BAD_LEDGER = "ratings.bad_ledger"
    BAD_OVERTURNED = "ratings.bad_overturned"
    BAD_RECTIFIED = "ratings.bad_rectified"
    BAD_UPHELD = "ratings.bad_upheld"
    BAD_VERIFIED = "ratings.bad_verified"
    CALLBACK = "ratings.callback"
    FOLLOW_UP = "ratings.follow_up"
    HALL_VISIT = "ratings.hall_visit"
    RATE = "ratings.rate"
    RATE_RECTIFICATION = "ratings.rate_rectification"
    RATE_VISIT = "ratings.rate_visit"
    REVEAL_PHONE = "ratings.reveal_phone"
    WARNING_RED = "ratings.warning_red"
    WARNING_YELLOW = "ratings.warning_yellow"
