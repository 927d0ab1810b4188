"""The platform's OAuth 2.0 / OpenID Connect validator (django-oauth-toolkit's, extended):

- a registered department system can be used only once approved, and only with the scopes it was
  granted; clients the exchange made for itself (no registration) keep the default behaviour;
- ID tokens are signed with the rotating key store (identity.keys), with the kid in the header,
  and verified by whichever still-valid key signed them;
- claims follow the scopes (identity.claims), `sid` names the sign-in session for logout.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import router, transaction
from jwcrypto import jws, jwt
from jwcrypto.common import JWException
from oauth2_provider.models import get_access_token_model, get_id_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from tongban.identity import claims as claim_sets
from tongban.identity import clients, keys
from tongban.identity.clients import registration_of
from tongban.identity.models import SignInSession

IDToken = get_id_token_model()
AccessToken = get_access_token_model()


def usable(application) -> bool:
    registration = registration_of(application)
    return registration is None or registration.is_approved


# Client secrets are stored as Argon2 hashes, which take tens of milliseconds to check by design;
# a system asking for a token many times a second would spend its capacity there. A secret that
# was checked once is remembered (per process, bounded) by a keyed digest of itself and the stored
# hash: rotating the secret changes the stored hash, so the old entry no longer matches.
_verified_secrets: dict[str, bool] = {}
MAX_REMEMBERED_SECRETS = 1000


def _secret_digest(provided: str, stored: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{stored}\0{provided}".encode(), hashlib.sha256).hexdigest()


class TongbanValidator(OAuth2Validator):
    oidc_claim_scope = claim_sets.CLAIM_SCOPES

    def _check_secret(self, provided_secret, stored_secret):
        digest = _secret_digest(provided_secret or "", stored_secret or "")
        if digest in _verified_secrets:
            return True
        if not super()._check_secret(provided_secret, stored_secret):
            return False
        if len(_verified_secrets) >= MAX_REMEMBERED_SECRETS:
            _verified_secrets.clear()
        _verified_secrets[digest] = True
        return True

    # --- clients ---------------------------------------------------------------------------------
    def _load_application(self, client_id, request):
        if not clients.plausible(client_id):
            return None
        if not request.client:
            request.client = clients.cached(client_id)  # else the database, as DOT does
        client = super()._load_application(client_id, request)
        if client is not None and not usable(client):
            request.client = None
            return None
        return client

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if not super().validate_scopes(client_id, scopes, client, request, *args, **kwargs):
            return False
        registration = registration_of(client) if client is not None else None
        return registration is None or set(scopes) <= set(registration.allowed_scopes)

    def _load_access_token(self, token):
        # The person's citizen profile comes with the token: userinfo's claims read it.
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return (
            AccessToken.objects.select_related("application", "user", "user__citizen")
            .filter(token_checksum=checksum)
            .first()
        )

    # --- ID tokens -------------------------------------------------------------------------------
    def get_additional_claims(self, request):
        client_id = request.client.client_id if request.client else ""
        # `sid` names the session for back-channel logout: an ID token claim, not a userinfo one.
        sid = "" if getattr(request, "_tongban_userinfo", False) else self._sid(request)
        return claim_sets.for_scopes(
            request.user, request.scopes or (), client_id=client_id, sid=sid
        )

    def get_userinfo_claims(self, request):
        request._tongban_userinfo = True
        return super().get_userinfo_claims(request)

    def get_discovery_claims(self, request):
        return list(claim_sets.CLAIM_SCOPES)

    def _sid(self, request) -> str:
        if not request.client or not getattr(request.user, "pk", None):
            return ""
        session = (
            SignInSession.objects.filter(
                user=request.user, ended_at__isnull=True, applications=request.client
            )
            .order_by("-started_at")
            .values_list("sid", flat=True)
            .first()
        )
        return session or ""

    def finalize_id_token(self, id_token, token, token_handler, request):
        claims, expiration_time = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        key = keys.active_key()
        header = {"typ": "JWT", "alg": "RS256", "kid": key.thumbprint()}
        signed = jwt.JWT(
            header=json.dumps(header, default=str), claims=json.dumps(id_token, default=str)
        )
        signed.make_signed_token(key)
        with transaction.atomic(using=router.db_for_write(IDToken)):
            saved = self._save_id_token(id_token["jti"], request, expiration_time)
        request.access_token = saved
        request.id_token = saved
        return signed.serialize()

    def _get_key_for_token(self, token):
        """The key named by the token's kid, if it is ours and still verifies."""
        unverified = jws.JWS()
        try:
            unverified.deserialize(token)
            header = unverified.jose_header
        except (JWException, ValueError):
            return None
        if isinstance(header, list):
            return None
        return keys.key_for(str(header.get("kid", "")))
