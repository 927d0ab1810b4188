"""Bad input: someone else's case, rating twice, forged or stale SMS webhooks, a reply that is not
a digit, HTML in the text, follow-up periods — refused or handled safely, never a server error."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongban.notify.models import SmsOutbox
from tongban.ratings import actions, sms
from tongban.ratings.models import Rating, RatingInvitation
from tongban.ratings.tests.conftest import at, complete_case
from tongban.testing.factories import staff

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def completed(citizen, team, promise_item):
    return complete_case(citizen, team, promise_item, D(2026, 11, 2))


def _post_sms(client, body: bytes, signature: str | None):
    headers = {"X-Tongban-Signature": signature} if signature is not None else {}
    return client.post(
        reverse("ratings:sms-inbound"), body, content_type="application/json", headers=headers
    )


def test_someone_elses_case_is_not_found_anywhere(client, completed, second_citizen):
    with at(D(2026, 11, 3)):
        client.force_login(second_citizen)
        url = reverse("ratings:case", args=[completed.public_id])
        assert client.get(url).status_code == 404
        assert client.post(url, {"form": "rate", "level": "1"}).status_code == 404
        api = client.post(
            "/api/v1/ratings/",
            {"public_id": str(completed.public_id), "level": 1},
            "application/json",
        )
        assert api.status_code == 404
        with pytest.raises(PermissionDenied):
            actions.rate_case(application=completed, rater=second_citizen, level=1)
    assert not Rating.objects.exists()


def test_rating_twice_gets_a_chinese_error(client, citizen, completed):
    url = reverse("ratings:case", args=[completed.public_id])
    with at(D(2026, 11, 3)):
        client.force_login(citizen)
        client.post(url, {"form": "rate", "level": "1"})
        page = client.post(url, {"form": "rate", "level": "5"}, follow=True).content.decode()
        assert "您已评价过本件" in page
        mobile = client.post(  # another device is not another vote
            url, {"form": "rate", "level": "5"}, headers={"User-Agent": "Mozilla/5.0 Mobile"}
        )
        assert mobile.status_code == 302
        api = client.post(
            "/api/v1/ratings/",
            {"public_id": str(completed.public_id), "level": 5},
            "application/json",
        )
    assert api.status_code == 400 and "您已评价过本件" in json.dumps(api.json(), ensure_ascii=False)
    assert Rating.objects.get().level == 1


def test_rating_before_completion_and_bad_levels_are_refused(citizen, team, promise_item):
    from tongban.testing.builders import submit_application

    with at(D(2026, 11, 2)):
        draft = submit_application(citizen, promise_item)
        with pytest.raises(ValidationError, match="办结后才能评价"):
            actions.rate_case(application=draft, rater=citizen, level=1)
    application = complete_case(citizen, team, promise_item, D(2026, 11, 3))
    with at(D(2026, 11, 4)):
        for level in ("0", "6", "abc", None):
            with pytest.raises(ValidationError, match="请选择满意度"):
                actions.rate_case(application=application, rater=citizen, level=level)
        with pytest.raises(ValidationError, match="未知的评价指标"):
            actions.rate_case(application=application, rater=citizen, level=1, scores={"x": 1})
        with pytest.raises(ValidationError, match="500字"):
            actions.rate_case(application=application, rater=citizen, level=1, text="长" * 501)


def test_html_in_the_text_is_stored_as_is_and_rendered_escaped(client, citizen, team, completed):
    text = '<script>alert("x")</script><b>太慢</b>'
    with at(D(2026, 11, 3)):
        client.force_login(citizen)
        client.post(
            reverse("ratings:case", args=[completed.public_id]),
            {"form": "rate", "level": "5", "text": text},
        )
        page = client.get(reverse("ratings:case", args=[completed.public_id])).content.decode()
        rating = Rating.objects.get()
        client.force_login(team["approver"])
        desk = client.get(
            reverse("ratings_staff:detail", args=[rating.bad_case.pk])
        ).content.decode()
    assert rating.text == text
    for html in (page, desk):
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html
        assert "&lt;b&gt;太慢&lt;/b&gt;" in html


def test_forged_missing_and_stale_signatures_are_rejected(client, citizen, completed):
    with at(D(2026, 11, 3)):
        body, signature = sms.build(citizen.phone, "1")
        assert _post_sms(client, body, "0" * 64).status_code == 403
        assert _post_sms(client, body, None).status_code == 403
        tampered = body.replace(b'"1"', b'"5"')
        assert _post_sms(client, tampered, signature).status_code == 403
        stale, stale_signature = sms.build(
            citizen.phone, "1", ts=int(datetime.datetime(2026, 11, 2, 1).timestamp())
        )
        assert _post_sms(client, stale, stale_signature).status_code == 400
        junk = b"not json"
        assert _post_sms(client, junk, sms.sign(junk)).status_code == 400
    assert not Rating.objects.exists()
    assert RatingInvitation.objects.get().answered_at is None


def test_a_reply_that_is_not_a_digit_records_nothing_and_asks_again(
    client, citizen, completed, django_capture_on_commit_callbacks, caplog
):
    with at(D(2026, 11, 3)), django_capture_on_commit_callbacks(execute=True):
        for text in ("很满意", "6", "12", "<b>1</b>", ""):
            body, signature = sms.build(citizen.phone, text)
            answer = _post_sms(client, body, signature)
            assert answer.status_code == 200 and answer.json()["reason"] == "not_a_digit"
        # full-width digit, +86; "1" is 非常不满意, the one star (5 would be 非常满意)
        body, signature = sms.build("+86" + citizen.phone, " １ ")
        assert _post_sms(client, body, signature).json()["status"] == "recorded"
        body, signature = sms.build(citizen.phone, "1")  # nothing left awaiting a reply
        assert _post_sms(client, body, signature).json()["reason"] == "no_pending_invitation"
    assert SmsOutbox.objects.filter(text__startswith="请回复数字1-5").count() == 5
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.bad_case.status) == ("sms", 5, "assigned")
    assert citizen.phone not in caplog.text


def test_unknown_phone_is_ignored(client):
    with at(D(2026, 11, 3)):
        body, signature = sms.build("17000009999", "1")
        answer = _post_sms(client, body, signature)
    assert answer.status_code == 200 and answer.json()["reason"] == "no_pending_invitation"


def test_simulator_signs_and_goes_through_the_webhook_check(
    client, citizen, team, completed, django_capture_on_commit_callbacks
):
    with at(D(2026, 11, 3)), django_capture_on_commit_callbacks(execute=True):
        client.force_login(team["clerk"])
        page = client.post(
            reverse("ratings:sms-simulator"), {"phone": citizen.phone, "text": "1"}
        ).content.decode()
    assert "HTTP 200" in page and "ok" in page
    assert Rating.objects.get().channel == "sms"
    client.force_login(citizen)
    assert client.get(reverse("ratings:sms-simulator")).status_code == 403


def test_follow_up_within_the_period_and_not_after(citizen, team, promise_item, settings):
    settings.RATING_FOLLOW_UP_DAYS = 15
    first = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    second = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        early = actions.rate_case(application=first, rater=citizen, level=1)
        late = actions.rate_case(application=second, rater=citizen, level=2)
    with at(D(2026, 11, 17)):  # 14 days later
        later = actions.follow_up(rating=early, rater=citizen, level=4, text="后来发现证照有误")
        with pytest.raises(ValidationError, match="不能重复追评"):
            actions.follow_up(rating=early, rater=citizen, level=3)
    assert later.is_follow_up and later.parent == early
    assert later.bad_case.status == "assigned"  # a good rating turned bad is handled too
    with at(D(2026, 11, 19)):  # 16 days later
        with pytest.raises(ValidationError, match="已超过追评期限"):
            actions.follow_up(rating=late, rater=citizen, level=3)
        with pytest.raises(PermissionDenied):
            actions.follow_up(rating=late, rater=team["clerk"], level=3)


def test_simulator_is_gone_once_a_real_sms_gateway_is_configured(
    client, team, department, settings
):
    workbench = reverse("workbench:home")
    client.force_login(team["clerk"])  # a daily user: the tool is not in the navigation
    page = client.get(workbench).content.decode()
    assert reverse("ratings:sms-simulator") not in page and reverse("api-docs") not in page
    client.force_login(staff(department, "platform1", "platform_admin"))
    page = client.get(workbench).content.decode()
    assert reverse("ratings:sms-simulator") in page and reverse("api-docs") in page
    settings.PLUGINS = {**settings.PLUGINS, "sms": {"name": "city-gateway", "options": {}}}
    assert client.get(reverse("ratings:sms-simulator")).status_code == 404
    assert reverse("ratings:sms-simulator") not in client.get(workbench).content.decode()
