import html
import re

import pytest
import requests

from tongban.accounts import actions as account_actions
from tongban.identity import actions
from tongban.testing.relying_party import RelyingParty

PASSWORD = "Tongban2026"


@pytest.fixture
def second_admin(department):
    return account_actions.create_staff(
        actor=None,
        login_name="admin02",
        display_name="平台管理员乙",
        department=department,
        roles=["platform_admin"],
        password=PASSWORD,
    )


def approved_client(platform_admin, second_admin, department, rp=None, **overrides):
    """A registered and approved sign-in client; returns (registration, secret)."""
    fields = {
        "name": "许昌市民政救助系统",
        "department": department,
        "redirect_uris": rp.redirect_uri if rp else "https://jz.example.gov.cn/callback",
        "backchannel_logout_uri": rp.backchannel_uri if rp else "",
        "post_logout_redirect_uris": rp.url + "/bye" if rp else "",
        "allowed_scopes": ["openid", "profile", "realname", "idcard", "enterprise"],
    }
    fields.update(overrides)
    registration = actions.register_client(actor=platform_admin, **fields)
    secret = actions.approve_client(actor=second_admin, registration=registration)
    return registration, secret


class Browser:
    """A person's browser on Tongban (a requests session that keeps cookies)."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.session = requests.Session()

    def csrf(self, url: str) -> str:
        page = self.session.get(url, timeout=10)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return found.group(1) if found else self.session.cookies.get("csrftoken", "")

    def login(self, identifier: str, password: str = PASSWORD):
        url = self.base + "/accounts/login/"
        token = self.csrf(url)
        response = self.session.post(
            url,
            data={"identifier": identifier, "password": password, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:500]

    def logout(self):
        url = self.base + "/accounts/logout/"
        token = self.csrf(self.base + "/accounts/me/")
        return self.session.post(url, data={"csrfmiddlewaretoken": token}, timeout=10)

    def authorize(self, url: str, *, allow: bool = True):
        """Follow the system's authorisation URL; consent if asked. Returns the final response
        (not followed: the redirect back to the system, or a page)."""
        response = self.session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and 'id="authorizationForm"' in response.text:
            fields = dict(
                re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text)
            )
            fields = {k: html.unescape(v) for k, v in fields.items()}
            if allow:
                fields["allow"] = "Authorize"
            response = self.session.post(
                response.url, data=fields, allow_redirects=False, timeout=10
            )
        return response


@pytest.fixture
def relying_party(live_server):
    rp = RelyingParty(live_server.url + "/o", client_id="")
    rp.start()
    yield rp
    rp.stop()
