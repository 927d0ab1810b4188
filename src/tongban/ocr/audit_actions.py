"""The audit action codes of the recognition domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    CONFIRMED = "ocr.confirmed"  # the person kept or corrected the offered values
    FINISHED = "ocr.finished"  # the worker's outcome, read or failed (one code for both)
    REQUESTED = "ocr.requested"
    # The codes the machine (states.RECOGNITION, prefix "ocr.") builds for a move it audits by
    # itself; the service layer names FINISHED or CONFIRMED instead, or leaves the worker's own
    # step (running) to the history row.
    DONE = "ocr.done"
    FAILED = "ocr.failed"
    RUNNING = "ocr.running"
