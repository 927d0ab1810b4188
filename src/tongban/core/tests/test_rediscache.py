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
