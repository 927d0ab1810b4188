"""The platform administrator opens the admin pages the workbench points to (工作日历调整 first), and
a window clerk starts 窗口代办 for an item with 情形引导 questions, answering them on the page."""

import pytest
from journeys import SIZES

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.catalog.models import ServiceItem

ADMIN_PAGES = [
    ("/admin/core/calendarday/", "工作日历"),
    ("/admin/core/calendarday/add/", "日期"),
    ("/admin/notify/delivery/", "发送记录"),
    ("/admin/notify/messagetemplate/", "消息模板"),
    ("/admin/seals/seal/", ""),
    ("/admin/accounts/user/", "用户"),
    ("/admin/core/servicehall/", ""),
    ("/admin/core/window/", ""),
]


def test_platform_admin_opens_the_calendar_and_other_admin_pages(journey, monkeypatch):
    from tongban.core import workdays

    # A year without a published schedule, so the dashboard shows its calendar warning and link.
    monkeypatch.setattr(
        workdays.Calendar, "unconfirmed_years", lambda self, years: [max(years)], raising=False
    )
    admin = journey("pc", "admin")
    admin.login("admin")
    admin.go("/workbench/")
    link = admin.page.locator("a", has_text="前往“工作日历调整”录入")
    assert link.count() == 1
    admin.shot("dashboard-calendar-warning")
    link.click()
    admin.page.wait_for_load_state()
    assert "/admin/core/calendarday/" in admin.page.url
    assert "403" not in admin.page.title() and "禁止" not in admin.text()
    admin.shot("calendar-admin", accessible=False)  # Django's own admin pages are not ours to fix
    for path, expected in ADMIN_PAGES:
        response = admin.page.goto(admin.base_url + path)
        assert response.status == 200, path
        assert expected in admin.text(), path
    admin.shot("windows-admin", accessible=False)


@pytest.mark.parametrize("size", SIZES)
def test_clerk_answers_situation_questions_in_window_proxy(journey, size):
    item = (
        ServiceItem.objects.filter(
            department__short_name="市民政局",
            current_version__is_online=True,
            current_version__questions__isnull=False,
        )
        .distinct()
        .first()
    )
    assert item is not None, "the demo has a 民政 item with situation questions"
    citizen = User.objects.get(phone_index__isnull=False, citizen__real_name="王测试")
    clerk = journey(size, "clerk")
    clerk.login("clerk")
    clerk.go("/workbench/proxy/")
    clerk.shot("proxy-start")
    clerk.page.fill("#id_number", citizen.citizen.id_number)
    clerk.page.fill("#code", item.implementation_code)
    clerk.page.locator("button[type=submit]", has_text="创建申请").click()
    clerk.page.wait_for_load_state()
    assert "请询问申请人后回答以下问题" in clerk.text()
    assert not Application.objects.filter(owner=citizen, service_item=item).exists()
    clerk.shot("proxy-questions")
    questions = item.current_version.questions.prefetch_related("options")
    for question in questions:
        clerk.page.check(f"#o{question.options.all()[0].pk}")
    clerk.page.locator("button[type=submit]", has_text="按所选情形创建申请").click()
    clerk.page.wait_for_load_state()
    application = Application.objects.get(owner=citizen, service_item=item)
    assert application.window_staff.login_name == "clerk"
    assert len(application.situation_answers) == questions.count()
    assert str(application.public_id) in clerk.page.url
    clerk.shot("proxy-draft")
