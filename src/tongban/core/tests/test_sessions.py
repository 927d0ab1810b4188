"""Signed-in sessions end after SESSION_COOKIE_AGE without a request; each request extends them,
and the session is written at most once a minute to do so."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.django_db
PAGE = "/my/cases/"


def _get(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    return response


def test_a_click_extends_the_session_with_one_write_a_minute(client, citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(citizen)
        _get(client)
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        assert settings.SESSION_COOKIE_NAME not in _get(client).cookies  # not written again
    with time_machine.travel(start + datetime.timedelta(seconds=90), tick=False):
        cookie = _get(client).cookies[settings.SESSION_COOKIE_NAME]  # written, expiry renewed
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE


@pytest.mark.skipif(
    "cache" in settings.SESSION_ENGINE,
    reason="Redis expires cached sessions on its own clock, which the test cannot move",
)
def test_the_session_ends_after_the_idle_limit_counted_from_the_last_click(client, citizen):
    start = timezone.now()
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(start, tick=False):
        client.force_login(citizen)
    last_click = start + datetime.timedelta(minutes=10)
    with time_machine.travel(last_click, tick=False):
        _get(client)
    with time_machine.travel(start + idle + datetime.timedelta(minutes=1), tick=False):
        _get(client)  # 31 minutes after signing in, 21 after the last click: still signed in
    with time_machine.travel(
        start + idle + datetime.timedelta(minutes=1) + idle + datetime.timedelta(seconds=61),
        tick=False,
    ):
        assert client.get(PAGE).status_code == 302  # idle too long: asked to sign in again
