"""The reporter's full phone number for staff: masked everywhere by default; shown once, on a POST
with a stated purpose, to staff who may see the order, and every showing is an audit record."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tongban.core import audit
from tongban.workorders import policy
from tongban.workorders.actions.common import NOTE_MAX
from tongban.workorders.audit_actions import AuditAction
from tongban.workorders.models import WorkOrder

PURPOSE_MIN = 2


@transaction.atomic
def reveal_phone(order: WorkOrder, *, actor, purpose: str) -> str:
    """The reporter's full phone, recorded with the purpose (as pii.reveal is for cases)."""
    purpose = (purpose or "").replace("\x00", "").strip()
    if not purpose or len(purpose) < PURPOSE_MIN:
        raise ValidationError({"purpose": ["查看完整电话必须说明用途（如：回访联系诉求人）"]})
    if len(purpose) > NOTE_MAX:
        raise ValidationError({"purpose": [f"用途不能超过{NOTE_MAX}字"]})
    if not policy.actor_kinds(actor, order):
        raise PermissionDenied("您无权查看该工单诉求人的完整电话")
    if not order.reporter_phone:
        raise ValidationError({"purpose": ["该工单没有留下联系电话"]})
    audit.record(
        AuditAction.REVEAL_PHONE,
        actor=actor,
        obj=order,
        purpose=purpose,
        detail={"field": "reporter_phone", "number": order.number},
    )
    return order.reporter_phone
