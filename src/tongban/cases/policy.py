"""Who may make which move in case handling: decided here once, read by the service layer
(cases.actions, through `cases.handling.require`) and by the case page (cases.views._moves) to
choose its buttons. A `can_*` function answers for one person and one case; the role sets name
who acts at each stage (the department is always the item's)."""

from django.core.exceptions import PermissionDenied

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.applications.states import Status
from tongban.catalog.codes import HandlingType


class Refused(PermissionDenied):
    """A move this person may not make, or not on the case as it stands (another's step, a status
    the move does not start from, a second 补正, a second extension). Django's PermissionDenied:
    pages answer 403 with the reason, the API its error shape; bad input stays a ValidationError."""


# The roles that make each kind of move, in the case's own department.
ACCEPTING = (Role.WINDOW_CLERK,)  # 受理, 不予受理, 补正, 即办
HANDLING = (Role.HANDLER, Role.REVIEWER, Role.APPROVER)  # 特别程序, 督办答复, 承诺核查
EXTENDING = (Role.APPROVER,)  # 延长审批: the head of the organ
COMPLETING = (Role.WINDOW_CLERK, Role.HANDLER, Role.APPROVER)  # 办结
DELIVERING = (Role.WINDOW_CLERK, Role.HANDLER)  # 送达
REASSIGNING = (Role.APPROVER, Role.SUPERVISOR)  # 改派 a review step
SUPERVISING = (Role.SUPERVISOR,)  # 督办 (any department)


def acts_for(user, department_id: int, roles, serves: bool | None = None) -> bool:
    """The user holds one of `roles` and serves the department (`serves`: already known, so a
    page asking several questions reads the user's departments once)."""
    if not user.has_role(*roles):
        return False
    return serves_department(user, department_id) if serves is None else serves


def can_accept(user, application, serves: bool | None = None) -> bool:
    """受理 / 不予受理 / 补正 of a submitted application."""
    return application.status == Status.SUBMITTED and acts_for(
        user, application.service_item.department_id, ACCEPTING, serves
    )


def can_decide_now(user, application, serves: bool | None = None) -> bool:
    """即办件: accepted and decided at the window in one step."""
    return (
        can_accept(user, application, serves)
        and application.item_version.handling_type == HandlingType.IMMEDIATE
    )


def can_handle(user, application, case, serves: bool | None = None) -> bool:
    """特别程序 on a case under review."""
    return (
        case is not None
        and application.status == Status.ACCEPTED
        and acts_for(user, application.service_item.department_id, HANDLING, serves)
    )


def can_extend(user, application, case, serves: bool | None = None) -> bool:
    """延长审批, once per case."""
    return (
        case is not None
        and application.status == Status.ACCEPTED
        and acts_for(user, application.service_item.department_id, EXTENDING, serves)
        and not hasattr(case, "extension")
    )


def can_complete(user, application, serves: bool | None = None) -> bool:
    return application.status in (Status.APPROVED, Status.DENIED) and acts_for(
        user, application.service_item.department_id, COMPLETING, serves
    )


def can_deliver(user, application, case, serves: bool | None = None) -> bool:
    return bool(
        case
        and case.decided_at
        and not case.delivered_at
        and acts_for(user, application.service_item.department_id, DELIVERING, serves)
    )


def can_supervise(user, application, case, serves: bool | None = None) -> bool:
    return bool(case and application.status == Status.ACCEPTED and user.has_role(*SUPERVISING))
