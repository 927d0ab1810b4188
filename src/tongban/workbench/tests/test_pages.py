"""The staff workbench: who may enter, and what a staff member sees first."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tongban.core import workdays
from tongban.testing.factories import staff

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("workbench:home"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login") + "?next=/workbench/"


def test_citizen_gets_a_chinese_403(client, citizen):
    client.force_login(citizen)

    response = client.get(reverse("workbench:home"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权访问此页面" in html
    assert "您的角色无权访问此页面" in html


def test_staff_sees_department_and_roles(client, staff_clerk):
    client.force_login(staff_clerk)

    response = client.get(reverse("workbench:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "许昌市民政局" in html
    assert "窗口受理" in html
    assert "窗口示例员" in html
    assert "退出登录" in html
    # A window clerk is not a platform administrator: no admin links.
    assert reverse("admin:index") not in html


@pytest.fixture
def unconfirmed_next_year(monkeypatch):
    """Pretend the holiday package has no data for any year, as happens for years not yet published."""
    monkeypatch.setattr(workdays, "package_covers", lambda year: False)


@pytest.mark.parametrize("role", ["window_clerk", "handler", "supervisor", "catalogue_admin"])
def test_unconfirmed_calendar_year_is_not_on_the_home_of_those_who_cannot_confirm_it(
    client, department, unconfirmed_next_year, role
):
    """Issue 31: the calendar warning goes to the administrator who can act on it; a clerk sees
    the consequence on the case pages' own dates (cases/tests/test_calendar.py)."""
    client.force_login(staff(department, f"wb_{role}", role))

    html = client.get(reverse("workbench:home")).content.decode()

    assert "节假日安排尚未确认" not in html
    assert reverse("admin:core_calendarday_changelist") not in html
    assert reverse("admin:core_calendaryear_add") not in html


def test_platform_admin_gets_a_link_to_the_calendar(client, platform_admin, unconfirmed_next_year):
    client.force_login(platform_admin)

    html = client.get(reverse("workbench:home")).content.decode()

    assert (
        "年节假日安排尚未确认，期限暂按《全国年节及纪念日放假办法》规定的法定节假日及补假推算"
        in html
    )
    assert reverse("admin:core_calendarday_changelist") in html
    assert reverse("admin:core_calendaryear_add") + "?year=" in html  # 核对并确认 the year


def test_calendar_warning_stays_until_an_administrator_confirms_the_year(client, platform_admin):
    """Issue 19 (2): rows for 2027 do not end the warning; the administrator's confirmation does."""
    from tongban.core import calendar_actions

    with time_machine.travel(dt.datetime(2026, 12, 4, 10), tick=False):
        client.force_login(platform_admin)
        calendar_actions.set_day(
            actor=platform_admin, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦"
        )
        assert "2027 年节假日安排尚未确认" in client.get(reverse("workbench:home")).content.decode()
        calendar_actions.confirm_year(actor=platform_admin, year=2027, basis="国办发明电")
        assert "节假日安排尚未确认" not in client.get(reverse("workbench:home")).content.decode()


def test_no_calendar_warning_when_years_are_confirmed(client, platform_admin, monkeypatch):
    monkeypatch.setattr(workdays, "package_covers", lambda year: True)
    client.force_login(platform_admin)

    html = client.get(reverse("workbench:home")).content.decode()

    assert "节假日安排尚未确认" not in html
