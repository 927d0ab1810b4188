"""The status machine of a bad rating's handling (差评整改): the table is ratings.codes.TRANSITIONS,
declared here once for the core state machine (tongban.core.statemachine)."""

from tongban.core import statemachine
from tongban.ratings.codes import TRANSITIONS, BadStatus


def _history_row(bad_case, before, after, *, actor=None, reason="", event=""):
    from tongban.ratings.models import BadRatingHistory

    return BadRatingHistory.objects.create(
        bad_case=bad_case,
        from_status=before,
        to_status=after,
        event=event,
        note=reason[:2000],
        actor=actor,
    )


BAD_CASE = statemachine.register(
    statemachine.Machine(
        name="ratings.bad_case",
        model="ratings.BadRatingCase",
        states=BadStatus,
        table=TRANSITIONS,
        noun="差评",
        history=_history_row,
        audit_prefix="ratings.bad_",
    )
)
