"""The keys that sign ID tokens and logout tokens, kept in the database (private part encrypted).

Rotation: `rotate()` makes a new active key and retires the previous one, which stays published in
the JWKS for `OIDC_KEY_OVERLAP_HOURS` (longer than any token it signed lives), so relying parties
that cached the old key set keep verifying until they fetch the new one.
"""

import datetime
import json

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from jwcrypto import jwk

from tongban.core import audit
from tongban.identity.audit_actions import AuditAction
from tongban.identity.models import SigningKey

CACHE_KEY = "identity:signing-keys"
CACHE_SECONDS = 60


def _generate() -> SigningKey:
    key = jwk.JWK.generate(kty="RSA", size=2048)
    pem = key.export_to_pem(private_key=True, password=None).decode()
    return SigningKey(kid=key.thumbprint(), private_pem=pem)


def _usable() -> list[SigningKey]:
    now = timezone.now()
    return list(
        SigningKey.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).order_by(
            "-created_at"
        )
    )


def _loaded() -> list[tuple[str, bool, str]]:
    """(kid, active, private PEM) of every key that still verifies; cached briefly per process
    group so a token request does not decrypt keys."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = [(k.kid, k.retired_at is None, k.private_pem) for k in _usable()]
        if not any(active for _kid, active, _pem in cached):
            active_key = ensure_active_key()
            cached = [(active_key.kid, True, active_key.private_pem), *cached]
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return cached


_jwk_cache: dict[str, jwk.JWK] = {}


def _jwk(kid: str, pem: str) -> jwk.JWK:
    key = _jwk_cache.get(kid)
    if key is None:
        key = _jwk_cache[kid] = jwk.JWK.from_pem(pem.encode())
    return key


def active_key() -> jwk.JWK:
    for kid, active, pem in _loaded():
        if active:
            return _jwk(kid, pem)
    raise LookupError("no active signing key")


def key_for(kid: str) -> jwk.JWK | None:
    """The key with this kid, if it still verifies."""
    for known, _active, pem in _loaded():
        if known == kid:
            return _jwk(known, pem)
    return None


def public_jwks() -> dict:
    keys = []
    for kid, _active, pem in _loaded():
        data = {"alg": "RS256", "use": "sig", "kid": kid}
        data.update(json.loads(_jwk(kid, pem).export_public()))
        keys.append(data)
    return {"keys": keys}


def forget() -> None:
    cache.delete(CACHE_KEY)


@transaction.atomic
def ensure_active_key() -> SigningKey:
    current = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
    if current is None:
        current = _generate()
        current.save()
        audit.record(AuditAction.KEY_CREATED, obj=current, detail={"kid": current.kid})
    return current


@transaction.atomic
def rotate(*, actor=None) -> SigningKey:
    """Make a new signing key; the one it replaces verifies for the overlap period, then expires."""
    now = timezone.now()
    overlap = datetime.timedelta(hours=settings.OIDC_KEY_OVERLAP_HOURS)
    previous = list(SigningKey.objects.select_for_update().filter(retired_at__isnull=True))
    for key in previous:
        key.retired_at, key.expires_at = now, now + overlap
        key.save(update_fields=["retired_at", "expires_at"])
    new = _generate()
    new.save()
    audit.record(
        AuditAction.KEY_ROTATED,
        actor=actor,
        obj=new,
        detail={"kid": new.kid, "retired": [k.kid for k in previous]},
    )
    transaction.on_commit(forget)
    return new
