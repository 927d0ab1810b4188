"""Finding a licence type for a service item, the holder of an application, and a person's wallet
(我的证照)."""

from django.db.models import Q

from tongban.core import pii
from tongban.core.identifiers import IdType
from tongban.licences.models import (
    Licence,
    LicenceType,
)

# --- finding types and holders ----------------------------------------------------------------------


def type_for_item(service_item, result_name: str = "") -> LicenceType | None:
    """The licence type an item's 出证办结 issues: an explicit link (LicenceType.issued_for_items)
    wins; otherwise a type of the item's own department whose name equals the 结果名称."""
    found = (
        LicenceType.objects.filter(is_active=True, issued_for_items=service_item)
        .select_related("issuing_department")
        .order_by("pk")
        .first()
    )
    if found is None and result_name.strip():
        found = (
            LicenceType.objects.filter(
                is_active=True,
                name=result_name.strip(),
                issuing_department_id=service_item.department_id,
            )
            .select_related("issuing_department")
            .order_by("pk")
            .first()
        )
    return found


def _account_for(id_type: str, id_number: str):
    from tongban.accounts.models import CitizenProfile, EnterpriseProfile

    if id_type == IdType.USCC:
        profile = EnterpriseProfile.objects.filter(uscc=pii.normalise(id_number)).first()
    else:
        profile = CitizenProfile.objects.filter(
            id_index=pii.blind_index(id_number, "citizen_id")
        ).first()
    return profile.user if profile else None


def applicant_identity(application) -> tuple[str, str] | None:
    """Whose wallet an application may draw on, with that holder's consent given by the account
    acting: the enterprise (its own account or an authorised agent), or the citizen applying for
    themselves. Someone applying on another person's behalf (受托代办) cannot use their wallet."""
    if application.enterprise_id:
        return IdType.USCC, application.enterprise.uscc
    if application.entrusted:
        return None
    citizen = getattr(application.owner, "citizen", None)
    return (IdType.CITIZEN_ID, citizen.id_number) if citizen else None


def wallet(user):
    """The licences a user holds (current versions: valid, expired, revoked), newest first."""
    indexes = []
    citizen = getattr(user, "citizen", None) if user.kind == "citizen" else None
    enterprise = getattr(user, "enterprise", None) if user.kind == "enterprise" else None
    if citizen is not None:
        indexes.append(Licence.index_for(IdType.CITIZEN_ID, citizen.id_number))
    if enterprise is not None:
        indexes.append(Licence.index_for(IdType.USCC, enterprise.uscc))
    return (
        Licence.objects.filter(Q(owner=user) | Q(holder_id_index__in=indexes))
        .exclude(status=Licence.Status.REPLACED)
        .select_related("licence_type", "issuer")
        .order_by("-issued_on", "-pk")
    )


def holds(user, licence: Licence) -> bool:
    return wallet(user).filter(pk=licence.pk).exists() or (
        licence.owner_id == user.pk if user.is_authenticated else False
    )
