"""Closing the loop: 回访 (满意 / 基本满意 close; 不满意 reopens once, then the supervisor), 咨询
answered on the call, 并单 with duplicate suggestions, the supervisor's decision, and the
reporter's progress query by number + phone tail."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.workorders import geo
from tongban.workorders.actions.common import actor_kinds, clean_note, locked, move, tell_reporter
from tongban.workorders.actions.handling import start_clock
from tongban.workorders.codes import (
    DISPATCHER,
    FINAL,
    OPERATOR,
    REPORTER,
    SUPERVISOR,
    Satisfaction,
    Status,
)
from tongban.workorders.models import Callback, KnowledgeArticle, WorkOrder

DUPLICATE_WINDOW = datetime.timedelta(hours=72)
DUPLICATE_RADIUS_M = 500
DUPLICATE_MIN_SCORE = 0.45
MERGEABLE = {Status.REGISTERED, Status.RETURNED, Status.DISPATCHED}


@transaction.atomic
def callback(order: WorkOrder, *, result: str, note: str = "", actor=None, as_kind=OPERATOR):
    """回访 after 办结反馈. 满意/基本满意 close; the first 不满意 reopens (重办) to the same department
    with a new allotted time; a second 不满意 goes to the supervisor."""
    order = locked(order)
    if result not in Satisfaction.values:
        raise ValidationError({"result": ["请选择回访结果：满意、基本满意或不满意"]})
    note = clean_note(note, "note", "", required=False)
    if result == Satisfaction.DISSATISFIED and not note:
        raise ValidationError({"note": ["不满意时请说明原因，以便重新办理"]})
    Callback.objects.create(
        order=order, result=result, note=note, by=actor, by_reporter=as_kind == REPORTER
    )
    order.satisfaction = result
    order.called_back_at = timezone.now()
    order.called_back_on_time = (
        order.callback_due_at is None or order.called_back_at <= order.callback_due_at
    )
    label = Satisfaction(result).label
    text = f"回访：{label}" + (f"（{note}）" if note else "")
    if result != Satisfaction.DISSATISFIED:
        move(order, Status.CLOSED, "callback", actor=actor, as_kind=as_kind, note=text)
        return order
    if order.reopen_count == 0:
        order.reopen_count = 1
        order.reply = ""
        start_clock(order, timezone.now(), fresh=True)
        move(
            order, Status.DISPATCHED, "callback", actor=actor, as_kind=as_kind, note=f"{text}，重办"
        )
        tell_reporter(
            order,
            f"您对工单{order.number}的办理结果不满意，已要求承办部门重新办理。",
            f"wo-{order.number}-redo",
        )
        return order
    move(order, Status.ESCALATED, "callback", actor=actor, as_kind=as_kind, note=text)
    return order


@transaction.atomic
def supervise_decide(order: WorkOrder, *, actor, redo: bool, note: str) -> WorkOrder:
    """The supervisor's decision on an order twice found unsatisfactory: 责令重办 or 结案."""
    order = locked(order)
    note = clean_note(note, "note", "请填写督查意见")
    if redo:
        start_clock(order, timezone.now(), fresh=True)
        return move(
            order,
            Status.DISPATCHED,
            "supervise_redo",
            actor=actor,
            as_kind=SUPERVISOR,
            note=f"督查重办：{note}",
        )
    return move(
        order,
        Status.CLOSED,
        "supervise_close",
        actor=actor,
        as_kind=SUPERVISOR,
        note=f"督查结案：{note}",
    )


@transaction.atomic
def answer_on_call(
    order: WorkOrder, *, actor, answer: str, article: KnowledgeArticle | None = None
):
    """咨询 answered by the call-taker from the knowledge base: closed on the call."""
    order = locked(order)
    answer = clean_note(answer, "answer", "请填写答复内容（可从知识库选用）")
    order.reply, order.replied_at, order.replied_on_time = answer, timezone.now(), True
    note = f"即时答复（知识库：{article.title}）" if article else "即时答复"
    return move(
        order,
        Status.CLOSED,
        "answer",
        actor=actor,
        as_kind=OPERATOR if OPERATOR in actor_kinds(actor, order) else DISPATCHER,
        note=f"{note}：{answer}",
        detail={"article": article.pk if article else None},
    )


