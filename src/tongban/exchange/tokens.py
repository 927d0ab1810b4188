"""The one token check of the exchange API (the query API and bulk delivery alike), with the
token introspection cached for a few seconds.

`consumer_of(token)` is the check: a live token with the "exchange" scope, issued to an active
consumer. `TokenAuthentication` uses it to decide what may be cached, `HasExchangeToken` to admit
the caller, and every view for department systems derives from `ExchangeClientView`.

A department system sends its bearer token with every call; looking it up (and its consumer) in
the database each time would cost more than the call. The answer is kept in the shared cache under
a SHA-256 of the token — never the token itself — for at most EXCHANGE_TOKEN_CACHE_SECONDS and
never past the token's expiry. Revoking or deleting a token (secret rotation, /o/revoke_token/)
and changing its consumer (deactivation) drop the cached entries at once, in every process.
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from tongban.exchange import conf
from tongban.exchange.actions import access
from tongban.exchange.models import Consumer

PREFIX = "exchange:token:"
SCOPE = "exchange"


def key_for(raw_token: str) -> str:
    return PREFIX + hashlib.sha256(raw_token.encode()).hexdigest()


@dataclass
class CachedToken:
    """What the exchange API needs of a valid token: its scopes, expiry and consumer."""

    application_id: int
    scope: str
    expires: object
    consumer: Consumer

    def is_valid(self, scopes=None) -> bool:
        return self.expires > timezone.now() and set(scopes or ()) <= set(self.scope.split())


def consumer_of(token) -> Consumer | None:
    """The consumer a token lets call the exchange: the token is live, carries the exchange
    scope and belongs to an active consumer's client; None otherwise."""
    if token is None or not hasattr(token, "is_valid") or not token.is_valid([SCOPE]):
        return None
    return getattr(token, "consumer", None) or access.consumer_for_token(token)


def _bearer(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    kind, _, raw = header.partition(" ")
    return raw.strip() if kind.lower() == "bearer" else ""


class TokenAuthentication(OAuth2Authentication):
    """django-oauth-toolkit's bearer authentication with the answer cached (see the module)."""

    def authenticate(self, request):
        raw = _bearer(request)
        if raw and len(raw) <= 255:
            hit = cache.get(key_for(raw))
            if hit is not None and hit.is_valid():
                return None, hit
        result = super().authenticate(request)
        if result is None or not raw:
            return result
        user, token = result
        consumer = consumer_of(token)
        if user is not None or consumer is None:
            return result
        seconds = int((token.expires - timezone.now()).total_seconds())
        entry = CachedToken(token.application_id, token.scope, token.expires, consumer)
        if min(seconds, conf.token_cache_seconds()) > 0:
            cache.set(key_for(raw), entry, min(seconds, conf.token_cache_seconds()))
        return None, entry


class HasExchangeToken(BasePermission):
    """Admits a caller whose token passes `consumer_of`; the view finds the consumer on
    `request.exchange_consumer`."""

    message = "需要具有 exchange 权限范围的有效访问令牌（OAuth 2.0 客户端凭证）"

    def has_permission(self, request, view):
        request.exchange_consumer = consumer_of(request.auth)
        return request.exchange_consumer is not None


# Base of every endpoint for department systems: bearer token (cached), exchange scope, active
# consumer. (A comment, not a docstring: drf-spectacular would print it on every operation.)
class ExchangeClientView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [HasExchangeToken]


def forget_token(sender, instance, created=False, **kwargs) -> None:
    # A token just issued cannot have been cached: issuing one costs no cache round trip.
    if not created:
        cache.delete(key_for(instance.token))


def forget_consumer_tokens(sender, instance, **kwargs) -> None:
    if instance.application_id is None:
        return
    raws = AccessToken.objects.filter(application_id=instance.application_id).values_list(
        "token", flat=True
    )
    cache.delete_many([key_for(raw) for raw in raws.iterator()])


post_delete.connect(forget_token, sender=AccessToken, dispatch_uid="exchange-token-delete")
post_save.connect(forget_token, sender=AccessToken, dispatch_uid="exchange-token-save")
post_save.connect(forget_consumer_tokens, sender=Consumer, dispatch_uid="exchange-token-consumer")


class TokenAuthenticationScheme(DjangoOAuthToolkitScheme):
    """The OpenAPI file shows the cached authentication as the OAuth 2.0 scheme it is."""

    target_class = "tongban.exchange.tokens.TokenAuthentication"
