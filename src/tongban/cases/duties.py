"""Separation of duties (职责分离): on one case, the same person may not take two of 受理, 承办,
审核 and 批准 — the one who accepted does not review, the one who handled does not approve.

On by default for every item; an item's review configuration (workflow.ItemProcess.separate_duties)
may turn it off, e.g. for a one-person township office. Redoing one's own duty after a 退回 is
not a second duty.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy

from tongban.accounts.roles import Role
from tongban.cases.models import Case, ReviewStep

ACCEPT = "accept"
LABELS = {
    ACCEPT: gettext_lazy("受理"),
    Role.HANDLER: gettext_lazy("承办"),
    Role.REVIEWER: gettext_lazy("审核"),
    Role.APPROVER: gettext_lazy("批准"),
}


def applies(case: Case) -> bool:
    from tongban.workflow.models import ItemProcess

    choice = (
        ItemProcess.objects.filter(item_id=case.application.service_item_id)
        .values_list("separate_duties", flat=True)
        .first()
    )
    return True if choice is None else choice


def taken_by(case: Case, person_id: int) -> set[str]:
    """The duties `person_id` has already performed on `case`."""
    duties = {ACCEPT} if case.accepted_by_id == person_id else set()
    done = case.steps.filter(assignee_id=person_id, finished_at__isnull=False).exclude(action="")
    duties.update(role for role in done.values_list("role", flat=True) if role in LABELS)
    return duties


def conflict(case: Case, person_id: int, duty: str) -> str:
    """Why `person_id` may not take `duty` on `case` (in the page's language), or "" when they may."""
    others = taken_by(case, person_id) - {duty}
    if not others or not applies(case):
        return ""
    held = gettext("、").join(str(LABELS[d]) for d in LABELS if d in others)
    return gettext(
        "职责分离：您已在本件中承担“%(held)s”，不能再承担“%(duty)s”"
        "（同一工作人员不得在同一办件中承担受理、承办、审核、批准中的两项）"
    ) % {"held": held, "duty": LABELS.get(duty, duty)}


def check(case: Case, person_id: int, duty: str) -> None:
    reason = conflict(case, person_id, duty)
    if reason:
        raise PermissionDenied(reason)


def open_steps_for(case: Case, steps: list[ReviewStep], person_id: int) -> list[ReviewStep]:
    """Of `steps`, those `person_id` may take without breaking the separation."""
    if not steps:
        return []
    taken = taken_by(case, person_id)
    if not taken or not applies(case):
        return list(steps)
    return [step for step in steps if not (taken - {step.role})]
