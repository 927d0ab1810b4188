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


def role_required(*roles: str):
    """Page decorator: logged-in staff holding one of `roles` (platform admins always pass)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.kind != User.Kind.STAFF or (
                roles and not request.user.has_role(*roles)
            ):
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

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
