"""The audit action codes of the catalogue domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    CREATE_BASIC_ITEM = "catalog.create_basic_item"
    CREATE_ITEM = "catalog.create_item"
    EDIT_DRAFT_CHILDREN = "catalog.edit_draft_children"
    IMPORT_APPLIED = "catalog.import_applied"
    IMPORT_CONFIRMED = "catalog.import_confirmed"
    IMPORT_FAILED = "catalog.import_failed"
    IMPORT_VALIDATED = "catalog.import_validated"
    NEW_DRAFT = "catalog.new_draft"
    PUBLISH = "catalog.publish"
    SET_STRUCTURE = "catalog.set_structure"
    UPDATE_DRAFT = "catalog.update_draft"
    WITHDRAW = "catalog.withdraw"
