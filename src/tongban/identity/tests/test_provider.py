"""The provider's answers to good and bad requests: codes, PKCE, scopes, redirect URIs, tokens,
signing-key rotation, claims by scope, consent and its revocation."""

import base64
import hashlib
import json
import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, get_application_model

from tongban.core.models import AuditRecord
from tongban.identity import actions, keys
from tongban.identity.models import ClientRegistration, Consent
from tongban.identity.tests.conftest import approved_client

pytestmark = pytest.mark.django_db
REDIRECT = "https://jz.example.gov.cn/callback"
VERIFIER = "v" * 43 + "-tongban-verifier"


def challenge(verifier=VERIFIER):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def system(platform_admin, second_admin, department):
    return approved_client(platform_admin, second_admin, department)


def authorize_params(registration, **overrides):
    params = {
        "response_type": "code",
        "client_id": registration.client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge(),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def consent(client, registration, **overrides):
    """Open the authorisation URL and agree; returns the redirect's query parameters."""
    url = (
        reverse("oauth2_provider:authorize")
        + "?"
        + urlencode(authorize_params(registration, **overrides))
    )
    page = client.get(url)
    if page.status_code == 302:
        return parse_qs(urlsplit(page["Location"]).query)
    assert page.status_code == 200, page.content[:300]
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode())
    )
    fields["allow"] = "Authorize"
    answer = client.post(url, fields)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer["Location"]).query)


def exchange(client, registration, secret, code, verifier=VERIFIER, redirect_uri=REDIRECT):
    auth = base64.b64encode(f"{registration.client_id}:{secret}".encode()).decode()
    return client.post(
        reverse("oauth2_provider:token"),
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def id_claims(token: str) -> dict:
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    key = keys.key_for(header["kid"])
    return json.loads(jwt.JWT(key=key, jwt=token).claims)


def test_consent_page_is_in_chinese_and_names_the_system_and_data(client, citizen, system):
    registration, _secret = system
    client.force_login(citizen)
    url = (
        reverse("oauth2_provider:authorize")
        + "?"
        + urlencode(authorize_params(registration, scope="openid profile idcard"))
    )
    html = client.get(url).content.decode()
    assert "许昌市民政救助系统" in html and "许昌市民政局" in html
    assert "您完整的公民身份号码" in html and "敏感个人信息" in html
    assert "同意并登录" in html


def test_code_flow_gives_tokens_once_and_the_code_cannot_be_used_twice(client, citizen, system):
    registration, secret = system
    client.force_login(citizen)
    code = consent(client, registration)["code"][0]

    first = exchange(client, registration, secret, code)
    second = exchange(client, registration, secret, code)

    assert first.status_code == 200
    claims = id_claims(first.json()["id_token"])
    assert claims["sub"] == str(citizen.pk) and claims["nonce"] == "n-1"
    assert claims["name"] == "示例老人" and "id_number" not in claims
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_pkce_mismatch_is_refused(client, citizen, system):
    registration, secret = system
    client.force_login(citizen)
    code = consent(client, registration)["code"][0]

    answer = exchange(client, registration, secret, code, verifier="w" * 50)

    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_plain_pkce_is_refused(client, citizen, system):
    registration, _secret = system
    client.force_login(citizen)
    answer = consent(client, registration, code_challenge=VERIFIER, code_challenge_method="plain")
    assert answer["error"] == ["invalid_request"]


def test_a_scope_the_system_was_not_granted_is_refused(
    client, citizen, platform_admin, second_admin, department
):
    registration, _secret = approved_client(
        platform_admin, second_admin, department, allowed_scopes=["openid", "profile"]
    )
    client.force_login(citizen)
    answer = consent(client, registration, scope="openid idcard")
    assert answer["error"] == ["invalid_scope"]
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"client_id": "no-such-system"}, "未在本平台登记或已停用"),
        ({"redirect_uri": "https://evil.example.com/callback"}, "回调地址与登记的不一致"),
    ],
    ids=["unknown-client", "wrong-redirect-uri"],
)
def test_bad_clients_get_a_chinese_page_and_no_redirect(client, citizen, system, overrides, text):
    registration, _secret = system
    client.force_login(citizen)
    url = (
        reverse("oauth2_provider:authorize")
        + "?"
        + urlencode(authorize_params(registration, **overrides))
    )
    answer = client.get(url)
    assert answer.status_code == 400
    assert text in answer.content.decode()
    assert "evil.example.com" not in answer.get("Location", "")


