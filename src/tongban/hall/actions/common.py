"""Helpers shared by the hall's service modules: the hall's settings, who may act, history rows,
the transition check and the after-commit publication of a change to the live pages."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.hall import live, policy, states
from tongban.hall.models import HallSettings


def setup_of(hall) -> HallSettings:
    found = HallSettings.objects.filter(hall=hall).first()
    if found is None:
        found, _ = HallSettings.objects.get_or_create(hall=hall)
    return found


def local_now() -> datetime.datetime:
    return timezone.localtime(timezone.now())


def check_move(table: dict, current: str, target: str, actor_kind: str, labels, message: str):
    """Refuse a move the hall's machine (hall.states) does not allow for `actor_kind`; `message`
    may name the current status as %(status)s."""
    states.MACHINES[id(table)].check(current, target, actor_kind, message=message)


require_clerk_in_hall = policy.require_clerk_in_hall
can_manage = policy.can_manage


def publish_after_commit(hall_id: int) -> None:
    transaction.on_commit(lambda: live.publish(hall_id))


def no_show_rule() -> tuple[int, int, int]:
    """(no-shows that bar booking, days barred, days looked back): settings HALL_NO_SHOW_*."""
    return (
        settings.HALL_NO_SHOW_LIMIT,
        settings.HALL_NO_SHOW_BAN_DAYS,
        settings.HALL_NO_SHOW_LOOKBACK_DAYS,
    )
