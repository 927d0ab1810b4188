"""Journey 5 in a browser, at PC and phone size: two accepted 高龄津贴 cases (promised 10 working
days) run late while the server's clock travels; the scheduled warnings job turns one yellow (2
working days left) and one red (a working day overdue); the supervisor sees both in 效能督办 and sends
a 督办 notice on the red one; the handler finds it in the message centre and answers it; the
supervisor reads the answer on the case."""

import pytest
from journeys import SIZES, accept, elderly_citizen_application, move, off_loop, on

from tongban.cases import tasks
from tongban.cases.models import SupervisionNotice
from tongban.core import workdays


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
        supervisor.go(f"/workbench/cases/{late.public_id}/")
        supervisor.shot("red-case")
        move(
            supervisor,
            "发送督办",
            {"message": "已超承诺时限，请于今日内办结并说明超期原因"},
            "发送督办通知",
        )
        assert "督办通知已发送" in supervisor.text()
        supervisor.shot("supervision-sent")

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
