"""The status machine of a catalogue item version (core.statemachine): draft → published by the
department's catalogue administrator, published → superseded only by the system (when its
successor is published), published → withdrawn by the administrator. The catalogue's service
layer (catalog.actions.check_transition) checks every move against this table; who the
administrator is (role and department) is checked apart, by `require_catalogue_admin`."""

from tongban.accounts.roles import Role
from tongban.catalog.models import ItemVersion
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
