"""Who may do what with an application, decided in one place.

Each `can_*` answers yes or no: the service layer refuses through it and the pages use it to choose
what to offer, so the two never disagree. Intake refuses a draft that is no longer editable with a
ValidationError (the person sees why, next to their form: nothing they did is lost); a person who is
not party to the application is refused with PermissionDenied where the service layer decides it.
"""

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.applications.states import EDITABLE, Status

# Staff who may see an application's full personal data while handling it.
HANDLING_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
WITHDRAWABLE = (Status.SUBMITTED, Status.CORRECTION)


def is_party(actor, application) -> bool:
    """The applicant's account, or the window clerk filling it in on their behalf (窗口代办)."""
    return actor is not None and actor.pk in (application.owner_id, application.window_staff_id)


def can_edit(actor, application) -> bool:
    """Typing, uploading, committing and submitting: a party, while the draft (or the 补正) is open."""
    return is_party(actor, application) and application.status in EDITABLE


def can_withdraw(actor, application) -> bool:
    """Only the applicant, while the case waits for acceptance or for their correction."""
    return (
        actor is not None
        and actor.pk == application.owner_id
        and application.status in WITHDRAWABLE
    )


def can_discard(actor, application) -> bool:
    return can_edit(actor, application) and application.status == Status.DRAFT


def handles(actor, application) -> bool:
    """Staff of the item's department in a handling role."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.has_role(*HANDLING_ROLES)
        and serves_department(actor, application.service_item.department_id)
    )


def can_see_personal_data(actor, application) -> bool:
    """The full value of a protected field: its owner, or the staff handling the case."""
    return (actor is not None and actor.pk == application.owner_id) or handles(actor, application)
