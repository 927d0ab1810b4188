"""The circuit breaker is shared by every process through the cache (Redis or the database cache).

Two CircuitBreaker objects stand for two processes: they share nothing but the cache.
"""

import datetime

import pytest
from django.core.cache import cache

from tongban.exchange.plugins import CircuitBreaker
from tongban.testing.clock import at

URL = "http://mz.example.invalid/query?token=secret"

pytestmark = pytest.mark.django_db


@pytest.fixture
def web():
    return CircuitBreaker()


@pytest.fixture
def worker():
    return CircuitBreaker()


def test_failures_counted_in_one_process_open_the_circuit_in_another(web, worker):
    web.failure(URL, 3, 60)
    worker.failure(URL, 3, 60)
    assert web.allow(URL, 3, 60) and worker.allow(URL, 3, 60)
    worker.failure(URL, 3, 60)
    assert not web.allow(URL, 3, 60)
    assert not worker.allow(URL, 3, 60)
    assert web.is_open(URL)


def test_a_success_anywhere_closes_the_circuit_and_forgets_the_failures(web, worker):
    web.failure(URL, 2, 60)
    worker.success(URL)
    web.failure(URL, 2, 60)
    assert worker.allow(URL, 2, 60)  # one failure in a row, not two


def test_after_the_open_period_exactly_one_process_gets_the_trial_call(web, worker):
    for _ in range(2):
        web.failure(URL, 2, 60)
    assert not worker.allow(URL, 2, 60)
    cache.delete(worker._keys(URL)[1])  # the open period is over (its key expired)
    assert worker.allow(URL, 2, 60)  # the trial
    assert not web.allow(URL, 2, 60)  # everyone else waits for the trial's outcome
    worker.failure(URL, 2, 60)  # the trial failed: open for another period
    assert not worker.allow(URL, 2, 60) and web.is_open(URL)


def test_a_successful_trial_closes_it_for_everyone(web, worker):
    for _ in range(2):
        web.failure(URL, 2, 60)
    cache.delete(web._keys(URL)[1])
    assert worker.allow(URL, 2, 60)
    worker.success(URL)
    assert web.allow(URL, 2, 60) and not web.is_open(URL)


def test_endpoints_are_separate_and_the_url_is_not_a_cache_key(web):
    other = "http://rs.example.invalid/query"
    for _ in range(2):
        web.failure(URL, 2, 60)
    assert web.allow(other, 2, 60)
    assert all("secret" not in key and "example" not in key for key in web._keys(URL))


@pytest.mark.parametrize(("threshold", "open_seconds"), [(0, 60), (1, 0)])
def test_odd_settings_still_open_after_one_failure_and_never_stay_open_forever(
    web, threshold, open_seconds
):
    # The clock stands still: with open_seconds 0 the circuit is open for the shortest time the
    # cache can keep (1 s), which a busy test machine could otherwise pass between the two calls.
    with at(datetime.date(2026, 12, 7)):
        web.failure(URL, threshold, open_seconds)
        assert web.is_open(URL)
