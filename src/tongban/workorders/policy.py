"""Who may do what with a work order, decided in one place.

A user acts on an order in one or more capacities (actor kinds): the 12345 centre's dispatcher
and operator, the supervisor, and the handling department's staff for the orders of their
department. `actor_kinds` says which; the status table (workorders.states) says which kinds may
make each move; `require_act_as` refuses with PermissionDenied.
"""

from django.core.exceptions import PermissionDenied

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role
from tongban.workorders.codes import DEPARTMENT, DISPATCHER, OPERATOR, REPORTER, SUPERVISOR, SYSTEM

ROLE_OF_KIND = {
    DISPATCHER: Role.DISPATCHER,
    OPERATOR: Role.HOTLINE_OPERATOR,
    SUPERVISOR: Role.SUPERVISOR,
}


def actor_kinds(user, order=None) -> set[str]:
    """The capacities in which `user` may act on `order`."""
    if user is None:
        return set()
    kinds = {kind for kind, role in ROLE_OF_KIND.items() if user.has_role(role)}
    if (
        order is not None
        and order.department_id
        and user.has_role(Role.HANDLER)
        and can_act_for_department(user, order.department_id)
    ):
        kinds.add(DEPARTMENT)
    return kinds


def can_act_as(user, order, kind: str) -> bool:
    """The system and the reporter (checked by their own token) act as themselves."""
    return kind in (SYSTEM, REPORTER) or kind in actor_kinds(user, order)


def require_act_as(user, order, kind: str, message: str = "您无权对该工单执行此操作") -> None:
    if not can_act_as(user, order, kind):
        raise PermissionDenied(message)


def sees_every_order(user) -> bool:
    """The centre and the supervisors see every order; a department its own and those it helps."""
    return user.has_role(Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.SUPERVISOR)
