"""OpenID Connect Back-Channel Logout 1.0: when a person's session ends (logout, a session ended
from 账号安全, a consent revoked), every system signed in through it gets a signed logout token
POSTed to its back-channel logout address, so it ends its own session for the person.

Sent after commit by a Celery task (retried on failure): a slow or dead department system never
holds up the person's logout.
"""

import json
import logging
import time
import uuid
from functools import partial
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import transaction
from jwcrypto import jwt

from tongban.identity import keys

log = logging.getLogger(__name__)

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
TIMEOUT_SECONDS = 5


def issuer() -> str:
    return settings.OIDC_ISSUER or settings.SITE_URL.rstrip("/") + "/o"


def logout_token(*, client_id: str, sub: str, sid: str, iss: str) -> str:
    key = keys.active_key()
    now = int(time.time())
    claims = {
        "iss": iss,
        "aud": client_id,
        "iat": now,
        "exp": now + 120,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "sid": sid,
        "events": {LOGOUT_EVENT: {}},
    }
    token = jwt.JWT(
        header=json.dumps({"alg": "RS256", "kid": key.thumbprint(), "typ": "logout+jwt"}),
        claims=json.dumps(claims),
    )
    token.make_signed_token(key)
    return token.serialize()


def notify_after_commit(
    *, session_sid: str, user_id: int, application_ids: list[int], iss: str = ""
) -> None:
    iss = iss or issuer()
    for application_id in application_ids:
        transaction.on_commit(
            partial(
                _enqueue, application_id=application_id, sid=session_sid, user_id=user_id, iss=iss
            )
        )


def request_issuer(request) -> str:
    """The issuer the systems saw in their ID tokens (derived from the request when not set)."""
    from oauth2_provider.settings import oauth2_settings

    # A request made inside the process (a test client's logout, a management command) names no
    # host: the configured issuer is the one the systems saw.
    if request is None or not (request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME")):
        return issuer()
    return oauth2_settings.oidc_issuer(request)


def _enqueue(**kwargs) -> None:
    from tongban.identity.tasks import send_logout

    try:
        send_logout.delay(**kwargs)
    except Exception:
        log.warning("could not enqueue a back-channel logout; sending it now")
        send(**kwargs)


def send(*, application_id: int, sid: str, user_id: int, iss: str) -> bool:
    """POST the logout token; True when the system answered 200/204."""
    from tongban.identity.models import ClientRegistration

    registration = (
        ClientRegistration.objects.select_related("application")
        .filter(application_id=application_id)
        .first()
    )
    if registration is None or not registration.backchannel_logout_uri:
        return True
    token = logout_token(
        client_id=registration.application.client_id, sub=str(user_id), sid=sid, iss=iss
    )
    response = requests.post(
        registration.backchannel_logout_uri,
        data=urlencode({"logout_token": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=TIMEOUT_SECONDS,
    )
    if response.status_code not in (200, 204):
        raise RuntimeError(f"back-channel logout answered {response.status_code}")
    return True
