from django.core.exceptions import PermissionDenied

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role

AUTHORS = (Role.CATALOGUE_ADMIN,)
PAYERS = (Role.HANDLER, Role.APPROVER)
ANSWERERS = (Role.HANDLER, Role.REVIEWER, Role.APPROVER)


def require_role(actor, department, roles, message: str) -> None:
    """A member of the policy's department with one of `roles` (platform admins pass); actor
    None is the system itself (matching runs, the demo loader)."""
    if actor is None:
        return
    if not actor.has_role(*roles) or not can_act_for_department(actor, department.pk):
        raise PermissionDenied(message)


def staff_may_see(actor, department) -> bool:
    return bool(
        actor.has_role(*AUTHORS, *PAYERS, *ANSWERERS, Role.SUPERVISOR)
        and can_act_for_department(actor, department.pk)
    )
