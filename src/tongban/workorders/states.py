"""The status machine of a work order: the table is workorders.codes.TRANSITIONS, keyed by
(from, to, move) because one pair of statuses is reached by several moves (派单 and 改派)."""

from tongban.core import statemachine
from tongban.workorders.codes import TRANSITIONS, Status


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


def moves_from(current: str) -> set[str]:
    """The moves that leave `current` (for choosing the buttons a page offers)."""
    return {key[2] for key in WORK_ORDER.rules if key[0] == current}
