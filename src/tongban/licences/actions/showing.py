"""亮证: a signed, short-lived token that shows one licence to whoever scans it."""

import hashlib
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from tongban.licences import conf
from tongban.licences.actions.common import ENDED
from tongban.licences.actions.holders import holds
from tongban.licences.models import (
    Licence,
    LicenceUse,
)

SHOW_SALT = "tongban.licences.show"


def show_token(licence: Licence, user) -> str:
    """亮证: a signed, short-lived token naming the licence (no table)."""
    if not holds(user, licence):
        raise ValidationError(gettext("只能出示本人名下的证照"))
    if licence.effective_status in ENDED:
        raise ValidationError(
            gettext("该证照%(status)s，不能出示") % {"status": licence.effective_status_label}
        )
    return signing.dumps({"l": licence.pk, "n": secrets.token_hex(4)}, salt=SHOW_SALT)


def show_token_seconds() -> int:
    return conf.show_token_seconds()


def token_licence_id(token: str) -> int | None:
    """The licence a still-valid token names, without recording anything (for the QR image)."""
    if not token or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=SHOW_SALT, max_age=show_token_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return payload.get("l") if isinstance(payload, dict) else None


def read_show_token(token: str) -> tuple[Licence | None, str]:
    """(licence, "") or (None, 理由). Records one 亮证核验 use per token."""
    if not token or len(token) > 300:
        return None, "亮证码无效，请让持证人重新出示"
    try:
        payload = signing.loads(token, salt=SHOW_SALT, max_age=show_token_seconds())
    except signing.SignatureExpired:
        return None, "亮证码已过期（有效期几分钟），请让持证人刷新后重新出示"
    except (signing.BadSignature, ValueError, TypeError):
        return None, "亮证码无效（可能被伪造或不完整），请让持证人重新出示"
    if not isinstance(payload, dict) or not isinstance(payload.get("l"), int):
        return None, "亮证码无效，请让持证人重新出示"
    licence = (
        Licence.objects.select_related("licence_type", "issuer").filter(pk=payload["l"]).first()
    )
    if licence is None:
        return None, "亮证码对应的证照不存在"
    note = f"亮证码 {hashlib.sha256(token.encode()).hexdigest()[:16]}"
    with transaction.atomic():
        if not LicenceUse.objects.filter(licence=licence, note=note).exists():
            LicenceUse.objects.create(licence=licence, purpose=LicenceUse.Purpose.SHOW, note=note)
    return licence, ""
