"""The only state supervision keeps of its own: big-screen tokens (issued and revoked, audited).
Everything else here reads; 督办 is started through cases.actions.supervise."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import audit
from tongban.supervision.audit_actions import AuditAction
from tongban.supervision.filters import sees_all
from tongban.supervision.models import ScreenToken


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_screen_token(*, actor, name: str) -> tuple[ScreenToken, str]:
    """A new read-only token for a big screen; returns it and its secret (shown once)."""
    if not sees_all(actor):
        raise ValidationError(_("只有效能监察和领导可以签发大屏令牌"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("请填写大屏名称，例如“市政务服务中心指挥大屏”")]})
    if len(name) > 60:
        raise ValidationError({"name": [_("大屏名称不能超过 60 个字")]})
    secret = secrets.token_urlsafe(32)
    token = ScreenToken.objects.create(
        name=name, digest=digest(secret), hint=secret[-4:], issued_by=actor
    )
    audit.record(AuditAction.SCREEN_TOKEN_ISSUE, actor=actor, obj=token)
    return token, secret


@transaction.atomic
def revoke_screen_token(*, actor, token_id: int) -> ScreenToken:
    if not sees_all(actor):
        raise ValidationError(_("只有效能监察和领导可以吊销大屏令牌"))
    token = ScreenToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise ValidationError(_("未找到该大屏令牌"))
    if token.revoked_at:
        raise ValidationError(_("该大屏令牌已吊销"))
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(AuditAction.SCREEN_TOKEN_REVOKE, actor=actor, obj=token)
    return token


def screen_token(secret: str) -> ScreenToken | None:
    """The live token for `secret`, or None (unknown or revoked)."""
    if not secret or len(secret) > 100:
        return None
    token = ScreenToken.objects.filter(digest=digest(secret), revoked_at=None).first()
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            ScreenToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
