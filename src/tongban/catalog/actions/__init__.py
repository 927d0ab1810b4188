"""The catalogue service layer, by subject: every change to items, versions, materials and
situations, and the reads the applying side shares (situation guidance, version history).

Each write validates first (ValidationError dicts keyed by field, Chinese messages), then writes in
one transaction with an audit record. Views, API, admin, Excel import and the demo loader call
these. Versions move only along TRANSITIONS (catalog.states); published versions are never edited;
who may write is catalog.policy. Callers import from `tongban.catalog.actions` (the public names
are re-exported here) or from the subject module.
"""

from tongban.catalog.actions.common import (
    ELEMENT_LABELS,
    WARM_DELAY_SECONDS,
    S,
    catalogue_changed,
    check_transition,
)
from tongban.catalog.actions.counters import (
    VIEWS_FLUSH_CHUNK,
    VIEWS_KEY,
    flush_view_counts,
    record_view,
)
from tongban.catalog.actions.elements import (
    completeness_problems,
    validate_elements,
    working_day_equivalent,
)
from tongban.catalog.actions.history import diff_versions
from tongban.catalog.actions.items import create_basic_item, create_item, update_draft
from tongban.catalog.actions.situations import (
    STRUCTURES_KEPT,
    Guidance,
    answers_from,
    forget_version_structures,
    resolve_situation,
    version_structure,
)
from tongban.catalog.actions.structure import (
    MaterialSpec,
    duplicate_children,
    save_draft_children,
    set_structure,
    structure_problems,
)
from tongban.catalog.actions.versions import four_eyes_refusal, new_draft, publish, withdraw
from tongban.catalog.policy import require_catalogue_admin
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS

__all__ = [
    "ELEMENT_LABELS",
    "ITEM_VERSION",
    "STRUCTURES_KEPT",
    "SYSTEM",
    "TRANSITIONS",
    "VIEWS_FLUSH_CHUNK",
    "VIEWS_KEY",
    "WARM_DELAY_SECONDS",
    "Guidance",
    "MaterialSpec",
    "S",
    "answers_from",
    "catalogue_changed",
    "check_transition",
    "completeness_problems",
    "create_basic_item",
    "create_item",
    "diff_versions",
    "duplicate_children",
    "flush_view_counts",
    "forget_version_structures",
    "four_eyes_refusal",
    "new_draft",
    "publish",
    "record_view",
    "require_catalogue_admin",
    "resolve_situation",
    "save_draft_children",
    "set_structure",
    "structure_problems",
    "update_draft",
    "validate_elements",
    "version_structure",
    "withdraw",
    "working_day_equivalent",
]
