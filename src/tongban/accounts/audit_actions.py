"""The audit action codes of the accounts domain: every audit record it writes names one of these
(tongban.core.tests.test_audit_actions checks that no code is written as a bare string). A full
view of personal data is core's PiiAction.REVEAL, whichever domain shows it."""

from enum import StrEnum


class AuditAction(StrEnum):
    AUTHORISE_AGENT = "accounts.authorise_agent"
    CHANGE_EMAIL = "accounts.change_email"
    CREATE_STAFF = "accounts.create_staff"
    DEACTIVATE = "accounts.deactivate"
    GRANT_ROLE = "accounts.grant_role"
    LOGIN = "accounts.login"
    LOGOUT = "accounts.logout"
    REACTIVATE = "accounts.reactivate"
    REGISTER_CITIZEN = "accounts.register_citizen"
    REGISTER_ENTERPRISE = "accounts.register_enterprise"
    RESET_PASSWORD = "accounts.reset_password"  # noqa: S105 (a code, not a password)
    REVOKE_AGENT = "accounts.revoke_agent"
    REVOKE_ROLE = "accounts.revoke_role"
    SET_WORKPLACE = "accounts.set_workplace"
    UPDATE = "accounts.update"
