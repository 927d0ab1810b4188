"""Who may do what in the data exchange, decided in one place.

Resources are maintained, and requests for them decided, by a catalogue administrator of the
providing department; a using department's staff request data for it; the platform administrator
registers consumers. Each `can_*` answers yes or no (pages choose what to offer); each
`require_*` raises PermissionDenied. actor None is the platform itself (demo loader, commands).
"""

from django.core.exceptions import PermissionDenied

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role


def can_manage_resources(user, department_id: int) -> bool:
    return user.has_role(Role.CATALOGUE_ADMIN) and can_act_for_department(user, department_id)


def require_data_admin(actor, department) -> None:
    if actor is None:
        return
    if not can_manage_resources(actor, department.pk):
        raise PermissionDenied("只有提供部门的资源管理员可以维护数据资源和审核申请")


def can_decide(user, access_request) -> bool:
    return can_manage_resources(user, access_request.resource.department_id)


def can_request_for(user, consumer) -> bool:
    return can_act_for_department(user, consumer.department_id)


def require_requester(actor, consumer) -> None:
    if actor is None:
        return
    if not can_request_for(actor, consumer):
        raise PermissionDenied("只有使用方所属部门的工作人员可以为其申请数据")


def can_register_consumers(user) -> bool:
    return user.has_role(Role.PLATFORM_ADMIN)


def require_register_consumers(actor) -> None:
    if actor is not None and not can_register_consumers(actor):
        raise PermissionDenied("只有平台管理员可以登记数据使用方")


def can_set_substitutes(user) -> bool:
    return user.has_role(Role.CATALOGUE_ADMIN)


def require_set_substitutes(actor) -> None:
    if actor is not None and not can_set_substitutes(actor):
        raise PermissionDenied("只有事项管理员可以设置免提交材料")


def sees_every_department(user) -> bool:
    """Platform administrators see every department's requests, grants and consumers."""
    return user.has_role(Role.PLATFORM_ADMIN)
