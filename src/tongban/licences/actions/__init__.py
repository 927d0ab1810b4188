"""The e-licence service layer, by subject: issuing (first versions and 变更/延续), expiry and
reminders, 免证可办 (a material fulfilled from the wallet), 亮证 tokens, verification and the staff
look-up; 撤销 and 注销 live in licences.status.

Every state change runs in one transaction with an audit record; views, the API, the case
workflow and the Celery jobs call these functions and change nothing on their own. Callers import
from `tongban.licences.actions` (everything is re-exported here) or from the subject module.
"""

from tongban.licences.actions.common import (
    ENDED,
    ISSUER_ROLES,
)
from tongban.licences.actions.expiry import (
    _renewal_link,
    expire_due,
    reminder_statistics,
    send_expiry_reminders,
)
from tongban.licences.actions.holders import (
    _account_for,
    applicant_identity,
    holds,
    type_for_item,
    wallet,
)
from tongban.licences.actions.issuing import (
    SITUATIONS,
    _field_data,
    _holder_of,
    _issue,
    _new_version,
    _require_issuer,
    _sections,
    _version_for_case,
    change,
    current_licence,
    issue,
    issue_for_case,
    new_version,
    renew,
    situation_of,
    verification_page_url,
)
from tongban.licences.actions.lookup import (
    LOOKUP_ROLES,
    OPEN_CASE_STATUSES,
    _case_finder,
    _case_for_lookup,
    lookup,
    register_case_finder,
)
from tongban.licences.actions.material_use import (
    checklist_licences,
    matches_material,
    record_material_use,
    withdraw_material_use,
)
from tongban.licences.actions.showing import (
    SHOW_SALT,
    read_show_token,
    show_token,
    show_token_seconds,
    token_licence_id,
)
from tongban.licences.actions.verification import (
    Verification,
    latest_version,
    status_sentence,
    subject_status,
    verify,
    verify_file,
)
from tongban.licences.status import CancelReason, cancel, revoke

__all__ = [
    "ENDED",
    "ISSUER_ROLES",
    "LOOKUP_ROLES",
    "OPEN_CASE_STATUSES",
    "SHOW_SALT",
    "SITUATIONS",
    "CancelReason",
    "Verification",
    "_account_for",
    "_case_finder",
    "_case_for_lookup",
    "_field_data",
    "_holder_of",
    "_issue",
    "_new_version",
    "_renewal_link",
    "_require_issuer",
    "_sections",
    "_version_for_case",
    "applicant_identity",
    "cancel",
    "change",
    "checklist_licences",
    "current_licence",
    "expire_due",
    "holds",
    "issue",
    "issue_for_case",
    "latest_version",
    "lookup",
    "matches_material",
    "new_version",
    "read_show_token",
    "record_material_use",
    "register_case_finder",
    "reminder_statistics",
    "renew",
    "revoke",
    "send_expiry_reminders",
    "show_token",
    "show_token_seconds",
    "situation_of",
    "status_sentence",
    "subject_status",
    "token_licence_id",
    "type_for_item",
    "verification_page_url",
    "verify",
    "verify_file",
    "wallet",
    "withdraw_material_use",
]
