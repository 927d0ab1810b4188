"""免证可办: a material of an application fulfilled by a licence in the applicant's wallet, and
the record of that use (用证记录)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from tongban.core import audit
from tongban.licences.actions.holders import applicant_identity
from tongban.licences.audit_actions import AuditAction
from tongban.licences.models import (
    Licence,
    LicenceType,
    LicenceUse,
)

# --- 免证可办 ---------------------------------------------------------------------------------------


def matches_material(licence_type: LicenceType, material) -> bool:
    wanted = (material.replaceable_by_licence_type or "").strip()
    return bool(wanted) and wanted in (licence_type.name, licence_type.type_code)


def checklist_licences(application, materials) -> dict[int, dict]:
    """For the material checklist: per material id, the LicenceUse already recorded for this
    application ("use") and a usable licence from the applicant's wallet ("offer"). Two queries."""
    uses = {
        use.material_id: use
        for use in LicenceUse.objects.filter(
            application=application, purpose=LicenceUse.Purpose.MATERIAL
        ).select_related("licence__licence_type")
    }
    wanted = {m.pk: (m.replaceable_by_licence_type or "").strip() for m in materials}
    offers: dict[int, Licence] = {}
    identity = applicant_identity(application) if any(wanted.values()) else None
    if identity is not None:
        names = {w for w in wanted.values() if w}
        candidates = [
            licence
            for licence in Licence.objects.filter(
                holder_id_index=Licence.index_for(*identity), status=Licence.Status.VALID
            )
            .filter(Q(licence_type__name__in=names) | Q(licence_type__type_code__in=names))
            .select_related("licence_type")
            .order_by("-issued_on", "-pk")[:50]
            if licence.is_usable
        ]
        for material_id, name in wanted.items():
            for licence in candidates:
                if name and name in (licence.licence_type.name, licence.licence_type.type_code):
                    offers[material_id] = licence
                    break
    return {m.pk: {"use": uses.get(m.pk), "offer": offers.get(m.pk)} for m in materials}


def record_material_use(application, material, licence: Licence, actor) -> LicenceUse:
    """免提交, the licence's side: `licence` may stand for `material` in `application` (its type
    replaces the material, it is the applicant's own and usable); the use is recorded once.
    The intake domain checks the application (who acts, still editable, the material wanted) and
    holds the transaction (applications.licence_use)."""
    licence = Licence.objects.select_related("licence_type").get(pk=licence.pk)
    if not matches_material(licence.licence_type, material):
        raise ValidationError(gettext("该电子证照不能替代此项材料"))
    identity = applicant_identity(application)
    if identity is None or licence.holder_id_index != Licence.index_for(*identity):
        raise ValidationError(gettext("只能使用申请人本人（或本企业）名下的电子证照"))
    if not licence.is_usable:
        raise ValidationError(
            gettext("该电子证照%(status)s，不能使用") % {"status": licence.effective_status_label}
        )
    existing = LicenceUse.objects.filter(
        application=application, material=material, purpose=LicenceUse.Purpose.MATERIAL
    ).first()
    if existing is not None:
        return existing
    use = LicenceUse.objects.create(
        licence=licence,
        purpose=LicenceUse.Purpose.MATERIAL,
        application=application,
        material=material,
        department=application.service_item.department,
        used_by=actor,
        consent=True,
        note=f"替代材料：{material.name}"[:200],
    )
    audit.record(
        AuditAction.USE,
        actor=actor,
        obj=application,
        detail={"identifier": licence.identifier, "material": material.name},
    )
    return use


def withdraw_material_use(application, material, actor) -> None:
    """The recorded use of a licence for `material` is withdrawn (paper is uploaded instead)."""
    deleted, _ = LicenceUse.objects.filter(
        application=application, material=material, purpose=LicenceUse.Purpose.MATERIAL
    ).delete()
    if deleted:
        audit.record(
            AuditAction.USE_WITHDRAWN,
            actor=actor,
            obj=application,
            detail={"material": material.name},
        )