def test_an_unapproved_or_suspended_system_cannot_sign_anyone_in(
    client, citizen, platform_admin, second_admin, department
):
    pending = actions.register_client(
        actor=platform_admin,
        name="待审批系统",
        department=department,
        redirect_uris=REDIRECT,
        allowed_scopes=["openid"],
    )
    client.force_login(citizen)
    url = (
        reverse("oauth2_provider:authorize")
        + "?"
        + urlencode(authorize_params(pending, scope="openid"))
    )
    assert client.get(url).status_code == 400

    registration, _secret = approved_client(platform_admin, second_admin, department)
    actions.suspend_client(actor=platform_admin, registration=registration, reason="安全检查")
    url = reverse("oauth2_provider:authorize") + "?" + urlencode(authorize_params(registration))
    assert "未在本平台登记或已停用" in client.get(url).content.decode()


def test_the_registrant_cannot_approve_their_own_registration(platform_admin, department):
    registration = actions.register_client(
        actor=platform_admin,
        name="某系统",
        department=department,
        redirect_uris=REDIRECT,
        allowed_scopes=["openid"],
    )
    with pytest.raises(Exception, match="不能审批自己"):
        actions.approve_client(actor=platform_admin, registration=registration)
    assert ClientRegistration.objects.get().status == "pending"


def test_a_rejected_registration_stays_rejected_and_every_move_is_recorded(
    platform_admin, second_admin, department
):
    from django.core.exceptions import ValidationError

    from tongban.identity.models import RegistrationChange

    registration = actions.register_client(
        actor=platform_admin,
        name="100%在线系统",
        department=department,
        redirect_uris=REDIRECT,
        allowed_scopes=["openid"],
    )
    actions.reject_client(actor=second_admin, registration=registration, reason="材料不全")
    with pytest.raises(ValidationError, match="接入系统“100%在线系统”当前为已驳回，不能改为已批准"):
        actions.approve_client(actor=second_admin, registration=registration)
    with pytest.raises(ValidationError, match="当前为已驳回，不能改为已停用"):
        actions.suspend_client(actor=second_admin, registration=registration, reason="试试")
    registration.refresh_from_db()
    assert registration.status == "rejected"
    moves = RegistrationChange.objects.filter(registration=registration, action="rejected")
    assert [(m.from_status, m.to_status, m.note) for m in moves] == [
        ("pending", "rejected", "材料不全")
    ]
    record = AuditRecord.objects.get(action="identity.client_rejected")
    assert record.detail["from"] == "pending" and record.detail["note"] == "材料不全"


def test_registration_checks_scopes_and_addresses(platform_admin, department):
    with pytest.raises(Exception) as caught:
        actions.register_client(
            actor=platform_admin,
            name="某系统",
            department=department,
            redirect_uris="ftp://x/cb",
            allowed_scopes=["profile", "everything"],
        )
    errors = caught.value.message_dict
    assert "redirect_uris" in errors and "allowed_scopes" in errors


def test_secret_is_shown_once_stored_hashed_and_rotatable(client, citizen, system, platform_admin):
    registration, secret = system
    application = get_application_model().objects.get(pk=registration.application_id)
    assert secret and application.client_secret != secret  # hashed

    new_secret = actions.rotate_secret(actor=platform_admin, registration=registration)
    client.force_login(citizen)
    code = consent(client, registration)["code"][0]
    assert exchange(client, registration, secret, code).json()["error"] == "invalid_client"
    code = consent(client, registration)["code"][0]
    assert exchange(client, registration, new_secret, code).status_code == 200
    assert AuditRecord.objects.filter(action="identity.rotate_secret").exists()


