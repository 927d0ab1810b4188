"""Role and department checks shared by pages (decorator) and the API (DRF permission)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from tongban.accounts.models import User
from tongban.accounts.roles import Role


def staff_department_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.department_id if profile else None


def can_act_for_department(user, department_id: int | None) -> bool:
    """Staff act only for their own department; platform administrators act for all."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.STAFF:
        return False
    if user.has_role(Role.PLATFORM_ADMIN):
        return True
    return department_id is not None and staff_department_id(user) == department_id


def departments_served(user) -> set[int]:
    """Departments a staff member acts for: their own, and every department their window accepts
    for (a comprehensive window, 综合窗口, serves several)."""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return set()
    served = {profile.department_id}
    if profile.window_id:
        served |= set(profile.window.departments.values_list("pk", flat=True))
    return served


def serves_department(user, department_id: int) -> bool:
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.STAFF:
        return False
    return user.has_role(Role.PLATFORM_ADMIN) or department_id in departments_served(user)


def passes_role_guard(user, roles: tuple[str, ...]) -> bool:
    """The check `role_required(*roles)` makes: staff holding one of `roles` (any staff when empty)."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.STAFF:
        return False
    return not roles or user.has_role(*roles)


def role_required(*roles: str):
    """Page decorator: logged-in staff holding one of `roles` (platform admins always pass).

    The wrapped view carries its guard as `access_guard(user) -> bool`, so navigation can offer a
    link exactly when the page would answer (tongban.workbench.nav)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not passes_role_guard(request.user, roles):
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

        wrapper.required_roles = tuple(roles)
        wrapper.access_guard = lambda user: passes_role_guard(user, tuple(roles))
        return wrapper

    return decorator


def staff_required(view):
    return role_required()(view)


class HasStaffRole(BasePermission):
    """DRF: set `required_roles` on the view; an empty tuple means any staff member."""

    message = "您的角色无权执行此操作"

    def has_permission(self, request, view):
        user = request.user
        if not user.is_authenticated or user.kind != User.Kind.STAFF:
            return False
        roles = getattr(view, "required_roles", ())
        return not roles or user.has_role(*roles)
