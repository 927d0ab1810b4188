"""Helpers shared by the hall's service modules: the hall's settings, who may act, history rows,
the transition check and the after-commit publication of a change to the live pages."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.hall import live
from tongban.hall.codes import allowed
from tongban.hall.models import HallSettings


def setup_of(hall) -> HallSettings:
    found = HallSettings.objects.filter(hall=hall).first()
    if found is None:
        found, _ = HallSettings.objects.get_or_create(hall=hall)
    return found


def local_now() -> datetime.datetime:
    return timezone.localtime(timezone.now())


def check_move(table: dict, current: str, target: str, actor_kind: str, labels, message: str):
    if not allowed(table, current, target, actor_kind):
        raise ValidationError(message % {"status": labels(current).label})


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
    return setup_of(hall).managers.filter(pk=actor.pk).exists()


def publish_after_commit(hall_id: int) -> None:
    transaction.on_commit(lambda: live.publish(hall_id))


def no_show_rule() -> tuple[int, int, int]:
    """(no-shows that bar booking, days barred, days looked back): settings HALL_NO_SHOW_*."""
    return (
        settings.HALL_NO_SHOW_LIMIT,
        settings.HALL_NO_SHOW_BAN_DAYS,
        settings.HALL_NO_SHOW_LOOKBACK_DAYS,
    )
