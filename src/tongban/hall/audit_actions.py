"""The audit action codes of the hall domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    BOOK = "hall.book"
    BOOKING_NO_SHOW = "hall.booking_no_show"
    CALL = "hall.call"
    CANCEL_BOOKING = "hall.cancel_booking"
    CANCEL_TICKET = "hall.cancel_ticket"
    CHECK_IN = "hall.check_in"
    FINISH = "hall.finish"
    KIOSK_SIGN_IN = "hall.kiosk_sign_in"
    NO_SHOW = "hall.no_show"
    REPORT = "hall.report"
    RESCHEDULE = "hall.reschedule"
    START = "hall.start"
    TAKE_TICKET = "hall.take_ticket"
    TRANSFER = "hall.transfer"
    WINDOW = "hall.window"
