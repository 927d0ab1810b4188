"""Who may keep the platform's e-seals, decided in one place.

Creating, rotating (更换) and revoking (注销) a department's seal is the platform administrator's
job (the admin pages); signing is done by the service layer of the domain whose document it is.
actor None is the platform itself (the demo loader, management commands).
"""

from django.core.exceptions import PermissionDenied

from tongban.accounts.roles import Role


def can_keep_seals(user) -> bool:
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or getattr(user, "has_role", lambda *r: False)(Role.PLATFORM_ADMIN))
    )


def require_keeper(actor) -> None:
    if actor is None:
        return
    if not can_keep_seals(actor):
        raise PermissionDenied("只有平台管理员可以创建、更换和注销电子印章")
