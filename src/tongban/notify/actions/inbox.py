"""The in-app inbox: read marks and the unread count shown in the header (cached per user)."""

import time
from functools import partial

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction
from django.utils import timezone

from tongban.notify.models import (
    InboxMessage,
)


def mark_read(user, message_id: int) -> InboxMessage:
    """Mark one of `user`'s inbox messages read; InboxMessage.DoesNotExist if it is not theirs."""
    message = InboxMessage.objects.get(pk=message_id, recipient=user)
    if message.read_at is None:
        message.read_at = timezone.now()
        InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=message.read_at
        )
        inbox_changed(user.pk)
    return message


def mark_all_read(user) -> int:
    marked = InboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        inbox_changed(user.pk)
    return marked


# --- the unread count in the header ----------------------------------------------------------------
# Every signed-in page shows it. With a shared cache (Redis) the count is kept under the version
# of the user's inbox, which every change to the inbox renews once it has committed, so a count
# made before a change is never read after it, whatever the order of the two. (The embedded
# database cache would cost a query per read, as much as counting: there the count is made.)
UNREAD_SECONDS = 24 * 3600


def _count_is_shared() -> bool:
    return not isinstance(caches[DEFAULT_CACHE_ALIAS], DatabaseCache)


def _unread_keys(user_id: int) -> tuple[str, str]:
    return f"notify:inbox-version:{user_id}", f"notify:unread:{user_id}"


def inbox_changed(user_id: int) -> None:
    """Renew the user's inbox version when the current transaction commits (now, outside one)."""
    if _count_is_shared():
        # robust: the change has committed; a cache that cannot be reached must not undo the
        # answer to the person who made it (the failure is logged).
        transaction.on_commit(partial(_renew_inbox_version, user_id), robust=True)


def _renew_inbox_version(user_id: int) -> None:
    version_key, _ = _unread_keys(user_id)
    try:
        cache.incr(version_key)
    except ValueError:  # no version yet (or evicted): any fresh value will do
        cache.set(version_key, time.time_ns(), UNREAD_SECONDS)


def unread_count(user) -> int:
    if not _count_is_shared():
        return _count_unread(user.pk)
    version_key, count_key = _unread_keys(user.pk)
    kept = cache.get_many([version_key, count_key])  # one round trip
    version = kept.get(version_key)
    if version is not None and kept.get(count_key, (None, 0))[0] == version:
        return kept[count_key][1]
    if version is None:
        # A fresh value, never one an evicted version had: counts kept under that are not reused.
        cache.add(version_key, time.time_ns(), UNREAD_SECONDS)
        version = cache.get(version_key)
    count = _count_unread(user.pk)
    cache.set(count_key, (version, count), UNREAD_SECONDS)
    return count


def _count_unread(user_id: int) -> int:
    return InboxMessage.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
