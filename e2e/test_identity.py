"""统一身份认证 in a browser. A department system (the test relying party: Authlib, a real OpenID
Connect client, with its own pages) is registered and approved by two platform administrators.
李演示 opens it, signs in through Tongban (authorisation code + PKCE), reads what the system will
get and consents; the system shows her data. In 账号安全 she sees the system and this session,
revokes it: the system's token stops working and the system is told to end her session there."""

import pytest
import requests
from journeys import follow

from tongban.accounts import actions as accounts
from tongban.core import demo as core_demo
from tongban.core import testdata
from tongban.identity import actions
from tongban.identity.models import Consent
from tongban.testing.relying_party import RelyingParty

PASSWORD = "Tongban2026"


@pytest.fixture
def department_system(live_server, demo):
    rp = RelyingParty(live_server.url + "/o", client_id="").start()
    department = core_demo.department("mz")
    admins = [
        accounts.create_staff(
            actor=None,
            login_name=f"idadmin{n}",
            display_name=f"平台管理员{n}",
            department=department,
            roles=["platform_admin"],
            password=PASSWORD,
        )
        for n in (1, 2)
    ]
    registration = actions.register_client(
        actor=admins[0],
        name=rp.TITLE,
        department=department,
        redirect_uris=rp.redirect_uri,
        backchannel_logout_uri=rp.backchannel_uri,
        allowed_scopes=["openid", "profile", "realname"],
    )
    rp.client_secret = actions.approve_client(actor=admins[1], registration=registration)
    rp.client_id = registration.client_id
    yield rp
    rp.stop()


@pytest.mark.parametrize("size", ["pc", "phone"])
def test_sign_in_to_a_department_system_consent_and_revoke(journey, department_system, size):
    rp = department_system
    j = journey(size, "citizen")
    j.login(testdata.phone(2))  # 李演示

    # The department system's page: sign in through Tongban.
    j.page.goto(rp.url + "/")
    j.shot("department-system")
    follow(j, j.page.get_by_role("link", name="使用通办账户登录"))
    assert "/o/authorize/" in j.page.url
    assert "code_challenge=" in j.page.url and "code_challenge_method=S256" in j.page.url
    text = j.text()
    assert f"“{rp.TITLE}”请求使用您的通办账户登录" in text
    assert "您的实名认证等级" in text and "许昌市民政局" in text
    j.shot("consent")
    follow(j, j.page.get_by_role("button", name="同意并登录"))

    # Back at the system, signed in: it read her data with its token.
    assert j.page.url.startswith(rp.url + "/me")
    text = j.text()
    assert "姓名：李演示" in text and "实名认证等级：0" in text
    assert "本系统的登录仍有效" in text
    j.shot("signed-in-at-the-system")
    visitor = next(iter(rp.visitors.values()))

    # 账号安全: the system, what it may read, and this session signed in to it.
    j.go("/account/security/")
    consent = Consent.objects.get(user__citizen__real_name="李演示", revoked_at__isnull=True)
    granted = j.page.locator(".security-list__item", has_text=rp.TITLE).first
    assert "可获得：" in granted.inner_text() and "实名认证等级" in granted.inner_text()
    assert f"已登录的系统：{rp.TITLE}" in j.text()
    j.shot("security-with-the-system")
    follow(j, granted.get_by_role("button", name="撤销授权"))
    assert f"已撤销对“{rp.TITLE}”的授权。" in j.text()
    assert "您还没有授权任何系统使用通办账户登录。" in j.text()
    j.shot("security-revoked")
    consent.refresh_from_db()
    assert consent.revoked_at is not None

    # The system's token no longer works, and the system was told to end her session there.
    answer = requests.get(
        rp.metadata["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {visitor['token']}"},
        timeout=10,
    )
    assert answer.status_code == 401
    assert [logout["sid"] for logout in rp.logouts] == [visitor["sid"]]
    j.page.goto(rp.url + "/me")
    text = j.text()
    assert "授权已失效" in text and "HTTP 401" in text
    assert "通办已通知本系统结束您的登录" in text
    j.shot("token-refused-at-the-system")

    # Signing in again asks for consent again.
    follow(j, j.page.get_by_role("link", name="重新使用通办账户登录"))
    assert f"“{rp.TITLE}”请求使用您的通办账户登录" in j.text()
    j.shot("consent-asked-again")