# --- 并单 -------------------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)}


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams: robust to word order and to unsegmented Chinese."""
    left, right = _bigrams(a), _bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class Candidate:
    order: WorkOrder
    score: float
    similarity: float
    distance_m: float | None


def duplicate_candidates(order: WorkOrder, limit: int = 5) -> list[Candidate]:
    """Likely duplicates: open orders within the time window, of the same category when both have
    one, near each other when both have a place, and with similar text. Scored; best first."""
    window = (order.created_at - DUPLICATE_WINDOW, order.created_at + DUPLICATE_WINDOW)
    pool = (
        WorkOrder.objects.filter(created_at__range=window, status__in=MERGEABLE | {Status.ACCEPTED})
        .exclude(pk=order.pk)
        .filter(merged_into__isnull=True)
        .select_related("category")
        .order_by("-created_at")[:200]
    )
    found = []
    for other in pool:
        if order.category_id and other.category_id and order.category_id != other.category_id:
            continue
        distance = None
        if order.lng is not None and other.lng is not None:
            distance = geo.distance_m(order.lng, order.lat, other.lng, other.lat)
            if distance > DUPLICATE_RADIUS_M:
                continue
        similarity = text_similarity(order.text, other.text)
        nearness = 1 - distance / DUPLICATE_RADIUS_M if distance is not None else 0.5
        same_category = 1.0 if order.category_id and order.category_id == other.category_id else 0.5
        score = 0.6 * similarity + 0.25 * nearness + 0.15 * same_category
        if score >= DUPLICATE_MIN_SCORE:
            found.append(Candidate(other, round(score, 3), round(similarity, 3), distance))
    found.sort(key=lambda c: -c.score)
    return found[:limit]


@transaction.atomic
def merge(primary: WorkOrder, duplicates: list[WorkOrder], *, actor, note: str = "") -> WorkOrder:
    """并单: the duplicates are closed as 已并单 and linked to the primary order; their reporters get
    the primary's result when it is replied (handling._share_result)."""
    primary = locked(primary)
    if primary.status in FINAL:
        raise ValidationError("主工单已结案或已并单，不能再并入其他工单")
    duplicates = [d for d in duplicates if d.pk != primary.pk]
    if not duplicates:
        raise ValidationError({"duplicates": ["请选择要并入的工单"]})
    note = clean_note(note, "note", "", required=False)
    for duplicate in duplicates:
        duplicate = locked(duplicate)
        if duplicate.status not in MERGEABLE:
            raise ValidationError(
                f"工单{duplicate.number}当前状态为“{Status(duplicate.status).label}”，不能并单"
            )
        duplicate.merged_into = primary
        move(
            duplicate,
            Status.MERGED,
            "merge",
            actor=actor,
            as_kind=DISPATCHER,
            note=f"与工单{primary.number}反映同一问题，合并办理" + (f"：{note}" if note else ""),
            detail={"primary": primary.number},
        )
        tell_reporter(
            duplicate,
            f"您反映的问题（工单{duplicate.number}）与工单{primary.number}为同一问题，已合并办理，结果将告知您。",
            f"wo-{duplicate.number}-merged",
        )
    return primary


# --- the reporter's progress query -------------------------------------------------------------


def track(number: str, phone_tail: str) -> tuple[WorkOrder | None, str]:
    """One answer for "no such order" and "wrong phone", so the query confirms nothing."""
    number, phone_tail = (number or "").strip(), (phone_tail or "").strip()
    if not (number.isdigit() and len(number) == 14) or not (
        phone_tail.isdigit() and len(phone_tail) == 4
    ):
        return None, "请输入14位工单编号和联系电话后四位"
    order = (
        WorkOrder.objects.select_related("category", "department", "merged_into")
        .filter(number=number)
        .first()
    )
    if order is None or not order.reporter_phone.endswith(phone_tail):
        return None, "没有找到匹配的工单，请核对工单编号和电话后四位"
    return order, ""
