"""The audit action codes of the workflow domain (BPMN process definitions): every audit record
it writes names one of these (tongban.core.tests.test_audit_actions checks that no code is
written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    DEFINITION_PUBLISH = "workflow.definition.publish"
    DEFINITION_RETIRE = "workflow.definition.retire"  # another version of its key published
    DEFINITION_UPLOAD = "workflow.definition.upload"
