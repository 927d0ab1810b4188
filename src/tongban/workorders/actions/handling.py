"""派单 and the department's handling: 签收, 退单 (clock paused), 下派, 延期 (dispatcher approves),
协办, 改派, 办结反馈, 督办, and the warnings sweep."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.accounts.permissions import can_act_for_department
from tongban.core import audit, statemachine
from tongban.core.models import Department, Region
from tongban.workorders import deadlines, policy, states
from tongban.workorders.actions.common import (
    clean_note,
    locked,
    message_reporter,
    move,
    side_record,
    tell_reporter,
)
from tongban.workorders.audit_actions import AuditAction
from tongban.workorders.codes import (
    DEPARTMENT,
    DISPATCHER,
    SUPERVISOR,
    RequestStatus,
    Status,
)
from tongban.workorders.models import Assist, Category, Correction, Extension, Photo, WorkOrder

MAX_EXTENSION_HOURS = 24 * 30
# What a second decision on a 延期申请 / a second answer to a 协办 is refused with.
ALREADY_DECIDED = "该延期申请已处理"
ALREADY_ANSWERED = "该协办已答复"


def start_clock(order: WorkOrder, now: datetime.datetime, *, fresh: bool) -> None:
    """A first 派单 (or a 重办) starts a new allotted time; after a 退单 the paused time is added."""
    if fresh or order.base_due_at is None:
        order.dispatched_at = now
        order.base_due_at = deadlines.base_due(order.category, order.urgency, now)
        order.paused_seconds = 0
        order.extension_hours = 0
    elif order.paused_at is not None:
        order.paused_seconds += int((now - order.paused_at).total_seconds())
    order.paused_at = None
    order.due_at = deadlines.effective_due(order, now)


def dispatch_as(order, *, department, rule=None, note="", actor, as_kind, fresh=None):
    """The one place an order goes to a department (system routing, dispatcher, 重办)."""
    now = timezone.now()
    previous = order.status
    order.department = department
    order.routing_rule = rule
    order.routing_note = note[:200]
    order.handed_down_to = None
    start_clock(order, now, fresh=previous == Status.REGISTERED if fresh is None else fresh)
    return move(
        order,
        Status.DISPATCHED,
        "dispatch",
        actor=actor,
        as_kind=as_kind,
        note=f"派至{department.name}（{note}）" if note else f"派至{department.name}",
        detail={"department": department.pk, "rule": rule.pk if rule else None},
    )


def _department(department_id) -> Department:
    department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise ValidationError({"department": ["请选择承办部门"]})
    return department


def _correct_category(order: WorkOrder, category_code: str, actor) -> None:
    """The dispatcher's category replaces the classifier's; a differing one is kept for retraining."""
    if not category_code:
        if order.category is None:
            raise ValidationError({"category": ["请选择诉求分类"]})
        return
    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise ValidationError({"category": ["所选分类不存在或已停用"]})
    if order.suggested_category_id and category.pk != order.suggested_category_id:
        Correction.objects.create(order=order, text=order.text, category=category, by=actor)
    order.category = category


@transaction.atomic
def dispatch(order: WorkOrder, *, actor, department_id, category_code: str = "", note: str = ""):
    """派单 by the dispatcher (a registered or returned order)."""
    order = locked(order)
    department = _department(department_id)
    _correct_category(order, category_code, actor)
    note = clean_note(note, "note", "", required=False) or "派单员人工派单"
    return dispatch_as(order, department=department, note=note, actor=actor, as_kind=DISPATCHER)


@transaction.atomic
def reassign(order: WorkOrder, *, actor, department_id, reason: str, category_code: str = ""):
    """改派: the dispatcher moves a dispatched or accepted order to another department."""
    order = locked(order)
    reason = clean_note(reason, "reason", "请填写改派理由")
    department = _department(department_id)
    if department.pk == order.department_id:
        raise ValidationError({"department": ["改派的部门与当前承办部门相同"]})
    _correct_category(order, category_code, actor)
    order.department = department
    order.routing_rule = None
    order.routing_note = f"改派：{reason}"[:200]
    order.handed_down_to = None
    return move(
        order,
        Status.DISPATCHED,
        "reassign",
        actor=actor,
        as_kind=DISPATCHER,
        note=f"改派至{department.name}：{reason}",
        detail={"department": department.pk},
    )


@transaction.atomic
def accept(order: WorkOrder, *, actor):
    order = locked(order)
    return move(order, Status.ACCEPTED, "accept", actor=actor, as_kind=DEPARTMENT, note="已签收")


@transaction.atomic
def return_order(order: WorkOrder, *, actor, reason: str):
    """退单: back to the dispatcher with a reason; the clock stops until the next 派单."""
    order = locked(order)
    reason = clean_note(reason, "reason", "退单必须填写理由（例如：不属于本部门职责）")
    order.paused_at = timezone.now()
    return move(
        order,
        Status.RETURNED,
        "return",
        actor=actor,
        as_kind=DEPARTMENT,
        note=f"退单：{reason}",
        public=False,
    )


@transaction.atomic
def hand_down(order: WorkOrder, *, actor, region_code: str, note: str = ""):
    """下派 to a street (街道) or community (社区) of the city."""
    order = locked(order)
    region = Region.objects.filter(
        code=region_code, level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE)
    ).first()
    if region is None:
        raise ValidationError({"region": ["请选择要下派的街道（乡镇）或社区（村）"]})
    note = clean_note(note, "note", "", required=False)
    order.handed_down_to = region
    return move(
        order,
        Status.HANDED_DOWN,
        "hand_down",
        actor=actor,
        as_kind=DEPARTMENT,
        note=f"下派至{region.full_name}" + (f"：{note}" if note else ""),
    )


@transaction.atomic
def request_extension(order: WorkOrder, *, actor, hours, reason: str) -> Extension:
    order = locked(order)
    policy.require_act_as(actor, order, DEPARTMENT, "只有承办部门可以申请延期")
    if order.status not in (Status.DISPATCHED, Status.ACCEPTED, Status.HANDED_DOWN):
        raise ValidationError("工单不在办理中，不能申请延期")
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise ValidationError({"hours": [f"延期时长应为1至{MAX_EXTENSION_HOURS}小时"]})
    reason = clean_note(reason, "reason", "请填写延期理由")
    if order.extensions.filter(status=RequestStatus.PENDING).exists():
        raise ValidationError("已有一份延期申请待审批")
    extension = Extension.objects.create(
        order=order, hours=hours, reason=reason, requested_by=actor
    )
    side_record(
        order,
        "extension_request",
        actor=actor,
        as_kind=DEPARTMENT,
        note=f"申请延期{hours}小时：{reason}",
        detail={"hours": hours},
    )
    return extension


@transaction.atomic
def decide_extension(extension: Extension, *, actor, approve: bool, note: str = "") -> Extension:
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    order = locked(extension.order)
    policy.require_act_as(actor, order, DISPATCHER, "只有派单员可以审批延期")
    target = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    states.EXTENSION.check(extension.status, target, DISPATCHER, message=ALREADY_DECIDED)
    note = clean_note(note, "note", "", required=False)
    extension.decided_by, extension.decided_at = actor, timezone.now()
    # The audit record and the history row are the order's (side_record below).
    statemachine.transition(
        extension,
        target,
        actor=actor,
        actor_kind=DISPATCHER,
        machine=states.EXTENSION,
        message=ALREADY_DECIDED,
        update_fields=None,
        write_audit=False,
    )
    if approve:
        order.extension_hours += extension.hours
        order.due_at = deadlines.effective_due(order)
        order.warning = deadlines.warning_for(order)
        order.save()
    side_record(
        order,
        "extension_decide",
        actor=actor,
        as_kind=DISPATCHER,
        note=("同意延期" if approve else "不同意延期") + (f"：{note}" if note else ""),
        detail={"extension": extension.pk, "approved": approve},
    )
    return extension


@transaction.atomic
def request_assist(order: WorkOrder, *, actor, department_id, request: str) -> Assist:
    """协办: the lead department asks another department for help."""
    order = locked(order)
    policy.require_act_as(actor, order, DEPARTMENT, "只有承办部门可以发起协办")
    if order.status not in (Status.ACCEPTED, Status.HANDED_DOWN):
        raise ValidationError("请先签收工单，再发起协办")
    department = _department(department_id)
    if department.pk == order.department_id:
        raise ValidationError({"department": ["协办部门不能是本部门"]})
    request = clean_note(request, "request", "请写明需要协办的事项")
    assist = Assist.objects.create(
        order=order, department=department, request=request, requested_by=actor
    )
    side_record(
        order,
        "assist_request",
        actor=actor,
        as_kind=DEPARTMENT,
        note=f"请{department.name}协办：{request}",
        detail={"department": department.pk},
    )
    return assist


@transaction.atomic
def answer_assist(assist: Assist, *, actor, answer: str) -> Assist:
    assist = Assist.objects.select_for_update().select_related("order").get(pk=assist.pk)
    if not can_act_for_department(actor, assist.department_id):
        raise ValidationError("只有被请求协办的部门可以答复")
    states.ASSIST.check(assist.status, RequestStatus.DONE, DEPARTMENT, message=ALREADY_ANSWERED)
    assist.answer = clean_note(answer, "answer", "请填写协办意见")
    assist.answered_at = timezone.now()
    # The audit record and the history row are the order's (side_record below).
    statemachine.transition(
        assist,
        RequestStatus.DONE,
        actor=actor,
        actor_kind=DEPARTMENT,
        machine=states.ASSIST,
        message=ALREADY_ANSWERED,
        update_fields=None,
        write_audit=False,
    )
    side_record(
        assist.order,
        "assist_reply",
        actor=actor,
        as_kind=DEPARTMENT,
        note=f"{assist.department.name}协办意见：{assist.answer}",
    )
    return assist


@transaction.atomic
def reply(order: WorkOrder, *, actor, text: str, photos=()) -> WorkOrder:
    """办结反馈: the department's reply (required) and photos; every reporter is told, including
    those whose orders were merged into this one."""
    from tongban.workorders.actions.intake import _photos, save_photo

    order = locked(order)
    text = clean_note(text, "reply", "请填写办理结果（答复内容不能为空）")
    errors: dict = {}
    checked = _photos(photos, errors)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    order.reply, order.replied_at = text, now
    order.replied_on_time = order.due_at is None or now <= order.due_at
    order.callback_due_at = deadlines.callback_due(now)
    order.called_back_at = order.called_back_on_time = None
    for photo in checked:
        save_photo(order, photo, Photo.Stage.REPLY)
    move(order, Status.REPLIED, "reply", actor=actor, as_kind=DEPARTMENT, note=text)
    _share_result(order, text)
    return order


def _share_result(order: WorkOrder, text: str) -> None:
    message = f"您反映的问题（工单{order.number}）已办结：{text[:60].rstrip('。')}。可凭工单号和手机尾号查询详情并评价。"
    tell_reporter(order, message, f"wo-{order.number}-reply-{order.reopen_count}")
    for merged in order.merged_orders.all():
        merged.reply, merged.replied_at = text, order.replied_at
        merged.save(update_fields=["reply", "replied_at", "updated_at"])
        message_reporter(
            merged,
            "merge",
            detail=f"合并办理的工单{order.number}已办结，办理结果：{text}",
        )
        tell_reporter(
            merged,
            f"您反映的问题（工单{merged.number}，已与{order.number}合并办理）已办结：{text[:50].rstrip('。')}。",
            f"wo-{merged.number}-reply-{order.reopen_count}",
        )


@transaction.atomic
def supervise(order: WorkOrder, *, actor, note: str) -> WorkOrder:
    """督办 by the supervisor: recorded, and the department sees it on the order."""
    order = locked(order)
    policy.require_act_as(actor, order, SUPERVISOR, "只有效能监察人员可以督办")
    if order.status not in (Status.DISPATCHED, Status.ACCEPTED, Status.HANDED_DOWN):
        raise ValidationError("只能督办正在办理的工单")
    note = clean_note(note, "note", "请填写督办意见")
    order.supervised_at = timezone.now()
    order.save(update_fields=["supervised_at", "updated_at"])
    side_record(order, "supervise", actor=actor, as_kind=SUPERVISOR, note=f"督办：{note}")
    return order


def refresh_warnings(now=None) -> int:
    """Recompute the yellow/red warning of every order on the clock; returns how many changed."""
    now = now or timezone.now()
    changed = 0
    orders = WorkOrder.objects.filter(
        status__in=(Status.DISPATCHED, Status.ACCEPTED, Status.HANDED_DOWN)
    ).only("pk", "status", "due_at", "dispatched_at", "warning")
    for order in orders.iterator(chunk_size=500):
        warning = deadlines.warning_for(order, now)
        if warning != order.warning:
            WorkOrder.objects.filter(pk=order.pk).update(warning=warning)
            changed += 1
    waiting = WorkOrder.objects.filter(status=Status.REPLIED).only(
        "pk", "status", "replied_at", "callback_due_at", "callback_warning"
    )
    for order in waiting.iterator(chunk_size=500):
        warning = deadlines.callback_warning_for(order, now)
        if warning != order.callback_warning:
            WorkOrder.objects.filter(pk=order.pk).update(callback_warning=warning)
            changed += 1
    if changed:
        audit.record(AuditAction.WARNINGS, detail={"changed": changed})
    return changed
