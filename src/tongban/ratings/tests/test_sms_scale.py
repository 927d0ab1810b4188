"""The SMS rating counts like the stars on the pages: 5 = 非常满意 … 1 = 非常不满意, in the invitation,
in the prompt that asks again, and in what the webhook records."""

import datetime

import pytest
from django.urls import reverse

from tongban.notify.models import SmsOutbox
from tongban.ratings import sms
from tongban.ratings.codes import Level, level_from_stars, stars
from tongban.ratings.models import Rating
from tongban.testing.builders import complete_case
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def _reply(client, phone: str, text: str):
    body, signature = sms.build(phone, text)
    return client.post(
        reverse("ratings:sms-inbound"),
        body,
        content_type="application/json",
        headers={"X-Tongban-Signature": signature},
    ).json()


def test_the_scale_is_the_stars_both_ways():
    assert [level_from_stars(n) for n in (5, 4, 3, 2, 1)] == [1, 2, 3, 4, 5]
    assert all(stars(level_from_stars(n)) == n for n in range(1, 6))


def test_five_means_very_satisfied_as_the_invitation_says(
    client, citizen, team, promise_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete_case(citizen, team, promise_item, D(2026, 11, 2))
    invitation = SmsOutbox.objects.filter(text__contains="回复1-5评价").get()
    assert "5非常满意" in invitation.text and "1非常不满意" in invitation.text
    with at(D(2026, 11, 3)), django_capture_on_commit_callbacks(execute=True):
        assert _reply(client, citizen.phone, "好")["reason"] == "not_a_digit"
        assert _reply(client, citizen.phone, "5")["status"] == "recorded"
    prompt = SmsOutbox.objects.get(text__startswith="请回复数字1-5")
    assert "5非常满意" in prompt.text and "1非常不满意" in prompt.text
    rating = Rating.objects.get(channel="sms")
    assert rating.level == Level.VERY_SATISFIED and not hasattr(rating, "bad_case")


def test_one_means_very_dissatisfied_and_opens_a_bad_rating_case(
    client, citizen, team, promise_item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete_case(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 3)), django_capture_on_commit_callbacks(execute=True):
        assert _reply(client, citizen.phone, "1")["status"] == "recorded"
    rating = Rating.objects.get(channel="sms")
    assert rating.level == Level.VERY_DISSATISFIED and rating.bad_case.status == "assigned"
