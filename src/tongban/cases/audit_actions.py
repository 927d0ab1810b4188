"""The audit action codes of case handling: every audit record the cases domain writes names one
of these (tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    ACCEPT = "cases.accept"
    ANSWER_SUPERVISION = "cases.answer_supervision"
    COMPLETE = "cases.complete"
    COMPLETE_STEP = "cases.complete_step"
    CORRECTION_ABANDONED = "cases.correction_abandoned"
    DECIDE = "cases.decide"
    DEEMED_ACCEPT = "cases.deemed_accept"
    DEFERRED_REMINDER = "cases.deferred_reminder"
    DELIVER = "cases.deliver"
    DUE_DATES_RECOUNTED = "cases.due_dates_recounted"
    END_SUSPENSION = "cases.end_suspension"
    EXTEND = "cases.extend"
    INSTANT_APPROVE = "cases.instant_approve"
    INSTANT_CONFIGURE = "cases.instant_configure"
    INSTANT_CONFIRM = "cases.instant_confirm"
    INSTANT_MANUAL = "cases.instant_manual"
    INSTANT_REVOKE = "cases.instant_revoke"
    REASSIGN = "cases.reassign"
    REFUSE = "cases.refuse"
    REQUEST_CORRECTION = "cases.request_correction"
    REVOKE = "cases.revoke"
    START_SUSPENSION = "cases.start_suspension"
    SUPERVISE = "cases.supervise"
    VERIFY_COMMITMENT = "cases.verify_commitment"
    WARNING_RED = "cases.warning_red"
    WARNING_YELLOW = "cases.warning_yellow"
