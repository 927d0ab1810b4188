"""What a department system learns about a person, scope by scope (docs/identity.md)."""

from django.utils import timezone

from tongban.accounts.models import AgentAuthorisation, EnterpriseProfile, User
from tongban.core import audit
from tongban.core.audit_actions import PiiAction

# claim → the scope that releases it
CLAIM_SCOPES = {
    "sub": "openid",
    "sid": "openid",
    "name": "profile",
    "account_type": "profile",
    "id_number_masked": "profile",
    "phone_number_masked": "profile",
    "realname_level": "realname",
    "id_number": "idcard",
    "enterprise": "enterprise",
    "enterprise_roles": "enterprise",
}


def realname_level(user: User) -> int:
    """0 for accounts no one has checked (enterprises, staff), else the citizen's level 1–3."""
    citizen = getattr(user, "citizen", None) if user.kind == User.Kind.CITIZEN else None
    return int(citizen.verification_level) if citizen is not None else 0


def profile_claims(user: User) -> dict:
    claims = {
        "name": user.display_name,
        "account_type": user.kind,
        "phone_number_masked": user.masked_phone,
    }
    if user.kind == User.Kind.CITIZEN and hasattr(user, "citizen"):
        claims["id_number_masked"] = user.citizen.masked_id_number
    return claims


def id_number(user: User, *, client_id: str) -> str | None:
    """The full ID number, released to a system the person consented to: audited like every full
    view of personal data."""
    if user.kind != User.Kind.CITIZEN or not hasattr(user, "citizen"):
        return None
    audit.record(
        PiiAction.REVEAL,
        obj=user,
        purpose=f"统一身份认证向接入系统提供（{client_id}）",
        detail={"field": "id_number", "client_id": client_id},
    )
    return user.citizen.id_number


def enterprise_roles(user: User) -> list[dict]:
    """The enterprises the person acts for: as the enterprise account itself, as its legal
    representative, or as an authorised agent with the items the authorisation covers."""
    if user.kind == User.Kind.ENTERPRISE and hasattr(user, "enterprise"):
        return [_role(user.enterprise, "enterprise")]
    if user.kind != User.Kind.CITIZEN or not hasattr(user, "citizen"):
        return []
    roles = [
        _role(e, "legal_representative")
        for e in EnterpriseProfile.objects.filter(legal_rep_id_index=user.citizen.id_index)[:20]
    ]
    today = timezone.localdate()
    agents = AgentAuthorisation.objects.select_related("enterprise").filter(
        agent=user, revoked_at__isnull=True, valid_until__gte=today
    )[:20]
    for authorisation in agents:
        role = _role(authorisation.enterprise, "agent")
        role["agent_scope"] = {
            "all_items": authorisation.all_items,
            "item_codes": authorisation.item_codes,
            "valid_until": authorisation.valid_until.isoformat(),
        }
        roles.append(role)
    return roles


def _role(enterprise: EnterpriseProfile, role: str) -> dict:
    return {"uscc": enterprise.uscc, "name": enterprise.name, "role": role}


def for_scopes(user: User, scopes, *, client_id: str, sid: str = "") -> dict:
    """Every claim the scopes release (besides sub)."""
    scopes = set(scopes)
    claims: dict = {}
    if sid:
        claims["sid"] = sid
    if "profile" in scopes:
        claims.update(profile_claims(user))
    if "realname" in scopes:
        claims["realname_level"] = realname_level(user)
    if "idcard" in scopes:
        number = id_number(user, client_id=client_id)
        if number:
            claims["id_number"] = number
    if "enterprise" in scopes:
        claims["enterprise_roles"] = enterprise_roles(user)
    return claims


def mask_address(address: str) -> str:
    if not address:
        return ""
    if ":" in address:
        return ":".join(address.split(":")[:3]) + ":*"
    parts = address.split(".")
    return ".".join([*parts[:2], "*", "*"]) if len(parts) == 4 else "*"
