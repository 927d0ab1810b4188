"""Issue 31, navigation by role: the workbench offers a link exactly when its page lets the person
in, so no link answers 403 or opens on nothing; platform tools stay out of the daily navigation."""

import re

import pytest
from django.urls import reverse

from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.testing.factories import staff
from tongban.workbench import nav

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="wb-nav".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')
DEMO_LOGINS = [row[0] for row in accounts_demo.STAFF]
# Roles no demo account of accounts.demo holds (the 12345 and city-management people).
OTHER_ROLES = sorted(
    {r.value for r in Role} - {str(r) for row in accounts_demo.STAFF for r in row[3]}
)


@pytest.fixture
def demo_staff(db):
    core_demo.load(lambda *_: None)
    accounts_demo.load(lambda *_: None)


def _nav(client) -> tuple[str, list[str]]:
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    block = NAV.search(response.content.decode()).group(0)
    return block, HREF.findall(block)


def _assert_every_link_answers(client, links):
    for href in links:
        response = client.get(href, follow=True)
        assert response.status_code == 200, href


@pytest.mark.parametrize("login_name", DEMO_LOGINS)
def test_every_link_a_demo_staff_member_is_offered_answers(client, demo_staff, login_name):
    client.force_login(User.objects.get(login_name=login_name))

    block, links = _nav(client)

    _assert_every_link_answers(client, links)
    assert "短信网关模拟" not in block and "接口文档" not in block
    assert reverse("api-docs") not in links and reverse("ratings:sms-simulator") not in links


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_link_offered_to_the_other_roles_answers(client, department, role):
    client.force_login(staff(department, f"nav_{role}", role))

    _block, links = _nav(client)

    _assert_every_link_answers(client, links)


def test_the_catalogue_administrator_is_offered_the_catalogue_not_the_desks(client, demo_staff):
    client.force_login(User.objects.get(login_name="catalog"))

    block, links = _nav(client)

    assert "事项管理" in block and reverse("catalog_staff:items") in links
    assert reverse("rules_staff:list") in links
    # Pages that would answer 403 or open on an empty queue are not offered.
    for name in ("cases:list", "bundles_staff:applications", "ratings_staff:list"):
        assert reverse(name) not in links, name
    assert reverse("cases:list") + '"' not in block


def test_a_window_clerk_is_offered_the_desk_not_the_catalogue(client, demo_staff):
    client.force_login(User.objects.get(login_name="clerk"))

    _block, links = _nav(client)

    assert reverse("cases:list") in links and reverse("intake_staff:proxy-start") in links
    for name in ("catalog_staff:items", "rules_staff:list", "ratings_staff:list"):
        assert reverse(name) not in links, name
    # 差评整改 answers 403 to a clerk, which is why it is not offered:
    assert client.get(reverse("ratings_staff:list")).status_code == 403


def test_every_entry_links_to_a_guarded_page():
    """A page without a declared guard cannot be offered by role, so none may be listed."""
    for entry in nav.ENTRIES:
        assert callable(entry.guard()), entry.url_name


def test_the_current_page_is_marked(client, demo_staff):
    client.force_login(User.objects.get(login_name="clerk"))

    block = NAV.search(client.get(reverse("cases:list")).content.decode()).group(0)

    assert f'href="{reverse("cases:list")}" aria-current="page"' in block
