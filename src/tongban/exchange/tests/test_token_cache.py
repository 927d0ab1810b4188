"""The exchange API checks a bearer token in the database once, then from the cache (keyed by the
token's hash, never the token); revocation, secret rotation and deactivation take effect at once."""

import datetime
import os

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tongban.exchange import tokens
from tongban.exchange.actions import access
from tongban.exchange.plugins import CircuitBreaker

from .test_api import ELDER, post, token_for
from .test_subscriptions import grant


@pytest.fixture
def live_token(other_department, population):
    consumer, secret = access.create_consumer(
        actor=None, code="wj.tok", name="卫健令牌测试", kind="system", department=other_department
    )
    grant(consumer, population, ["xm"])
    return consumer, secret, token_for(consumer, secret)


def token_queries(token) -> int:
    with CaptureQueriesContext(connection) as seen:
        assert post(token).status_code == 200
    return sum("oauth2_provider_accesstoken" in q["sql"] for q in seen.captured_queries)


def test_the_second_call_does_not_read_the_token_from_the_database(live_token):
    _consumer, _secret, token = live_token
    assert token_queries(token) >= 1
    assert token_queries(token) == 0
    assert cache.get(tokens.key_for(token)) is not None
    assert token not in tokens.key_for(token)


def test_a_revoked_token_is_refused_at_once(live_token):
    _consumer, _secret, token = live_token
    assert post(token).status_code == 200
    AccessToken.objects.get(token=token).revoke()
    assert post(token).status_code == 401


def test_rotating_the_secret_ends_cached_tokens(live_token):
    consumer, _secret, token = live_token
    assert post(token).status_code == 200
    access.rotate_secret(actor=None, consumer=consumer)
    assert post(token).status_code == 401


def test_a_deactivated_consumer_is_refused_at_once(live_token):
    consumer, _secret, token = live_token
    assert post(token).status_code == 200
    consumer.active = False
    consumer.save()
    assert post(token).status_code == 403


def test_an_expired_token_is_refused_even_when_cached(live_token):
    _consumer, _secret, token = live_token
    assert post(token).status_code == 200
    entry = cache.get(tokens.key_for(token))
    entry.expires = timezone.now() - datetime.timedelta(seconds=1)
    cache.set(tokens.key_for(token), entry, 30)
    AccessToken.objects.filter(token=token).update(expires=entry.expires)
    assert post(token).status_code == 401


def test_a_token_without_the_exchange_scope_is_not_cached_and_refused(live_token):
    consumer, _secret, _token = live_token
    other = "s" * 40
    AccessToken.objects.create(
        application_id=consumer.application_id,
        token=other,
        scope="profile",
        expires=timezone.now() + datetime.timedelta(hours=1),
    )
    assert post(other).status_code == 403
    assert cache.get(tokens.key_for(other)) is None


def test_a_wrong_client_token_never_reaches_data(live_token):
    assert post("x" * 40, subjects=[ELDER]).status_code == 401


REDIS_URL = os.environ.get("TONGBAN_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TONGBAN_REDIS_URL is not set")
def test_the_circuit_breaker_on_real_redis(settings):
    """Two breakers (two processes) share only a Redis cache: failures add up, the trial is one."""
    settings.CACHES = {
        **settings.CACHES,
        "breaker-redis": {"BACKEND": "tongban.core.rediscache.RedisCache", "LOCATION": REDIS_URL},
    }
    url = "http://rs.example.invalid/query"
    web, worker = CircuitBreaker("breaker-redis"), CircuitBreaker("breaker-redis")
    web.success(url)
    web.failure(url, 2, 1)
    assert worker.allow(url, 2, 1)
    worker.failure(url, 2, 1)
    assert not web.allow(url, 2, 1) and worker.is_open(url)
    web._cache.delete(web._keys(url)[1])  # the open period is over
    assert [web.allow(url, 2, 1), worker.allow(url, 2, 1)] == [True, False]
    worker.success(url)
    assert web.allow(url, 2, 1) and not web.is_open(url)
