"""The intake service layer, by subject: forms, drafts, materials, commitments (告知承诺 and 容缺),
submission and the full view of personal data. Views and the API call these.

Each function checks who may act (applications.policy) and whether the move is allowed, writes in
one transaction, keeps history (StatusChange, TimelineEvent) and the audit record. Typed data is
never thrown away: a save keeps what was typed even when it is invalid, and a refused submission
leaves the draft as it was. Callers import from `tongban.applications.actions` (the public names
are re-exported here) or from the subject module.
"""

from tongban.applications.actions.commitments import (
    commitment_options,
    commitment_statement,
    sign_commitment,
    withdraw_commitment,
)
from tongban.applications.actions.common import (
    MAX_FILES_PER_MATERIAL,
    ORGANISATION_OBJECTS,
    PERSON_OBJECT,
    SUBMISSION_READ,
    May,
    check_editable,
    locked,
    move,
    prefill_context,
    prefilled_fields,
    required_materials,
)
from tongban.applications.actions.drafts import (
    discard_draft,
    open_drafts,
    realname_shortfall,
    save_section,
    start_application,
)
from tongban.applications.actions.forms import publish_form, published_form
from tongban.applications.actions.materials import (
    attach_file,
    material_checklist,
    remove_file,
    supply_deferred_material,
)
from tongban.applications.actions.personal_data import reveal_form_value
from tongban.applications.actions.submission import (
    apply_in_one,
    submission_problems,
    submit,
    withdraw,
)

__all__ = [
    "MAX_FILES_PER_MATERIAL",
    "ORGANISATION_OBJECTS",
    "PERSON_OBJECT",
    "SUBMISSION_READ",
    "May",
    "apply_in_one",
    "attach_file",
    "check_editable",
    "commitment_options",
    "commitment_statement",
    "discard_draft",
    "locked",
    "material_checklist",
    "move",
    "open_drafts",
    "prefill_context",
    "prefilled_fields",
    "publish_form",
    "published_form",
    "realname_shortfall",
    "remove_file",
    "required_materials",
    "reveal_form_value",
    "save_section",
    "sign_commitment",
    "start_application",
    "submission_problems",
    "submit",
    "supply_deferred_material",
    "withdraw",
    "withdraw_commitment",
]
