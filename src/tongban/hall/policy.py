"""Who may do what in the hall, decided in one place: window staff act in their own hall; the
hall's managers (and supervisors, platform administrators) manage its settings and see its
monitor. Each `can_*` answers yes or no; each `require_*` raises PermissionDenied."""

from django.core.exceptions import PermissionDenied

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.hall.models import HallSettings


def can_serve_in_hall(actor, hall_id: int) -> bool:
    try:
        require_clerk_in_hall(actor, hall_id)
    except PermissionDenied:
        return False
    return True


def require_clerk_in_hall(actor: User, hall_id: int) -> None:
    """Window staff of this hall (their profile says so), or a platform administrator."""
    if actor is None or not actor.is_authenticated or actor.kind != User.Kind.STAFF:
        raise PermissionDenied("只有窗口人员可以操作")
    if actor.has_role(Role.PLATFORM_ADMIN):
        return
    profile = getattr(actor, "staff_profile", None)
    if not actor.has_role(Role.WINDOW_CLERK) or profile is None:
        raise PermissionDenied("只有窗口人员可以操作")
    if profile.hall_id != hall_id:
        raise PermissionDenied("您不是本大厅的窗口人员")


def can_manage(actor: User, hall) -> bool:
    if actor is None or not actor.is_authenticated or actor.kind != User.Kind.STAFF:
        return False
    if actor.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR):
        return True
    setup = HallSettings.objects.filter(hall=hall).first()
    return setup is not None and setup.managers.filter(pk=actor.pk).exists()


def has_window(actor: User) -> bool:
    """Whether the calling console (hall_staff:console) has a window to call at for this person."""
    profile = getattr(actor, "staff_profile", None)
    return profile is not None and profile.window_id is not None


def manages_any_hall(actor: User) -> bool:
    """Whether the hall monitor (hall_staff:boards) has a hall to show this person."""
    if actor is None or not actor.is_authenticated or actor.kind != User.Kind.STAFF:
        return False
    if actor.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR):
        return True
    return HallSettings.objects.filter(managers=actor).exists()


def require_manage(actor, hall) -> None:
    if not can_manage(actor, hall):
        raise PermissionDenied("只有本大厅的管理人员可以操作")
