"""Issue 5 in a browser: a 承诺件 (高龄津贴, promised 10 / legal 20 working days) taken through 补正,
acceptance, a 检验 of 3 working days across the 2026 National Day holiday, an extension and three
review steps to approval and 办结, by staff in the workbench while the server's clock travels.

Due dates computed by hand from the official 2026 calendar (9/25 中秋; 10/1–10/7 国庆; Saturday 10/10
a make-up working day; the start day is never counted):
  accepted Thu 9/24 → promised 10/15, legal 10/29
  检验 9/30 up to 10/10 stops 9/30, 10/8 and 10/9 → promised 10/20, legal 11/3
  extension of 10 working days → promised 11/3, legal 11/17
"""

import datetime

import pytest
from journeys import elderly_citizen_application, follow, move, on

from tongban.catalog.models import ServiceItem


def _backdate_demo_catalogue():
    """The demo catalogue takes effect on the day it is loaded; this journey happens earlier in
    2026."""
    item = ServiceItem.objects.get(
        basic_item__name="高龄津贴申领", department__short_name="市民政局"
    )
    version = item.current_version
    type(version).objects.filter(pk=version.pk).update(valid_from=datetime.date(2026, 1, 1))


def _open_case(j, application):
    j.go(f"/workbench/cases/{application.public_id}/")


# Each side at both sizes over the two runs: the window and reviewers on a PC and the applicant
# on a phone, then the other way round.
@pytest.mark.parametrize(("staff_size", "citizen_size"), [("pc", "phone"), ("phone", "pc")])
def test_promise_case_through_correction_suspension_extension_and_review(
    journey, staff_size, citizen_size
):
    from tongban.core.models import Department
    from tongban.seals import actions as seals

    with on("2026-09-01"):  # the department's seal for this period
        seals.create_seal(
            None,
            Department.objects.get(short_name="市民政局"),
            "许昌市民政局业务专用章（2026）",
            "business",
        )
    with on("2026-09-21"):
        _backdate_demo_catalogue()
        application = elderly_citizen_application()  # sealed receipt: off the loop

    staff = journey(staff_size, "staff")
    citizen = journey(citizen_size, "citizen")
    with on("2026-09-22"):
        staff.login("clerk")
        staff.go("/workbench/cases/?tab=accept")
        assert application.case_number in staff.text()
        staff.shot("acceptance-queue")
        _open_case(staff, application)
        staff.shot("case-submitted")
        # 不予受理 is a final act: the form asks for a confirmation before the decision is issued.
        refusal = staff.page.locator(
            "details", has=staff.page.locator("summary", has_text="不予受理")
        ).last
        refusal.locator("summary").click()
        assert refusal.locator("input[name=confirm][required]").count() == 1
        staff.shot("refusal-form")
        refusal.locator("summary").click()  # closed again: nothing was sent
        correction = staff.page.locator(
            "details", has=staff.page.locator("summary", has_text="一次性告知补正")
        ).first
        correction.locator("summary").click()
        box = correction.locator("input[name=materials]").first  # the tick list of materials
        box.check()
        correction.locator(f"input[name=note_{box.get_attribute('value')}]").fill("缺少申请人签字")
        correction.locator("input[name=other]").fill("户口簿复印件不清晰")
        follow(staff, correction.locator("button", has_text="签发补正告知书"))
        assert "补正告知书已发出" in staff.text()
        staff.shot("correction-sent")
    with on("2026-09-23"):
        citizen.login("17000000001")
        citizen.go(f"/my/cases/{application.public_id}/?page=4")
        assert "户口簿复印件不清晰" in citizen.text()
        citizen.shot("correction-notice")
        follow(citizen, citizen.page.locator("button", has_text="补正后重新提交"))
        assert "补正已提交" in citizen.text()
    with on("2026-09-24"):
        staff.login("clerk")
        _open_case(staff, application)
        move(staff, "受理", {}, "受理并签发受理通知书")
        assert "2026-10-15" in staff.text()
        staff.shot("accepted-due-1015")
        citizen.login("17000000001")
        citizen.go(f"/my/cases/{application.public_id}/")
        assert "2026-10-15" in citizen.text() and "受理通知书" in citizen.text()
        citizen.shot("citizen-accepted")
    with on("2026-09-30"):
        staff.login("handler")
        _open_case(staff, application)
        move(staff, "启动特别程序", {"kind": "inspection", "reason": "委托检测机构检验"}, "开始")
        assert "暂停计时" in staff.text()
        staff.shot("inspection-started")
    with on("2026-10-10"):  # Saturday, a make-up working day
        staff.login("handler")
        _open_case(staff, application)
        move(staff, "结束特别程序", {"result": "检验合格"}, "结束并恢复计时")
        assert "2026-10-20" in staff.text() and "2026-11-03" in staff.text()
        staff.shot("inspection-ended-due-1020")
    with on("2026-10-12"):
        staff.login("approver")
        _open_case(staff, application)
        move(staff, "延长审批期限", {"reason": "需现场复核老人户籍情况"}, "批准延长")
        assert "2026-11-03" in staff.text() and "2026-11-17" in staff.text()
        staff.shot("extended-due-1103")
        citizen.login("17000000001")
        citizen.go(f"/my/cases/{application.public_id}/")
        assert "2026-11-03" in citizen.text() and "延长" in citizen.text()
        citizen.shot("citizen-extended")
    with on("2026-10-14"):
        for login, step in (("handler", "承办"), ("reviewer", "审核"), ("approver", "批准")):
            staff.login(login)
            staff.go("/workbench/cases/?tab=todo")
            assert application.case_number in staff.text()
            _open_case(staff, application)
            if step == "承办":  # the decision form: radios by their labels, none chosen for you
                form = staff.page.locator(
                    "details", has=staff.page.locator("summary", has_text=step)
                )
                assert form.first.locator("input[name=action]:checked").count() == 0
                staff.shot("承办-form")
            move(
                staff,
                step,
                {"action": "approve", "opinion": f"{step}：符合高龄津贴发放条件"},
                "提交",
            )
            staff.shot(f"{step}-done")
        assert "作出决定：准予给付" in staff.text()  # a 行政给付, not a licence
    with on("2026-10-15"):
        staff.login("clerk")
        _open_case(staff, application)
        move(staff, "办结", {"confirm": "yes"}, "出证办结")
        assert "已办结" in staff.text()
        staff.shot("completed")
        citizen.login("17000000001")
        citizen.go(f"/my/cases/{application.public_id}/")
        assert "出证办结" in citizen.text()
        citizen.shot("citizen-completed")
        decision = citizen.page.locator("a", has_text="给付决定书").first
        response = citizen.page.request.get(citizen.base_url + decision.get_attribute("href"))
        assert response.status == 200 and response.body().startswith(b"%PDF-")
