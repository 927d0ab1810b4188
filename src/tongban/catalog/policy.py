"""Who may do what with the catalogue, decided in one place: the staff pages use `can_*` to choose
what to offer, the service layer refuses through `require_*`.

Catalogue writes answer a refusal as a field error ({"actor": [...]}) that the editing pages show
next to the form, as they have from the start; the API maps it to its error shape.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role


def can_maintain(actor, department) -> bool:
    """A catalogue administrator of the item's department (platform administrators pass).
    actor None is the platform itself: the demo loader, migrations, management commands."""
    if actor is None:
        return True
    return bool(
        actor.is_authenticated
        and actor.has_role(Role.CATALOGUE_ADMIN)
        and can_act_for_department(actor, department.pk)
    )


def require_catalogue_admin(actor, department) -> None:
    """Writes need a catalogue administrator of the item's department."""
    if not can_maintain(actor, department):
        raise ValidationError({"actor": [gettext("只有本部门的事项管理员可以维护和发布事项")]})


def can_maintain_basic_items(actor) -> bool:
    """The basic catalogue (基本目录) is shared by every department: any catalogue administrator."""
    return actor is None or bool(actor.is_authenticated and actor.has_role(Role.CATALOGUE_ADMIN))


def require_basic_catalogue_admin(actor) -> None:
    if not can_maintain_basic_items(actor):
        raise ValidationError({"actor": [gettext("只有事项管理员可以维护基本目录")]})


def can_import(actor) -> bool:
    """A workbook import (导入事项) is a person's act, never the platform's own."""
    return actor is not None and can_maintain_basic_items(actor)


def require_importer(actor) -> None:
    if not can_import(actor):
        raise ValidationError({"actor": [gettext("只有事项管理员可以导入事项")]})