def test_userinfo_with_an_expired_or_tampered_token_is_refused(client, citizen, system):
    registration, secret = system
    client.force_login(citizen)
    tokens = exchange(client, registration, secret, consent(client, registration)["code"][0]).json()
    userinfo = reverse("oauth2_provider:user-info")

    good = client.get(userinfo, HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    tampered = client.get(userinfo, HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}x")
    AccessToken.objects.update(expires="2020-01-01T00:00:00Z")
    expired = client.get(userinfo, HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")

    assert good.status_code == 200 and good.json()["name"] == "示例老人"
    assert tampered.status_code == 401 and expired.status_code == 401


def test_idcard_scope_releases_the_full_number_and_is_audited(client, citizen, system):
    registration, secret = system
    client.force_login(citizen)
    code = consent(client, registration, scope="openid idcard realname")["code"][0]
    claims = id_claims(exchange(client, registration, secret, code).json()["id_token"])
    assert claims["id_number"] == citizen.citizen.id_number
    assert claims["realname_level"] == 0
    record = AuditRecord.objects.filter(action="pii.reveal").latest("pk")
    assert record.detail["client_id"] == registration.client_id


def test_enterprise_scope_names_the_role_and_the_agent_scope(
    client, second_citizen, enterprise, system
):
    import datetime

    from tongban.accounts import actions as account_actions

    account_actions.authorise_agent(
        enterprise_user=enterprise,
        agent_id_number=second_citizen.citizen.id_number,
        agent_name="示例经办",
        all_items=False,
        item_codes=["11410000XK001"],
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    registration, secret = system
    client.force_login(second_citizen)
    code = consent(client, registration, scope="openid enterprise")["code"][0]
    roles = id_claims(exchange(client, registration, secret, code).json()["id_token"])[
        "enterprise_roles"
    ]
    assert roles == [
        {
            "uscc": enterprise.enterprise.uscc,
            "name": "许昌示例餐饮有限公司",
            "role": "agent",
            "agent_scope": {
                "all_items": False,
                "item_codes": ["11410000XK001"],
                "valid_until": roles[0]["agent_scope"]["valid_until"],
            },
        }
    ]


def test_rotated_key_still_verifies_until_it_expires(
    client, citizen, system, settings, time_machine
):
    registration, secret = system
    client.force_login(citizen)
    old_token = exchange(
        client, registration, secret, consent(client, registration)["code"][0]
    ).json()["id_token"]
    old_kid = json.loads(base64.urlsafe_b64decode(old_token.split(".")[0] + "=="))["kid"]

    new = keys.rotate()
    keys.forget()
    jwks = client.get(reverse("oauth2_provider:jwks-info")).json()
    new_token = exchange(
        client, registration, secret, consent(client, registration)["code"][0]
    ).json()["id_token"]

    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new.kid}
    assert json.loads(base64.urlsafe_b64decode(new_token.split(".")[0] + "=="))["kid"] == new.kid
    public = jwk.JWKSet.from_json(json.dumps(jwks))
    jwt.JWT(key=public, jwt=old_token, check_claims={})  # the old token still verifies

    time_machine.move_to(time.time() + (settings.OIDC_KEY_OVERLAP_HOURS + 1) * 3600)
    keys.forget()
    later = client.get(reverse("oauth2_provider:jwks-info")).json()
    assert [k["kid"] for k in later["keys"]] == [new.kid]


def test_revoking_a_consent_deletes_tokens_and_asks_again(
    client, citizen, system, django_capture_on_commit_callbacks
):
    registration, secret = system
    client.force_login(citizen)
    exchange(client, registration, secret, consent(client, registration)["code"][0])
    assert AccessToken.objects.filter(user=citizen).exists()
    page = client.get(reverse("identity:security")).content.decode()
    assert "许昌市民政救助系统" in page

    held = Consent.objects.get(user=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identity:revoke-consent", args=[held.pk]))

    assert not AccessToken.objects.filter(user=citizen).exists()
    assert "您还没有授权任何系统" in client.get(reverse("identity:security")).content.decode()
    url = reverse("oauth2_provider:authorize") + "?" + urlencode(authorize_params(registration))
    assert 'id="authorizationForm"' in client.get(url).content.decode()


def test_someone_elses_consent_cannot_be_revoked(client, citizen, second_citizen, system):
    registration, _secret = system
    theirs = actions.grant_consent(
        user=citizen, application=registration.application, scopes=["openid"]
    )
    client.force_login(second_citizen)
    client.post(reverse("identity:revoke-consent", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_discovery_is_at_the_site_root_and_under_the_issuer(client):
    root = client.get("/.well-known/openid-configuration").json()
    under = client.get("/o/.well-known/openid-configuration").json()
    assert root == under
    assert root["issuer"].endswith("/o")
    assert root["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"profile", "realname", "idcard", "enterprise"} <= set(root["scopes_supported"])


def test_client_credentials_and_introspection(client, platform_admin, second_admin, department):
    registration, secret = approved_client(
        platform_admin,
        second_admin,
        department,
        grant="client-credentials",
        redirect_uris="",
        post_logout_redirect_uris="",
        allowed_scopes=["intake"],
    )
    auth = base64.b64encode(f"{registration.client_id}:{secret}".encode()).decode()
    token = client.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "client_credentials", "scope": "intake"},
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    refused = client.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "client_credentials", "scope": "exchange"},
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert token.status_code == 200 and token.json()["scope"] == "intake"
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"

    seen = client.post(
        reverse("oauth2_provider:introspect"),
        {"token": token.json()["access_token"]},
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert seen.json()["active"] is True and seen.json()["scope"] == "intake"
