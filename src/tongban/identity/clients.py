"""Registered clients looked up by client_id through the shared cache (Redis at scale).

Every token request and introspection names its client; reading the client and its registration
from the database each time was two queries per call. The cache keeps the client (with its
registration: approval status, allowed scopes) for CACHE_SECONDS and is cleared, once the change
commits, whenever a client or its registration changes (approval, suspension, secret rotation),
so a suspended system is refused at once in every process.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction
from oauth2_provider.models import get_application_model

Application = get_application_model()
CACHE_SECONDS = 300
MAX_CLIENT_ID = 100  # longer ids (DOT makes 40 characters) are never looked up in the cache


def _key(client_id: str) -> str:
    return "identity:client:" + hashlib.sha256(client_id.encode()).hexdigest()[:40]


def registration_of(application):
    """The application's ClientRegistration (None for clients the exchange made for itself),
    read once and kept on the instance."""
    from tongban.identity.models import ClientRegistration

    cached = getattr(application, "_tongban_registration", False)
    if cached is False:
        try:
            cached = application.registration
        except ClientRegistration.DoesNotExist:
            cached = None
        application._tongban_registration = cached
    return cached


def plausible(client_id) -> bool:
    """Could this be a client id at all? No client has an empty, overlong or unprintable one (and
    PostgreSQL refuses a NUL in a query), so such ids are refused without asking the database."""
    return (
        isinstance(client_id, str)
        and 0 < len(client_id) <= MAX_CLIENT_ID
        and client_id.isprintable()
    )


def cached(client_id: str):
    """The client with this id, from the cache or the database; None if there is none."""
    if not plausible(client_id):
        return None
    key = _key(client_id)
    client = cache.get(key)
    if client is None:
        try:
            client = Application.objects.select_related("registration").get(client_id=client_id)
        except (Application.DoesNotExist, ValueError):
            return None  # unknown ids are not cached: nobody can fill the cache with them
        registration_of(client)
        cache.set(key, client, CACHE_SECONDS)
    return client


def forget(client_id: str) -> None:
    """Drop the cached client now and again once the current transaction commits (so no other
    process caches the state from before the change)."""
    if not client_id:
        return
    key = _key(client_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
