"""A real OpenID Connect client (Authlib) signs a citizen in through Tongban, running against the
live provider: discovery, code flow with PKCE, ID token checked against the JWKS, userinfo, and
back-channel logout when the person logs out of Tongban."""

from urllib.parse import parse_qs, urlsplit

import pytest

from tongban.identity.models import Consent, LoginEvent
from tongban.identity.tests.conftest import Browser, approved_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_code_flow_with_pkce_userinfo_and_backchannel_logout(
    live_server, relying_party, platform_admin, second_admin, department, citizen
):
    registration, secret = approved_client(
        platform_admin, second_admin, department, rp=relying_party
    )
    relying_party.client_id = registration.client_id
    relying_party.client_secret = secret
    assert relying_party.metadata["backchannel_logout_supported"] is True
    assert "S256" in relying_party.metadata["code_challenge_methods_supported"]

    browser = Browser(live_server.url)
    browser.login(citizen.citizen.id_number)
    url, pending = relying_party.begin("openid profile realname")
    back = browser.authorize(url)
    assert back.status_code == 302
    callback = back.headers["Location"]
    assert callback.startswith(relying_party.redirect_uri)
    assert "code" in parse_qs(urlsplit(callback).query)

    result = relying_party.finish(callback, pending)

    claims, userinfo = result["id_claims"], result["userinfo"]
    assert claims["sub"] == str(citizen.pk)
    assert claims["realname_level"] == 0
    assert claims["id_number_masked"].startswith(citizen.citizen.id_number[:6])
    assert "id_number" not in claims  # idcard was not asked for
    assert userinfo["sub"] == str(citizen.pk)
    assert userinfo["name"] == "示例老人"
    assert Consent.objects.filter(user=citizen, application=registration.application).exists()

    # The second sign-in of the same system asks no consent again.
    url, pending = relying_party.begin("openid profile realname")
    again = browser.session.get(url, allow_redirects=False, timeout=10)
    assert again.status_code == 302
    assert again.headers["Location"].startswith(relying_party.redirect_uri)

    sid = claims["sid"]
    assert sid in relying_party.sessions
    browser.logout()

    assert relying_party.rejected_logouts == []
    assert [logout["sid"] for logout in relying_party.logouts] == [sid]
    assert relying_party.logouts[0]["sub"] == str(citizen.pk)
    assert sid not in relying_party.sessions
    assert LoginEvent.objects.filter(user=citizen, succeeded=True).exists()


def test_public_client_without_pkce_is_refused(
    live_server, relying_party, platform_admin, second_admin, department, citizen
):
    registration, _secret = approved_client(
        platform_admin, second_admin, department, rp=relying_party, confidential=False
    )
    browser = Browser(live_server.url)
    browser.login(citizen.citizen.id_number)
    query = (
        f"?response_type=code&client_id={registration.client_id}&scope=openid"
        f"&redirect_uri={relying_party.redirect_uri}&state=s1"
    )
    answer = browser.session.get(
        live_server.url + "/o/authorize/" + query, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    location = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert location["error"] == ["invalid_request"]
    assert not Consent.objects.exists()
