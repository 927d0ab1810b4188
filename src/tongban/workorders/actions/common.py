"""What every work-order move shares: locking, the transition check, history, audit, telling people."""

import logging
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role
from tongban.core import audit, pii, plugins
from tongban.workorders import deadlines
from tongban.workorders.codes import (
    DEPARTMENT,
    DISPATCHER,
    FINAL,
    MOVE_LABELS,
    OPERATOR,
    REPORTER,
    SUPERVISOR,
    SYSTEM,
    Status,
    allowed,
)
from tongban.workorders.models import WorkOrder, WorkOrderHistory

log = logging.getLogger(__name__)

TEXT_MAX = 2000
NOTE_MAX = 1000

ROLE_OF_KIND = {
    DISPATCHER: Role.DISPATCHER,
    OPERATOR: Role.HOTLINE_OPERATOR,
    SUPERVISOR: Role.SUPERVISOR,
}


def actor_kinds(user, order: WorkOrder | None = None) -> set[str]:
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


def clean_note(value: str, field: str, message: str, *, required: bool = True) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ValidationError({field: [message]})
    if len(value) > NOTE_MAX:
        raise ValidationError({field: [f"内容不能超过{NOTE_MAX}字"]})
    return value


def locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=order.pk)


def move(
    order: WorkOrder,
    target: str,
    move_code: str,
    *,
    actor,
    as_kind: str,
    note: str = "",
    public: bool = True,
    detail: dict | None = None,
) -> WorkOrder:
    """Check the transition and the actor, set the status, append history and audit.
    Call inside a transaction on a locked order; the caller saves its other fields first or after."""
    if as_kind not in (SYSTEM, REPORTER) and as_kind not in actor_kinds(actor, order):
        raise PermissionDenied("您无权对该工单执行此操作")
    current = order.status
    if not allowed(current, target, move_code, as_kind):
        raise ValidationError(
            f"工单当前状态为“{Status(current).label}”，不能{MOVE_LABELS.get(move_code, move_code)}"
        )
    order.status = target
    if target in FINAL:
        order.alert_key = None  # a new alert from the sensor opens a new order
        order.closed_at = order.closed_at or timezone.now()
    order.warning = deadlines.warning_for(order)
    order.save()
    history(order, move_code, current, actor=actor, as_kind=as_kind, note=note, public=public)
    audit.record(
        f"workorders.{move_code}",
        actor=actor,
        obj=order,
        role=as_kind,
        detail={"from": current, "to": target, **(detail or {})},
    )
    return order


def history(order, move_code, from_status, *, actor, as_kind, note="", public=True):
    return WorkOrderHistory.objects.create(
        order=order,
        move=move_code,
        from_status=from_status,
        to_status=order.status,
        actor=actor,
        actor_kind=as_kind,
        department=order.department,
        note=note,
        public=public,
    )


def side_record(order, move_code, *, actor, as_kind, note="", public=False, detail=None):
    """A move that leaves the status as it is (延期, 协办, 督办): history and audit only."""
    history(order, move_code, order.status, actor=actor, as_kind=as_kind, note=note, public=public)
    audit.record(
        f"workorders.{move_code}", actor=actor, obj=order, role=as_kind, detail=detail or {}
    )


def _send_sms(phone: str, text: str, reference: str) -> None:
    try:
        plugins.get_plugin("sms").send_sms(phone, text, reference=reference)
    except Exception:  # the order is saved all the same; never log the phone in full
        log.warning("work-order SMS to %s not sent", pii.mask_phone(phone), exc_info=True)


def tell_reporter(order: WorkOrder, text: str, reference: str) -> None:
    """An SMS to the reporter after commit (callers without an account have only their phone)."""
    if order.reporter_phone:
        transaction.on_commit(partial(_send_sms, order.reporter_phone, text, reference))
