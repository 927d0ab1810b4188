"""Staff look-up of a person's licences for a case they handle (the case finder is registered
by the cases domain, which sits above licences)."""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from tongban.core import audit
from tongban.core.identifiers import ID_TYPES
from tongban.licences import policy
from tongban.licences.audit_actions import AuditAction
from tongban.licences.models import (
    Licence,
    LicenceUse,
)

# Roles that handle a case (窗口受理/承办/审核/批准); a lookup is part of handling one.
LOOKUP_ROLES = policy.LOOKUP_ROLES
# 办件 statuses in which someone is still working on the case.
OPEN_CASE_STATUSES = ("submitted", "correction", "accepted", "approved", "denied")


# Finding a case by its number is intake's (later in the domain order than licences): it
# registers the finder when the apps are ready (applications.apps).
_case_finder = None


def register_case_finder(finder) -> None:
    """`finder(case_number)` → the application with that case number, or None."""
    global _case_finder
    _case_finder = finder


def _case_for_lookup(actor, case_number: str):
    """The open case, of a department the actor serves, the lookup is made for."""
    case_number = (case_number or "").strip()
    if not case_number:
        raise ValidationError({"case_number": ["请填写所办理办件的办件编号"]})
    if _case_finder is None:
        raise ImproperlyConfigured("办件查找未注册（tongban.applications 未安装）")
    application = _case_finder(case_number)
    if application is None:
        raise ValidationError({"case_number": ["未找到该办件编号"]})
    policy.require_lookup_for_case(actor, application)
    if application.status not in OPEN_CASE_STATUSES:
        raise ValidationError(
            {"case_number": [f"该办件{application.get_status_display()}，不在办理中，不能查询证照"]}
        )
    return application


def lookup(
    *, actor, holder_id_type: str, holder_id_number: str, case_number: str, purpose: str = ""
):
    """Department lookup of a holder's licences while handling a case: only staff with a
    case-handling role, for an open case of their department (the case number is required);
    audited with that case and recorded as a use on each licence returned."""
    policy.require_lookup(actor)
    if holder_id_type not in ID_TYPES:
        raise ValidationError({"holder_id_type": ["持证主体代码类型应为 111 或 001"]})
    application = _case_for_lookup(actor, case_number)
    note = (purpose or "").strip()
    purpose = f"办理办件 {application.case_number}（{application.item_version.name}）"
    if note:
        purpose += f"：{note}"
    holder_index = Licence.index_for(holder_id_type, holder_id_number)
    found = list(
        Licence.objects.filter(holder_id_index=holder_index)
        .exclude(status=Licence.Status.REPLACED)
        .select_related("licence_type", "issuer")
        .order_by("-issued_on", "-pk")[:100]
    )
    department = getattr(getattr(actor, "staff_profile", None), "department", None)
    with transaction.atomic():
        audit.record(
            AuditAction.LOOKUP,
            actor=actor,
            obj=application,
            purpose=purpose[:200],
            detail={
                "count": len(found),
                "holder_id_type": holder_id_type,
                "holder": holder_index[:16],
                "identifiers": [licence.identifier for licence in found][:20],
            },
        )
        LicenceUse.objects.bulk_create(
            LicenceUse(
                licence=licence,
                purpose=LicenceUse.Purpose.LOOKUP,
                application=application,
                department=department,
                used_by=actor,
                note=purpose[:200],
            )
            for licence in found
        )
    return found
