"""Journey 5 in a browser, at PC and phone size: two accepted 高龄津贴 cases (promised 10 working
days) run late while the server's clock travels; the scheduled warnings job turns one yellow (2
working days left) and one red (a working day overdue); the supervisor sees both in 效能督办, with
who holds each, and sends a 督办 notice on the red one from its row of the table; the handler finds
it in the message centre and answers it; the supervisor reads the answer on the case."""

from pathlib import Path

import pytest
from journeys import (
    SIZES,
    accept,
    elderly_citizen_application,
    off_loop,
    on,
    review_and_approve,
)

from tongban.cases import tasks
from tongban.cases.models import SupervisionNotice
from tongban.core import workdays

SHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.mark.parametrize("size", SIZES)
def test_yellow_and_red_warnings_and_a_supervision_notice(journey, size):
    from django.utils import timezone

    calendar = workdays.Calendar()
    start = calendar.add_working_days(timezone.localdate(), 1)
    with on(start):
        late = elderly_citizen_application()
        soon = elderly_citizen_application()
        accept(late)
    with on(calendar.add_working_days(start, 3)):
        accept(soon)
    late_due, soon_due = late.case.effective_due_date, soon.case.effective_due_date
    day = calendar.add_working_days(late_due, 1)  # late: 1 day overdue; soon: 2 days left
    assert calendar.working_days_between(day, soon_due) == 2

    with on(day):
        assert off_loop(tasks.raise_warnings.delay().get) == {"yellow": 1, "red": 1}
        supervisor = journey(size, "supervisor")
        supervisor.login("supervisor")
        supervisor.go("/inbox/")
        assert "已超期：高龄津贴申领" in supervisor.text()
        supervisor.shot("inbox-warnings")
        supervisor.go("/workbench/cases/supervision/")
        text = supervisor.text()
        assert "超期" in text and "预警" in text
        assert late.case_number in text and soon.case_number in text
        supervisor.shot("supervision-yellow-and-red")
        # 督办 from the late case's row of the table: who holds it, then the notice, inline.
        row = supervisor.page.locator(f'tr[data-case="{late.case_number}"]')
        assert "未分派" in row.locator("[data-handler]").inner_text()
        row.locator("summary", has_text="督办").click()
        row.locator("textarea[name=message]").fill("已超承诺时限，请于今日内办结并说明超期原因")
        supervisor.shot("supervision-inline-form")
        row.locator("button", has_text="发送督办通知").click()
        supervisor.page.wait_for_load_state()
        assert f"已向 {late.case_number} 的承办人发送督办通知" in supervisor.text()
        assert "督办" in row.locator("[data-last-supervised]").inner_text()
        supervisor.shot("supervision-sent")
        supervisor.elderly()
        supervisor.shot("supervision-sent-elderly")
        supervisor.go(f"/workbench/cases/{late.public_id}/")
        assert "请于今日内办结" in supervisor.text()
        supervisor.shot("red-case")

        handler = journey(size, "handler")
        handler.login("handler")
        handler.go("/inbox/")
        assert "督办" in handler.text()
        handler.shot("inbox-supervision")
        handler.go(f"/workbench/cases/{late.public_id}/")
        assert "请于今日内办结" in handler.text()
        handler.page.fill("textarea[name=answer]", "因补充核实户籍延误，今日办结")
        handler.page.locator("button", has_text="提交答复").click()
        handler.page.wait_for_load_state()
        assert "督办答复已提交" in handler.text()
        handler.shot("supervision-answered")

        supervisor.go(f"/workbench/cases/{late.public_id}/")
        assert "因补充核实户籍延误" in supervisor.text()
        supervisor.shot("answer-seen")
    notice = SupervisionNotice.objects.get(case__application=late)
    assert notice.answered_by.login_name == "handler"


def test_supervisor_filters_a_department_finds_a_slow_case_and_sends_supervision(journey):
    """The operations view (issue 27): five 高龄津贴 cases pass 承办 at once, a sixth waits three
    working days in 承办; the hourly monitor finds it slower than the item's 95th percentile; the
    supervisor filters 市民政局 on the dashboard, opens 办件流程智能监测 and sends 督办 from the
    finding."""
    from django.utils import timezone

    from tongban.supervision import monitor, summary

    calendar = workdays.Calendar()
    start = calendar.add_working_days(timezone.localdate(), 1)
    with on(start, 9):
        usual = [elderly_citizen_application() for _ in range(5)]
        for application in usual:
            accept(application)
            review_and_approve(application, ("handler",))
        slow = elderly_citizen_application()
        accept(slow)
    with on(calendar.add_working_days(start, 3)):
        result = off_loop(monitor.run)
        assert result["slow_step"] == 1
        off_loop(summary.fold)
        supervisor = journey("pc", "supervisor")
        supervisor.login("supervisor")
        supervisor.go("/workbench/supervision/")
        supervisor.page.select_option("select[name=department]", label="许昌市民政局")
        supervisor.page.locator(".sv-filters button[type=submit]").click()
        supervisor.page.wait_for_load_state()
        text = supervisor.text()
        assert "许昌市民政局" in text and "按时办结率、超期与预警" in text
        supervisor.page.wait_for_selector(".sv-chart canvas")
        supervisor.shot("dashboard-department")
        supervisor.page.locator(".sv-tabs a", has_text="办件流程智能监测").click()
        supervisor.page.wait_for_load_state()
        assert slow.case_number in supervisor.text() and "环节用时异常" in supervisor.text()
        supervisor.shot("monitor-finding")
        row = supervisor.page.locator("tr", has_text=slow.case_number)
        row.locator("input[name=message]").fill("承办环节明显超出常规用时，请今日说明原因")
        row.locator("button", has_text="督办").click()
        supervisor.page.wait_for_load_state()
        assert "督办通知已发送" in supervisor.text()
        supervisor.shot("supervision-sent-from-finding")
    notice = SupervisionNotice.objects.get(case__application=slow)
    assert notice.message == "承办环节明显超出常规用时，请今日说明原因"


def test_big_screen_renders_at_1920_by_1080(browser, live_server, demo):
    """The operations centre's screen opens with its token, no login, and draws its charts."""
    from tongban.accounts.models import User
    from tongban.supervision import actions, summary

    off_loop(summary.fold)
    _token, secret = off_loop(
        actions.issue_screen_token,
        actor=User.objects.get(login_name="supervisor"),
        name="许昌市政务服务指挥大屏",
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    violations = []
    context.on(
        "console", lambda m: "Content Security Policy" in m.text and violations.append(m.text)
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/workbench/supervision/screen/{secret}/")
    page.wait_for_selector("#scr-timeliness canvas")
    assert "许昌市政务服务指挥大屏" in page.inner_text("body")
    assert "登录" not in page.inner_text("body")
    SHOTS.joinpath("big-screen").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "big-screen" / "screen-1920x1080.png"), animations="disabled")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1920
    assert not violations, violations
    context.close()
