"""The audit action codes of the rules domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string)."""

from enum import StrEnum


class AuditAction(StrEnum):
    DECIDE = "rules.decide"
    ELEMENT_DECLARE = "rules.element.declare"
    RULESET_CREATE = "rules.ruleset.create"
    TEST_ADD = "rules.test.add"
    TEST_REMOVE = "rules.test.remove"
    VERSION_DRAFT = "rules.version.draft"
    VERSION_PUBLISH = "rules.version.publish"
    VERSION_UPDATE = "rules.version.update"
    VERSION_WITHDRAW = "rules.version.withdraw"
