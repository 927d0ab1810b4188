import time

import pytest

from tongban.core import ratelimit

pytestmark = pytest.mark.django_db


def test_an_address_goes_over_the_limit_on_the_attempt_after_it_and_others_are_not_affected():
    assert [ratelimit.exceeded("t:10.0.0.1", 3, 3600) for _ in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert ratelimit.exceeded("t:10.0.0.2", 3, 3600) is False


def test_a_new_window_starts_when_the_clock_reaches_it():
    time.sleep(2 - time.time() % 2)  # begin at the start of a two-second window
    for _ in range(2):
        ratelimit.exceeded("t:10.0.0.3", 1, 2)
    assert ratelimit.exceeded("t:10.0.0.3", 1, 2) is True
    time.sleep(2)
    assert ratelimit.exceeded("t:10.0.0.3", 1, 2) is False
