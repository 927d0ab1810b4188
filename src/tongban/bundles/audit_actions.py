"""The audit action codes of the bundles domain (一件事): every audit record it writes names one of
these (tongban.core.tests.test_audit_actions checks that no code is written as a bare string).
The codes named after a state are the ones the state machines in `states` build (`audit_prefix` +
the state moved to)."""

from enum import StrEnum


class AuditAction(StrEnum):
    ACCEPT_ALL = "bundles.accept_all"  # 综合窗口 accepted every member at once
    CANCEL_MEMBER = "bundles.cancel_member"  # a waiting member not started: its prerequisite failed
    COMPLETE = "bundles.complete"
    CORRECT = "bundles.correct"  # the applicant corrected every member under 补正 in one place
    CREATE = "bundles.create"
    JOINT_RESULT = "bundles.joint_result"
    NEW_DRAFT = "bundles.new_draft"
    PUBLISH = "bundles.publish"
    RESULT_DOWNLOAD = "bundles.result_download"
    SET_STRUCTURE = "bundles.set_structure"
    START_MEMBER = "bundles.start_member"
    SUBMIT = "bundles.submit"
    UPDATE_DRAFT = "bundles.update_draft"
    WARNING_RED = "bundles.warning_red"
    WARNING_YELLOW = "bundles.warning_yellow"
    WITHDRAW = "bundles.withdraw"
    # states.BUNDLE (the joint status, moved by the system as the members move)
    STATUS_COMPLETED = "bundles.status_completed"
    STATUS_CORRECTION = "bundles.status_correction"
    STATUS_HANDLING = "bundles.status_handling"
    STATUS_SUBMITTED = "bundles.status_submitted"
    # states.MEMBER (a member waiting for its prerequisite)
    MEMBER_CANCELLED = "bundles.member_cancelled"
    MEMBER_STARTED = "bundles.member_started"
    # states.VERSION
    VERSION_PUBLISHED = "bundles.version_published"
    VERSION_SUPERSEDED = "bundles.version_superseded"
    VERSION_WITHDRAWN = "bundles.version_withdrawn"
