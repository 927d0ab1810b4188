"""The audit action codes of the workorders domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    ACCEPT = "workorders.accept"
    ALERT_REPEAT = "workorders.alert_repeat"
    ANSWER = "workorders.answer"
    ASSIST_REPLY = "workorders.assist_reply"
    ASSIST_REQUEST = "workorders.assist_request"
    CALLBACK = "workorders.callback"
    DISPATCH = "workorders.dispatch"
    EXTENSION_DECIDE = "workorders.extension_decide"
    EXTENSION_REQUEST = "workorders.extension_request"
    HAND_DOWN = "workorders.hand_down"
    MERGE = "workorders.merge"
    REVEAL_PHONE = "workorders.reveal_phone"  # the full phone of a reporter, shown to staff
    REASSIGN = "workorders.reassign"
    REGISTER = "workorders.register"
    REPLY = "workorders.reply"
    RETURN = "workorders.return"
    SUPERVISE = "workorders.supervise"
    SUPERVISE_CLOSE = "workorders.supervise_close"
    SUPERVISE_REDO = "workorders.supervise_redo"
    WARNINGS = "workorders.warnings"
