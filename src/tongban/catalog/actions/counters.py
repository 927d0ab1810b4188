"""Guide views counted for the hot-items list: in the cache per view, into the database once a minute."""

from django.core.cache import cache
from django.db.models import F

from tongban.catalog.models import (
    ServiceItem,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)

VIEWS_KEY = "catalog:views:{}"
VIEWS_FLUSH_CHUNK = 1000


def record_view(item_id: int) -> None:
    """Count a guide view for the hot-items list (a counter, not a state change worth auditing).
    Counted in the cache, not the database: a row update per page view would serialise readers of
    a popular guide on its row lock. `flush_view_counts` (scheduled every minute) adds them up."""
    key = VIEWS_KEY.format(item_id)
    try:
        cache.incr(key)
    except ValueError:  # first view since the last flush
        cache.add(key, 0, timeout=None)
        cache.incr(key)


def flush_view_counts() -> int:
    """Move the views counted in the cache into ServiceItem.view_count; returns how many."""
    moved = 0
    ids = ServiceItem.objects.order_by("pk").values_list("pk", flat=True)
    for start in range(0, ids.count(), VIEWS_FLUSH_CHUNK):
        keys = {VIEWS_KEY.format(pk): pk for pk in ids[start : start + VIEWS_FLUSH_CHUNK]}
        for key, views in cache.get_many(list(keys)).items():
            if not views:
                continue
            ServiceItem.objects.filter(pk=keys[key]).update(view_count=F("view_count") + views)
            cache.decr(key, views)  # views counted meanwhile stay for the next flush
            moved += views
    return moved
