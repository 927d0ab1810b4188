"""What every work-order move shares: locking, the transition check, history, audit, telling people."""

import logging
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit, pii, plugins, statemachine
from tongban.notify import actions as notify
from tongban.workorders import deadlines, policy
from tongban.workorders.audit_actions import AuditAction
from tongban.workorders.codes import (
    FINAL,
    MOVE_LABELS,
    Status,
)
from tongban.workorders.models import WorkOrder
from tongban.workorders.states import WORK_ORDER, history_row

log = logging.getLogger(__name__)

TEXT_MAX = 2000
NOTE_MAX = 1000

ROLE_OF_KIND = policy.ROLE_OF_KIND
actor_kinds = policy.actor_kinds


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
    policy.require_act_as(actor, order, as_kind)
    current = order.status
    message = f"工单当前状态为“%(before)s”，不能{MOVE_LABELS.get(move_code, move_code)}"
    WORK_ORDER.check(current, target, as_kind, move=move_code, message=message)
    if target in FINAL:
        order.alert_key = None  # a new alert from the sensor opens a new order
        order.closed_at = order.closed_at or timezone.now()
    # the status is saved below, with the warning that depends on it
    statemachine.transition(
        order,
        target,
        actor=actor,
        actor_kind=as_kind,
        move=move_code,
        machine=WORK_ORDER,
        message=message,
        save=False,
        reason=note,
        history={"move_code": move_code, "as_kind": as_kind, "public": public},
        audit_action=AuditAction(f"workorders.{move_code}"),
        audit_role=as_kind,
        audit_detail=detail,
    )
    order.warning = deadlines.warning_for(order)
    order.callback_warning = deadlines.callback_warning_for(order)
    order.save()
    if public:
        message_reporter(order, move_code, note)
    return order


# What the reporter is told in 我的消息 when their order reaches a status (the move decides the
# wording where one status is reached in several ways).
PROGRESS_STAGES = {
    ("register", Status.REGISTERED): "已受理立案",
    ("dispatch", Status.DISPATCHED): "已派至{department}办理",
    ("reassign", Status.DISPATCHED): "已改派至{department}办理",
    ("callback", Status.DISPATCHED): "已按您的意见要求{department}重新办理",
    ("supervise_redo", Status.DISPATCHED): "经督查，已责令{department}重新办理",
    ("hand_down", Status.HANDED_DOWN): "已下派至{handed_down}处置",
    ("reply", Status.REPLIED): "已办结",
    ("callback", Status.ESCALATED): "已转效能督查",
    ("callback", Status.CLOSED): "已结案，感谢您的评价",
    ("answer", Status.CLOSED): "已答复办结",
    ("supervise_close", Status.CLOSED): "经督查已结案",
    ("merge", Status.MERGED): "与同一问题的工单{primary}合并办理，结果将一并告知您",
}


def progress_link(order: WorkOrder) -> str:
    return f"/workorders/mine/{order.number}/"


def message_reporter(order: WorkOrder, move_code: str, note: str = "", *, detail: str = "") -> None:
    """An in-app message to a signed-in reporter (notify's inbox channel, written in the same
    transaction as the move). Reporters without an account have no inbox: they get the SMS."""
    stage = PROGRESS_STAGES.get((move_code, order.status))
    if stage is None or order.reporter_id is None:
        return
    stage = stage.format(
        department=(order.department.short_name or order.department.name)
        if order.department_id
        else "承办部门",
        handed_down=order.handed_down_to.name if order.handed_down_to_id else "街道社区",
        primary=order.merged_into.number if order.merged_into_id else "",
    )
    if move_code == "reply" and not detail:
        detail = f"办理结果：{order.reply}"
    notify.send(
        order.reporter,
        "workorder.progress",
        {
            "number": order.number,
            "stage": stage,
            "detail": detail[:300],
            "can_rate": order.status == Status.REPLIED,
        },
        channels=["inapp"],
        related=order,
        link=progress_link(order),
    )


def history(order, move_code, from_status, *, actor, as_kind, note="", public=True):
    return history_row(
        order,
        from_status,
        order.status,
        actor=actor,
        reason=note,
        move_code=move_code,
        as_kind=as_kind,
        public=public,
    )


def side_record(order, move_code, *, actor, as_kind, note="", public=False, detail=None):
    """A move that leaves the status as it is (延期, 协办, 督办): history and audit only."""
    history(order, move_code, order.status, actor=actor, as_kind=as_kind, note=note, public=public)
    audit.record(
        AuditAction(f"workorders.{move_code}"),
        actor=actor,
        obj=order,
        role=as_kind,
        detail=detail or {},
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
