"""Ending every session of some accounts (deactivation): sessions are not indexed by account, so
the live ones are read from the session store and those of the accounts are deleted.

The embedded default keeps sessions in the database, at scale in Redis; both are walked. Sessions
expire after 30 idle minutes, so the live ones are about as many as the people signed in."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.utils import timezone


def end_sessions(user_ids) -> int:
    """Delete the live sessions of the accounts `user_ids`; returns how many were ended."""
    wanted = {str(pk) for pk in user_ids}
    store = _store()
    ended = 0
    for key, data in live_sessions():
        if str(data.get(SESSION_KEY)) in wanted:
            store(session_key=key).delete()
            ended += 1
    return ended


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def live_sessions():
    """(session key, session data) of every live session in the store."""
    store = _store()
    if hasattr(store, "get_model_class"):  # database-backed sessions
        decoder = store()
        rows = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
        for key, encoded in rows.values_list("session_key", "session_data").iterator():
            yield key, decoder.decode(encoded)
        return
    cache = caches[settings.SESSION_CACHE_ALIAS]
    prefix = store.cache_key_prefix
    client = cache._cache.get_client(write=False)  # Redis: the keys are listed with SCAN
    full_prefix = cache.make_key(prefix)
    keys = [
        k.decode()[len(full_prefix) - len(prefix) :]
        for k in client.scan_iter(match=f"{full_prefix}*", count=1000)
    ]
    for cache_key, data in cache.get_many(keys).items():
        yield cache_key[len(prefix) :], data or {}
