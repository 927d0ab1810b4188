"""Who may do what with e-licences, decided in one place.

Each `can_*` answers yes or no (pages use it to choose what to offer); each `require_*` raises
PermissionDenied with the reason in Chinese (the service layer refuses through it, and the views and
the API turn it into a 403 without reading the text).
"""

from django.core.exceptions import PermissionDenied

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.licences import states

# Issuing (and the moves a department makes on its licences): the 承办 and 批准 staff of the
# issuing department. The staff register of licences: the department's case handlers.
ISSUER_ROLES = (Role.HANDLER, Role.APPROVER)
DESK_ROLES = (Role.HANDLER, Role.REVIEWER, Role.APPROVER)
# Looking up a person's licences while handling their case (window acceptance included).
LOOKUP_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)


class NotPermitted(PermissionDenied):
    """The actor may not make this move (wrong role or not the issuing department)."""


def _is_staff(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.kind == "staff"


def can_issue(actor, licence_type=None) -> bool:
    """A handler or approver (of the type's issuing department, when the type is known)."""
    if not (_is_staff(actor) and actor.has_role(*ISSUER_ROLES)):
        return False
    return licence_type is None or serves_department(actor, licence_type.issuing_department_id)


def require_issuer(actor, licence_type=None) -> None:
    """actor None is the platform itself (a case's 出证办结, the demo loader)."""
    if actor is None:
        return
    if not can_issue(actor, licence_type):
        raise NotPermitted("只有颁发机构的承办或批准人员可以签发该类证照")


def can_move(actor, licence, target: str) -> bool:
    """The roles the status table names for this move, in the issuing department."""
    roles = states.allowed_roles(licence.status, target)
    if actor is None:
        return states.SYSTEM in roles
    staff_roles = [role for role in roles if role != states.SYSTEM]
    return bool(
        staff_roles
        and _is_staff(actor)
        and actor.has_role(*staff_roles)
        and serves_department(actor, licence.issuer_id)
    )


def require_move(actor, licence, target: str) -> None:
    if can_move(actor, licence, target):
        return
    if actor is None:
        raise NotPermitted("该操作须由颁发机构的工作人员作出")
    roles = [r for r in states.allowed_roles(licence.status, target) if r != states.SYSTEM]
    names = "、".join(str(Role(role).label) for role in roles) or "系统"
    raise NotPermitted(
        f"只有颁发机构（{licence.issuer.name}）的{names}人员可以办理该证照的这项操作"
    )


def can_end(actor, licence) -> bool:
    """The staff page offers 撤销 or 注销 (the form says which the actor may make)."""
    return any(
        can_move(actor, licence, target)
        for target in (states.S.REVOKED, states.S.CANCELLED)
        if states.LICENCE.allows(licence.status, target)
    )


def can_lookup(actor) -> bool:
    return (
        _is_staff(actor) and actor.is_active and bool(set(actor.role_codes()) & set(LOOKUP_ROLES))
    )


def require_lookup(actor) -> None:
    if not can_lookup(actor):
        raise PermissionDenied("只有窗口受理、承办、审核、批准人员在办理办件时可以查询证照")


def require_lookup_for_case(actor, application) -> None:
    """The case the look-up is made for is handled by the actor's department (or window)."""
    if not serves_department(actor, application.service_item.department_id):
        raise PermissionDenied("该办件不属于您所在部门（或窗口）办理，不能以其名义查询证照")
