"""The status machines of the work-order domain. A work order's table is
workorders.codes.TRANSITIONS, keyed by (from, to, move) because one pair of statuses is reached by
several moves (派单 and 改派). A 延期申请 (Extension) and a 协办 (Assist) are decided once, from
pending: their moves are recorded in the order's history and audit (side_record), they have no
history table of their own."""

from tongban.core import statemachine
from tongban.workorders.codes import DEPARTMENT, DISPATCHER, TRANSITIONS, RequestStatus, Status


def history_row(order, before, after, *, actor=None, reason="", move_code, as_kind, public=True):
    from tongban.workorders.models import WorkOrderHistory

    return WorkOrderHistory.objects.create(
        order=order,
        move=move_code,
        from_status=before,
        to_status=after,
        actor=actor,
        actor_kind=as_kind,
        department=order.department,
        note=reason,
        public=public,
    )


WORK_ORDER = statemachine.register(
    statemachine.Machine(
        name="workorders.work_order",
        model="workorders.WorkOrder",
        states=Status,
        table=TRANSITIONS,
        noun="工单",
        history=history_row,
        audit_prefix="workorders.",
    )
)

EXTENSION = statemachine.register(
    statemachine.Machine(
        name="workorders.extension",
        model="workorders.Extension",
        states=RequestStatus,
        table={
            (RequestStatus.PENDING, RequestStatus.APPROVED): {DISPATCHER},
            (RequestStatus.PENDING, RequestStatus.REFUSED): {DISPATCHER},
        },
        noun="延期申请",
        # no prefix: the decision is audited on the order (AuditAction.EXTENSION_DECIDE)
    )
)
ASSIST = statemachine.register(
    statemachine.Machine(
        name="workorders.assist",
        model="workorders.Assist",
        states=RequestStatus,
        table={(RequestStatus.PENDING, RequestStatus.DONE): {DEPARTMENT}},
        noun="协办",
        # no prefix: the answer is audited on the order (AuditAction.ASSIST_REPLY)
    )
)


def moves_from(current: str) -> set[str]:
    """The moves that leave `current` (for choosing the buttons a page offers)."""
    return {key[2] for key in WORK_ORDER.rules if key[0] == current}
