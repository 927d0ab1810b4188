"""The audit action codes of the intake domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    ATTACH_FILE = "applications.attach_file"
    COMMITMENT_OVERDUE = "applications.commitment_overdue"  # a 容缺 material not supplied in time
    COMMITMENT_SUPPLIED = "applications.commitment_supplied"  # a 容缺 material supplied
    DISCARD = "applications.discard"
    FORM_RETIRED = "applications.form_retired"  # the previous form version, on publishing the next
    PIPELINE_GIVEN_UP = "applications.pipeline_given_up"
    PIPELINE_RERUN = "applications.pipeline_rerun"
    PUBLISH_FORM = "applications.publish_form"
    RECOGNITION_CONFIRMED = "applications.recognition_confirmed"
    REMOVE_FILE = "applications.remove_file"
    REPLACE_FILE = "applications.replace_file"  # a re-upload of a material's one file
    RESUBMIT = "applications.resubmit"
    SIGN_COMMITMENT = "applications.sign_commitment"
    START = "applications.start"
    SUBMIT = "applications.submit"
    WITHDRAW = "applications.withdraw"
    WITHDRAW_COMMITMENT = "applications.withdraw_commitment"
