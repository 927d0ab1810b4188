"""Who may do what with notifications, decided in one place.

A person reads and marks only their own inbox messages; sending a delivery again is for the
platform administrators who look after the delivery log. actor None is the platform itself.
"""

from django.core.exceptions import PermissionDenied

from tongban.accounts.roles import Role


def can_read(user, message) -> bool:
    return user is not None and user.is_authenticated and message.recipient_id == user.pk


def can_resend(user) -> bool:
    return bool(
        user is not None
        and user.is_active
        and (user.is_superuser or getattr(user, "has_role", lambda *r: False)(Role.PLATFORM_ADMIN))
    )


def require_resend(actor) -> None:
    if actor is None:
        return
    if not can_resend(actor):
        raise PermissionDenied("只有平台管理员可以重新发送消息")
