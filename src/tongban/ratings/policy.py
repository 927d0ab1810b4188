"""Who may do what in 好差评, decided in one place.

Each `can_*` answers yes or no (the bad-rating desk chooses its buttons with it); each `require_*`
raises PermissionDenied with the reason (the service layer refuses through it; views and the API
show it as a 403 or on the page).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role

DEPARTMENT_ROLES = (Role.HANDLER, Role.REVIEWER, Role.APPROVER)


def can_rate_case(rater, application) -> bool:
    """一事一评: only the applicant rates the case."""
    return rater is not None and application.owner_id == rater.pk


def require_rate_case(rater, application) -> None:
    if not can_rate_case(rater, application):
        raise PermissionDenied(_("只有申请人本人可以评价本件"))


def can_follow_up(rater, rating) -> bool:
    return not rating.is_follow_up and rater is not None and rating.rater_id == rater.pk


def require_follow_up(rater, rating) -> None:
    if not can_follow_up(rater, rating):
        raise PermissionDenied(_("只有评价人本人可以追评"))


def can_rate_rectification(rater, bad_case) -> bool:
    return rater is not None and bad_case.rating.rater_id == rater.pk


def require_rate_rectification(rater, bad_case) -> None:
    if not can_rate_rectification(rater, bad_case):
        raise PermissionDenied(_("只有评价人本人可以评价整改结果"))


def can_start_hall_visit(actor) -> bool:
    return (
        actor is not None
        and actor.has_role(Role.WINDOW_CLERK)
        and getattr(actor, "staff_profile", None) is not None
    )


def require_start_hall_visit(actor) -> None:
    if not can_start_hall_visit(actor):
        raise PermissionDenied(_("只有窗口人员可以登记窗口服务"))


def can_see_visit(actor, visit) -> bool:
    return visit.clerk_id == actor.pk or actor.has_role(Role.PLATFORM_ADMIN)


def require_see_visit(actor, visit) -> None:
    if not can_see_visit(actor, visit):
        raise PermissionDenied(_("只能查看本人登记的窗口服务"))


def sees_all_bad_ratings(actor) -> bool:
    """Supervisors and platform administrators see every department's bad ratings."""
    return actor.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR)


def can_handle(actor, bad_case) -> bool:
    """The department's case handlers, except the person rated (a platform admin may)."""
    return (
        actor.has_role(*DEPARTMENT_ROLES)
        and serves_department(actor, bad_case.department_id)
        and (actor.pk != bad_case.rating.staff_id or actor.has_role(Role.PLATFORM_ADMIN))
    )


def why_cannot_handle(actor, bad_case) -> str:
    """Why `actor` may not handle `bad_case`, in words the person can act on ("" when they may)."""
    if can_handle(actor, bad_case):
        return ""
    if actor.pk == bad_case.rating.staff_id:
        return _(
            "这是针对您本人的差评。为保证核实公正，被评价人不能核实、回访、整改或申诉针对本人的差评，"
            "由本部门其他办理人员处理。如需说明情况，请联系本部门负责人。"
        )
    if not actor.has_role(*DEPARTMENT_ROLES):
        return _("差评由责任部门的承办、审核或批准人员处理，您的角色只能查看。")
    return _("差评由责任部门处理，您不在该部门，只能查看。")


def require_handle(actor, bad_case) -> None:
    reason = why_cannot_handle(actor, bad_case)
    if reason:
        raise PermissionDenied(reason)


def can_decide_appeal(actor) -> bool:
    return actor.has_role(Role.SUPERVISOR)


def require_decide_appeal(actor) -> None:
    if not can_decide_appeal(actor):
        raise PermissionDenied(_("只有效能监察人员可以裁定申诉"))
