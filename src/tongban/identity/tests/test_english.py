"""The identity pages in English: no Chinese left in the interface (only people's own data)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tongban.identity.tests.conftest import approved_client
from tongban.identity.tests.test_provider import authorize_params
from tongban.testing.english import chrome_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _english(client, url, *, expect, data=(), status=200):
    response = client.get(url)
    assert response.status_code == status, url
    html = response.content.decode()
    for text in expect:
        assert text in html, (url, text)
    assert chrome_texts(html, (settings.PLATFORM_NAME, *data)) == [], url
    return html


def test_account_security_realname_and_sms_pages_in_english(english, citizen):
    _english(english, reverse("identity:sms-login"), expect=("Sign in with an SMS code",))
    _english(english, reverse("identity:recover"), expect=("Send me an SMS code",))
    english.force_login(citizen)
    names = ("示例老人", "示*", "浏览器")
    _english(
        english,
        reverse("identity:security"),
        expect=("Current level: 0 (not verified)", "Signed-in devices", "Raise to level 1"),
        data=names,
    )
    _english(english, reverse("identity:realname"), expect=("Raise to level 1",), data=names)


def test_consent_and_error_pages_in_english(
    english, citizen, platform_admin, second_admin, department
):
    registration, _secret = approved_client(platform_admin, second_admin, department)
    english.force_login(citizen)
    query = "&".join(f"{k}={v}" for k, v in authorize_params(registration).items())
    data = (registration.name, department.name, "示例老人", "示*")
    _english(
        english,
        reverse("oauth2_provider:authorize") + "?" + query,
        expect=("asks to sign you in with your Tongban account", "Agree and sign in"),
        data=data,
    )
    bad = reverse("oauth2_provider:authorize") + "?" + query.replace(registration.client_id, "nope")
    _english(english, bad, expect=("is not registered with the platform",), data=data, status=400)
