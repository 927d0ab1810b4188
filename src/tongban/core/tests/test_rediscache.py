"""The Redis cache keeps one redis-py client per connection pool (tongban.core.rediscache)."""

import pytest
from django.core.cache import cache, caches

from tongban.core.rediscache import RedisCache

pytestmark = pytest.mark.skipif(
    not isinstance(caches["default"], RedisCache), reason="runs where TONGBAN_REDIS_URL is set"
)


def test_every_operation_uses_the_same_client_and_still_works():
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is first
    cache.set("rediscache:probe", {"件": 1}, 30)
    assert cache.get("rediscache:probe") == {"件": 1}
    assert cache.add("rediscache:count", 0, 30)
    assert cache.incr("rediscache:count", 2) == 2
    cache.delete_many(["rediscache:probe", "rediscache:count"])
    assert cache.get("rediscache:probe") is None


def test_incr_keeps_djangos_contract_in_one_round_trip(monkeypatch):
    """incr of a missing key raises ValueError and creates nothing; of an existing one it adds
    (decr subtracts), with one command to Redis instead of EXISTS then INCRBY."""
    key = "rediscache:views"
    cache.delete(key)
    with pytest.raises(ValueError):
        cache.incr(key)
    assert cache.get(key) is None
    cache.set(key, 5, 30)
    client = cache._cache.get_client(key, write=True)
    sent = []
    real = type(client).execute_command
    monkeypatch.setattr(
        type(client),
        "execute_command",
        lambda self, *args, **options: sent.append(args[0]) or real(self, *args, **options),
    )
    assert cache.incr(key) == 6
    assert len(sent) == 1
    assert cache.decr(key, 2) == 4
    assert cache.get(key) == 4
    cache.delete(key)
