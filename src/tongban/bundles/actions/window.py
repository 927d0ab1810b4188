"""综合窗口 (一窗受理): window staff accept a whole bundle at once; each department then decides
its own member through ordinary case handling (cases.actions)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.accounts.permissions import serves_department
from tongban.applications.states import Status
from tongban.bundles.actions import joint
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import BundleApplication
from tongban.cases import actions as cases
from tongban.catalog.codes import HandlingType
from tongban.core import audit


@transaction.atomic
def accept_all(*, bundle: BundleApplication, actor, opinion: str = "") -> list[str]:
    """Accept every member waiting for acceptance that this clerk's window serves; returns the
    case numbers accepted. Members of departments the window does not serve are left to theirs,
    and 即办件 to the window that decides them on the spot."""
    bundle = BundleApplication.objects.select_for_update(of=("self",)).get(pk=bundle.pk)
    waiting = [
        r
        for r in joint.memberships(bundle)
        if r.application.status == Status.SUBMITTED
        and serves_department(actor, r.application.service_item.department_id)
    ]
    # A 即办件 is accepted and decided in one move at its department's window (on its case page).
    rows = [
        r for r in waiting if r.application.item_version.handling_type != HandlingType.IMMEDIATE
    ]
    if not rows:
        raise ValidationError(
            "没有您的窗口可以受理的待受理事项"
            + ("（即办件请在其办件页面当场受理并办结）" if waiting else "")
        )
    accepted = []
    for row in rows:
        cases.accept(application=row.application, actor=actor, opinion=opinion or "一件事一窗受理")
        accepted.append(row.application.case_number)
    audit.record(AuditAction.ACCEPT_ALL, actor=actor, obj=bundle, detail={"cases": accepted})
    return accepted
