"""The fast paths of the token, introspection and userinfo endpoints give the same answers as the
slow ones: a cached client still follows suspension and secret rotation at once, introspection
answers RFC 7662, userinfo carries no session id, and few queries are made."""

import base64
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken
from oauth2_provider.signals import app_authorized

from tongban.identity import actions, clients
from tongban.identity.tests.conftest import approved_client

pytestmark = pytest.mark.django_db
TOKEN = reverse("oauth2_provider:token")
INTROSPECT = reverse("oauth2_provider:introspect")
USERINFO = reverse("oauth2_provider:user-info")
GRANT = {"grant_type": "client_credentials", "scope": "intake"}


@pytest.fixture
def system(platform_admin, second_admin, department):
    registration, secret = approved_client(
        platform_admin,
        second_admin,
        department,
        name="许昌市自助终端收件系统",
        grant="client-credentials",
        redirect_uris="",
        post_logout_redirect_uris="",
        allowed_scopes=["intake"],
    )
    return registration, secret


def basic(registration, secret):
    pair = f"{registration.client_id}:{secret}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(pair).decode()}


def test_a_token_request_reads_the_client_from_the_cache(client, system):
    registration, secret = system
    assert client.post(TOKEN, GRANT, **basic(registration, secret)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(TOKEN, GRANT, **basic(registration, secret))
    assert answer.status_code == 200 and answer.json()["scope"] == "intake"
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "identity_clientregistration" not in tables
    assert 'FROM "oauth2_provider_application"' not in tables
    assert AccessToken.objects.filter(application=registration.application).count() == 2


def test_a_suspended_system_is_refused_at_once_although_its_client_was_cached(
    client, system, platform_admin
):
    registration, secret = system
    assert client.post(TOKEN, GRANT, **basic(registration, secret)).status_code == 200
    actions.suspend_client(actor=platform_admin, registration=registration, reason="安全检查")
    refused = client.post(TOKEN, GRANT, **basic(registration, secret))
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert not AccessToken.objects.filter(application=registration.application).exists()

    actions.approve_client(actor=None, registration=registration)  # re-enabled
    assert client.post(TOKEN, GRANT, **basic(registration, secret)).status_code == 200


def test_a_rotated_secret_replaces_the_cached_one_at_once(client, system, platform_admin):
    registration, secret = system
    assert client.post(TOKEN, GRANT, **basic(registration, secret)).status_code == 200
    new_secret = actions.rotate_secret(actor=platform_admin, registration=registration)
    old = client.post(TOKEN, GRANT, **basic(registration, secret))
    assert old.status_code == 401 and old.json()["error"] == "invalid_client"
    assert client.post(TOKEN, GRANT, **basic(registration, new_secret)).status_code == 200


@pytest.mark.parametrize(
    "client_id", ["", "unknown-client", "x" * 500, "bad\x00id", "客户端"], ids=str.__len__
)
def test_unknown_or_malformed_client_ids_are_refused_and_never_cached(client, client_id):
    pair = base64.b64encode(f"{client_id}:secret".encode()).decode()
    answer = client.post(TOKEN, GRANT, HTTP_AUTHORIZATION=f"Basic {pair}")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    assert clients.cached(client_id) is None


def test_a_wrong_secret_is_refused_even_after_the_right_one_was_remembered(client, system):
    registration, secret = system
    assert client.post(TOKEN, GRANT, **basic(registration, secret)).status_code == 200
    wrong = client.post(TOKEN, GRANT, **basic(registration, secret + "x"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"


def test_the_authorised_signal_is_still_sent_to_anyone_listening(client, system):
    registration, secret = system
    seen = []

    def listener(sender, request, token, **kwargs):
        seen.append(token)

    app_authorized.connect(listener)
    try:
        answer = client.post(TOKEN, GRANT, **basic(registration, secret))
    finally:
        app_authorized.disconnect(listener)
    assert [t.token for t in seen] == [answer.json()["access_token"]]


def test_introspection_answers_rfc_7662(client, system, citizen):
    registration, secret = system
    token = client.post(TOKEN, GRANT, **basic(registration, secret)).json()["access_token"]
    answer = client.post(INTROSPECT, {"token": token}, **basic(registration, secret)).json()
    stored = AccessToken.objects.get(token=token)
    assert answer == {
        "active": True,
        "scope": "intake",
        "exp": int(stored.expires.timestamp()),
        "client_id": registration.client_id,
    }
    person = AccessToken.objects.create(
        user=citizen,
        application=registration.application,
        token="person-token-" + "p" * 30,
        scope="openid",
        expires=timezone.now() + datetime.timedelta(minutes=5),
    )
    named = client.post(INTROSPECT, {"token": person.token}, **basic(registration, secret))
    assert named.json()["username"] == citizen.login_name

    AccessToken.objects.filter(pk=stored.pk).update(expires=timezone.now())
    for value in (token, token + "x", "", "不存在"):
        gone = client.post(INTROSPECT, {"token": value}, **basic(registration, secret))
        assert gone.status_code == 200 and gone.json() == {"active": False}
    missing = client.post(INTROSPECT, {}, **basic(registration, secret))
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    anonymous = client.post(INTROSPECT, {"token": token})
    assert anonymous.status_code in (401, 403)


def test_userinfo_is_one_query_and_carries_no_session_id(client, citizen, system):
    registration, _secret = system
    token = AccessToken.objects.create(
        user=citizen,
        application=registration.application,
        token="userinfo-token-" + "u" * 30,
        scope="openid profile realname",
        expires=timezone.now() + datetime.timedelta(minutes=5),
    )
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(USERINFO, HTTP_AUTHORIZATION=f"Bearer {token.token}")
    claims = answer.json()
    assert answer.status_code == 200 and claims["name"] == "示例老人"
    assert claims["realname_level"] == 0 and "id_number_masked" in claims
    assert "sid" not in claims and "id_number" not in claims
    assert len(queries.captured_queries) == 1
