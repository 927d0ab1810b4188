"""What a visitor notices on the portal pages: language, elderly mode, search box, error pages."""

import logging
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tongban.core.logging import ErrorReference
from tongban.core.middleware import RequestContextMiddleware
from tongban.portal import views

pytestmark = pytest.mark.django_db


def test_home_is_chinese_with_search_box_and_service_themes(client):
    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "想办什么事？" in html
    assert 'type="search"' in html and 'name="q"' in html
    assert '<label class="search__label" for="home-search">搜索办事事项</label>' in html
    for theme, code in (
        ("生育收养", "birth"),
        ("养老服务", "elderly"),
        ("开办企业", "e-start"),
        ("准营准办", "e-permits"),
    ):
        assert theme in html
        assert f'href="{reverse("catalog:index")}?theme={code}"' in html
    assert f'action="{reverse("catalog:search")}"' in html
    for promise in ("最多跑一次", "一网通办", "免证可办"):
        assert promise in html
    assert "给老年朋友的办事提示" in html
    assert reverse("accounts:login") in html and reverse("accounts:register") in html


def test_home_search_reaches_the_catalogue_search_and_escapes_input(client):
    response = client.get(reverse("catalog:search"), {"q": "<b>高龄津贴</b>"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<b>高龄津贴</b>" not in html
    assert "&lt;b&gt;高龄津贴&lt;/b&gt;" in html


def test_switching_to_english_shows_english_chrome(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302

    html = client.get(reverse("portal:home")).content.decode()

    assert '<html lang="en">' in html
    for text in (
        "Home",
        "Personal services",
        "Business services",
        "Log in",
        "Register",
        "Senior mode",
        "What do you need to do?",
        "Search services",
    ):
        assert text in html, text
    assert ">首页<" not in html

    login_page = client.get(reverse("accounts:login")).content.decode()
    assert "Password" in login_page and "Account" in login_page


def test_elderly_toggle_sets_cookie_and_next_page_is_in_elderly_mode(client):
    response = client.post(reverse("portal:elderly-mode"), {"on": "1", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response.url == "/accounts/login/"
    assert response.cookies[RequestContextMiddleware.ELDERLY_COOKIE].value == "1"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans" class="elderly">' in html
    assert "退出长者模式" in html

    client.post(reverse("portal:elderly-mode"), {"on": "0", "next": "/"})
    assert 'class="elderly"' not in client.get("/").content.decode()


def test_elderly_toggle_never_redirects_off_site(client):
    response = client.post(
        reverse("portal:elderly-mode"), {"on": "1", "next": "https://example.com/phish"}
    )

    assert response.url == "/"


def test_unknown_page_shows_chinese_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html


def test_500_page_is_standalone_html_in_chinese_and_english():
    # Rendered without a request: no context processors, no database.
    html = render_to_string("errors/500.html")
    assert '<html lang="zh-Hans">' in html
    assert "系统暂时无法处理您的请求" in html
    assert "12345" in html
    assert '<section lang="en"' in html and "Something went wrong" in html

    response = views.error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "系统暂时无法处理您的请求" in response.content.decode()


def _reference(text: str) -> str:
    found = re.search(r"\b([0-9A-F]{4}-[0-9A-F]{4})\b", text)
    assert found, "no reference on the error page"
    return found.group(1)


@pytest.mark.parametrize("path", ["/broken/", "/api/v1/broken/"])
def test_a_failure_gives_a_reference_that_its_log_line_carries(client, settings, caplog, path):
    """A caller to 12345 can quote what the page showed, and operations find the failure by it."""
    settings.ROOT_URLCONF = "tongban.portal.tests.broken_urls"
    client.raise_request_exception = False

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(path)

    assert response.status_code == 500
    reference = _reference(response.content.decode())
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    ErrorReference().filter(record)
    assert record.getMessage().startswith(f"[ref {reference}] ")
    second = client.get(path)
    assert _reference(second.content.decode()) != reference  # one per failure


def test_browser_language_does_not_switch_the_portal_to_english(client):
    html = client.get(
        reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert '<html lang="zh-hans">' in html and "想办什么事？" in html


def _nav(html: str) -> str:
    return html[html.index('<nav class="main-nav"') : html.index("</nav>", html.index("main-nav"))]


def test_navigation_marks_the_current_page_for_each_visitor_though_it_is_kept(
    client, citizen, enterprise
):
    """The masthead and navigation are kept per process (rendered once): the current page, the
    account's kind and the language must still be each visit's own."""
    mine, guide = reverse("applications:mine"), reverse("catalog:index")
    anonymous = _nav(client.get(guide).content.decode())
    assert f'href="{guide}" aria-current="page"' in anonymous and mine not in anonymous

    client.force_login(citizen)
    hub = reverse("portal:my")
    on_mine = _nav(client.get(mine).content.decode())  # a personal page: 我的 is where it is
    assert f'href="{hub}" aria-current="page"' in on_mine
    on_guide = _nav(client.get(guide).content.decode())
    assert f'href="{guide}" aria-current="page"' in on_guide
    assert f'href="{hub}" aria-current' not in on_guide

    client.force_login(enterprise)
    assert "经办人授权" in client.get(hub).content.decode()  # in 我的, not in the navigation
    client.cookies["django_language"] = "en"
    assert "My page" in _nav(client.get(mine).content.decode())
