"""The status machine of a catalogue item version (core.statemachine): draft → published by the
department's catalogue administrator, published → superseded only by the system (when its
successor is published), published → withdrawn by the administrator. The catalogue's service
layer (catalog.actions.check_transition) checks every move against this table; who the
administrator is (role and department) is checked apart, by `require_catalogue_admin`."""

from tongban.accounts.roles import Role
from tongban.catalog.models import ImportBatch, ItemVersion
from tongban.core import statemachine

S = ItemVersion.Status
SYSTEM = statemachine.SYSTEM

# (from, to) → who may make the move.
TRANSITIONS = {
    (S.DRAFT, S.PUBLISHED): Role.CATALOGUE_ADMIN,
    (S.PUBLISHED, S.SUPERSEDED): SYSTEM,
    (S.PUBLISHED, S.WITHDRAWN): Role.CATALOGUE_ADMIN,
}

ITEM_VERSION = statemachine.register(
    statemachine.Machine(
        name="catalog.item_version",
        model="catalog.ItemVersion",
        states=ItemVersion.Status,
        table=TRANSITIONS,
        noun="事项版本",
        error_field="status",
    )
)


# An Excel import batch (catalog.excel): uploaded and validated by the catalogue administrator,
# who then confirms it (→ applying, applied by the background task) or applies it at once; the
# background task applies it or records its failure (nothing in the catalogue changed). Created
# as validated; applied and failed are final (a failed file is uploaded again as a new batch).
B = ImportBatch.Status
IMPORT_TRANSITIONS = {
    (B.VALIDATED, B.APPLYING): Role.CATALOGUE_ADMIN,  # confirmed: the task applies it
    (B.VALIDATED, B.APPLIED): Role.CATALOGUE_ADMIN,  # applied at once
    (B.APPLYING, B.APPLIED): SYSTEM,
    (B.APPLYING, B.FAILED): SYSTEM,
}

IMPORT_BATCH = statemachine.register(
    statemachine.Machine(
        name="catalog.import_batch",
        model="catalog.ImportBatch",
        states=ImportBatch.Status,
        table=IMPORT_TRANSITIONS,
        noun="导入批次",
        error_field="batch",
        # No audit prefix: the moves are audited by name (IMPORT_CONFIRMED, IMPORT_APPLIED,
        # IMPORT_FAILED), as the upload is (IMPORT_VALIDATED).
    )
)
