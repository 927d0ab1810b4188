"""The English interface of the pages built after the foundation: catalogue, applications,
licences, ratings, messages, seal verification and their workbench pages.

Each page is requested with English chosen (the language cookie, as the switch sets it). What the
page's interface says — headings, labels, table headers, buttons, navigation — must be English;
what comes from the database (item, department and region names, guide text) stays as entered and
is left out of the check. Chinese mode is covered by each app's own tests."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tongban.accounts import actions as account_actions
from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import User
from tongban.catalog import demo as catalog_demo
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo
from tongban.core.models import Department, Region
from tongban.testing.english import chrome_texts
from tongban.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def catalogue(db):
    core_demo.load(lambda _msg: None)
    accounts_demo.load(lambda _msg: None)
    catalog_demo.load(lambda _msg: None)
    return ServiceItem.objects.filter(current_version__isnull=False).order_by("pk")


def _data_of(item) -> tuple[str, ...]:
    """What a catalogue page shows from the database for one item."""
    version = item.current_version
    values = [settings.PLATFORM_NAME, version.name, item.department.name, item.region.name]
    values += [m.name for m in version.materials.all()]
    values += [entry.get("q", "") for entry in version.faq or []]
    for question in version.questions.all():  # the situation questions are catalogue content too
        values += [question.text] + [option.text for option in question.options.all()]
    return tuple(v for v in values if v)


def _page(client, url, *, expect: tuple[str, ...], data: tuple[str, ...] = ()) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en"' in html, url
    for text in expect:
        assert text in html, (url, text)
    assert chrome_texts(html, (settings.PLATFORM_NAME, *data)) == [], url
    return html


def test_public_catalogue_pages_are_english(english, catalogue):
    item = catalogue.first()
    names = (settings.PLATFORM_NAME,)
    names += tuple(i.current_version.name for i in catalogue)
    names += tuple(i.department.name for i in catalogue)

    _page(
        english, reverse("portal:home"), expect=("Service guide",), data=(settings.PLATFORM_NAME,)
    )
    _page(
        english,
        reverse("catalog:index"),
        expect=("Personal services (themes for individuals)", "By department"),
        data=names,
    )
    _page(
        english,
        reverse("catalog:index") + "?theme=elderly",
        expect=("Personal theme: Elderly care",),
        data=names,
    )
    _page(english, reverse("catalog:search") + "?q=jt", expect=("Search services",), data=names)
    guide = _page(
        english,
        reverse("catalog:guide", args=[item.implementation_code]),
        expect=(
            "Service guide",
            "At a glance",
            "Item details (codes, legal basis",
            "Result and fees",
        ),
        data=_data_of(item),
    )
    assert "是否收费" not in guide and "办事一览" not in guide
    assert "Statutory authority" in guide and "working days" in guide
    assert f"{item.department.name} (Statutory authority)" in guide


def test_applicant_pages_are_english(english, catalogue):
    english.force_login(User.objects.filter(kind=User.Kind.CITIZEN).order_by("pk").first())
    item = catalogue.first()

    _page(english, reverse("applications:mine"), expect=("My applications", "Find a service"))
    _page(
        english,
        reverse("applications:start", args=[item.implementation_code]),
        expect=("Apply online: ", "In what capacity are you applying?"),
        data=_data_of(item),
    )
    _page(english, reverse("applications:progress"), expect=("Case progress enquiry",))
    _page(english, reverse("licences:wallet"), expect=("My licences",))
    _page(english, reverse("licences:verify"), expect=("Electronic licence verification",))
    _page(english, reverse("notify:inbox"), expect=("Message centre", "My messages"))
    _page(english, reverse("seals:verify"), expect=("Electronic document verification",))
    _page(english, reverse("ratings:public"), expect=("Public government service ratings",))


def test_workbench_pages_are_english(english, catalogue):
    clerk = account_actions.create_staff(
        actor=None,
        login_name="en-staff",
        display_name="Test Clerk",
        department=User.objects.get(login_name="clerk").staff_profile.department,
        roles=["window_clerk", "catalogue_admin", "handler", "supervisor"],
        password=PASSWORD,
    )
    english.force_login(clerk)
    names = (settings.PLATFORM_NAME, clerk.staff_profile.department.name, clerk.display_name)
    names += tuple(i.current_version.name for i in catalogue)

    items = _page(english, reverse("catalog_staff:items"), expect=("Service items",), data=names)
    for role in ("Window intake", "Service item management", "Case handler"):
        assert f'<span class="badge badge--role">{role}</span>' in items, role
    places = tuple(Department.objects.values_list("name", flat=True))
    places += tuple(Region.objects.values_list("name", flat=True))
    statistics = _page(
        english,
        reverse("catalog_staff:statistics"),
        expect=("Service item statistics", "Online availability rate"),
        data=places,
    )
    assert re.search(r"% \(\d+/\d+\)", statistics) and "%（" not in statistics
    _page(english, reverse("catalog_staff:import"), expect=("Import service items from Excel",))
    _page(english, reverse("intake_staff:proxy-start"), expect=("Create application",))
    _page(english, reverse("ratings_staff:list"), expect=("Negative ratings",))
    _page(
        english, reverse("ratings_staff:supervision"), expect=("Supervision of negative ratings",)
    )
    _page(english, reverse("ratings_staff:visit-new"), expect=("Generate rating code",))


def test_chinese_stays_the_default(client, catalogue):
    item = catalogue.first()
    html = client.get(reverse("catalog:guide", args=[item.implementation_code])).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "办事一览" in html and "At a glance" not in html


def test_the_check_sees_chinese_chrome_and_skips_what_is_marked():
    html = (
        '<h2>办事指南</h2><span aria-hidden="true">通</span><button lang="zh-Hans">中文</button>'
        '<p>许昌市民政局</p><input placeholder="例如"><dl><dt>Region</dt><dd>许昌市</dd></dl>'
        "<th>部门：许昌市民政局</th>"
    )
    assert chrome_texts(html, data=("许昌市民政局",)) == ["办事指南", "例如", "部门："]


def test_an_english_visit_leaves_the_thread_in_chinese(english, db):
    from django.utils import translation

    english.get(reverse("portal:home"))
    assert translation.get_language() == settings.LANGUAGE_CODE  # messages, tasks, the next test
