"""The status machine of a department system's registration: registered (pending), then approved
or rejected by a platform administrator; an approved system may be suspended at once and
re-enabled. A rejected registration is final (register the system again)."""

from tongban.core import statemachine
from tongban.identity.models import ClientRegistration

S = ClientRegistration.Status
PLATFORM_ADMIN = "platform_admin"
SYSTEM = statemachine.SYSTEM  # commands and the demo loader, which act as the platform

# (from, to) → who may make the move.
TRANSITIONS = {
    (S.PENDING, S.APPROVED): {PLATFORM_ADMIN, SYSTEM},
    (S.PENDING, S.REJECTED): {PLATFORM_ADMIN, SYSTEM},
    (S.APPROVED, S.SUSPENDED): {PLATFORM_ADMIN, SYSTEM},
    (S.SUSPENDED, S.APPROVED): {PLATFORM_ADMIN, SYSTEM},
}


def _history_row(registration, before, after, *, actor=None, reason=""):
    from tongban.identity.models import RegistrationChange

    return RegistrationChange.objects.create(
        registration=registration,
        action=after,
        from_status=before,
        to_status=after,
        actor=actor if getattr(actor, "pk", None) else None,
        note=reason[:200],
    )


REGISTRATION = statemachine.register(
    statemachine.Machine(
        name="identity.client_registration",
        model="identity.ClientRegistration",
        states=S,
        table=TRANSITIONS,
        noun="接入系统",
        history=_history_row,
        audit_prefix="identity.client_",
    )
)
