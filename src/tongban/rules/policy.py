"""Who may write and publish rules, decided in one place: the department's catalogue
administrators (platform administrators act for every department). actor None is the platform
itself (the demo loader, commands)."""

from django.core.exceptions import PermissionDenied

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role


def can_author(user, department_id: int) -> bool:
    return user.has_role(Role.CATALOGUE_ADMIN) and can_act_for_department(user, department_id)


def require_author(actor, department) -> None:
    if actor is None:
        return
    if not can_author(actor, department.pk):
        raise PermissionDenied("只有本部门的事项管理员可以编写和发布规则")
