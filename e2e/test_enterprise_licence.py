"""Journey 2 in a browser, at PC and phone size: an enterprise's legal representative authorises an
agent; the agent applies for 公共场所卫生许可 in the enterprise's name, gets a one-time 补正 notice,
corrects and resubmits; the window accepts, the reviewers approve and the case is 出证办结; the licence
appears in the enterprise's wallet; a second application (许可证到期延续) uses that licence instead of
a paper copy (免证可办) and the window sees the licence's verification.

The 卫健委's window and review staff are made through the service layer (the demo has staff only in
民政局 and 市场监管局); the three review steps are done through cases.actions, as deciding on a
permit is journey 1's subject; 补正, acceptance and 办结 happen in the workbench."""

import datetime

import pytest
from journeys import (
    SIZES,
    choose_file,
    follow,
    move,
    review_and_approve,
    staff,
    submit,
    upload_missing,
)

from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.core import testdata
from tongban.licences.models import Licence

ENTERPRISE = "许昌示例餐饮管理有限公司"
USCC = "91411002MA0000101P"
AGENT_PHONE = "17000000003"  # 王测试


def _hygiene_staff():
    """卫健's window clerk, handler and reviewer; its approver, wjapprover, is in the demo (秒批)."""
    staff(
        "wj",
        {
            "wjclerk": [Role.WINDOW_CLERK],
            "wjhandler": [Role.HANDLER],
            "wjreviewer": [Role.REVIEWER],
        },
    )


def _authorise_agent(rep) -> None:
    rep.login(USCC)
    rep.go("/accounts/agents/")
    rep.shot("agents")
    rep.page.fill("#id_agent_name", "王测试")
    rep.page.fill(
        "#id_agent_id_number", testdata.citizen_id("411002", datetime.date(1995, 11, 30), 13, True)
    )
    # nothing is authorised by default: find the item by name and tick it
    rep.page.fill("#item-filter", "卫生许可")
    rep.page.locator(".item-picker__item", has_text="公共场所卫生许可").locator("input").check()
    rep.shot("agents-item-chosen")
    until = datetime.date.today() + datetime.timedelta(days=180)
    rep.page.fill("#id_valid_until", until.isoformat())
    rep.page.locator("button", has_text="确认授权").click()
    rep.page.wait_for_load_state()
    assert "王*" in rep.text() and "有效" in rep.text()
    rep.shot("agent-authorised")


def _apply(j, tmp_path, business: str, renewal: bool = False) -> Application:
    j.go("/services/search/?q=公共场所卫生许可")
    j.page.locator("a", has_text="公共场所卫生许可").first.click()
    j.page.wait_for_load_state()
    j.page.locator("a", has_text="回答几个问题").first.click()
    j.page.wait_for_load_state()
    j.page.check(f"text={business}")
    j.page.locator("button", has_text="查看需要的材料").click()
    j.page.wait_for_load_state()
    j.shot("situation-materials")
    j.page.locator("a", has_text="按以上情形在线申办").click()
    j.page.wait_for_load_state()
    j.page.check(f"text={ENTERPRISE}")
    j.shot("act-for-enterprise")
    j.page.locator("button", has_text="开始填写").click()
    j.page.wait_for_load_state()
    assert ENTERPRISE in j.page.content() and "经办人姓名" in j.text()
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    j.page.fill("#f-venue_name", "示例宾馆")
    j.page.fill("#f-venue_address", "许昌市魏都区示例路18号")
    j.page.select_option("#f-venue_kind", "宾馆")
    j.page.fill("#f-floor_area", "1200")
    j.page.fill("#f-staff_count", "25")
    j.page.fill("#f-certified_staff", "25")
    j.page.fill("#f-hygiene_manager", "赵示范")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    j.page.check("text=免费邮寄送达")
    j.page.fill("#f-mail_address", "许昌市魏都区示例路18号前台")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    if renewal:  # 免证可办: the permit issued last time replaces the paper copy
        row = j.page.locator(".checklist > li", has_text="公共场所卫生许可证")
        assert "可代替本材料免提交" in row.inner_text()
        j.shot("licence-offered")
        row.locator("input[name=consent]").check()
        follow(j, row.locator("button", has_text="使用电子证照免提交"))
        row = j.page.locator(".checklist > li", has_text="公共场所卫生许可证")
        assert "电子证照免提交" in row.inner_text()
    upload_missing(j, tmp_path)
    j.page.locator("a", has_text="下一步：确认提交").click()
    j.page.wait_for_load_state()
    j.shot("review")
    submit(j)
    assert "申请已提交" in j.text()
    j.shot("submitted")
    return Application.objects.exclude(case_number=None).order_by("-pk").first()


@pytest.mark.parametrize("size", SIZES)
def test_agent_applies_is_corrected_approved_and_reuses_the_licence(journey, size, tmp_path):
    _hygiene_staff()
    rep = journey(size, "legal-rep")
    _authorise_agent(rep)

    agent = journey(size, "agent")
    agent.login(AGENT_PHONE)
    application = _apply(agent, tmp_path, "首次申请（新设）")
    assert application.enterprise.name == ENTERPRISE and application.applicant_name == ENTERPRISE

    window = journey(size, "window")
    window.login("wjclerk")
    window.go("/workbench/cases/?tab=accept")
    assert application.case_number in window.text()
    window.shot("acceptance-queue")
    window.go(f"/workbench/cases/{application.public_id}/")
    window.shot("case-submitted")
    correction = window.page.locator(
        "details", has=window.page.locator("summary", has_text="一次性告知补正")
    ).first
    correction.locator("summary").click()
    material = correction.locator(".moves__material", has_text="公共场所卫生许可申请表").first
    box = material.locator("input[name=materials]")
    box.check()  # the tick list of the application's materials, with the problem beside it
    correction.locator(f"input[name=note_{box.get_attribute('value')}]").fill("缺少法定代表人签字")
    follow(window, correction.locator("button", has_text="签发补正告知书"))
    assert "补正告知书已发出" in window.text()
    window.shot("correction-sent")

    agent.go("/inbox/")
    agent.shot("inbox-correction")
    pages = len(application.form.sections)
    agent.go(f"/my/cases/{application.public_id}/?page={pages}")
    assert "缺少法定代表人签字" in agent.text()
    agent.shot("correction-notice")
    signed = tmp_path / "申请表-已签字.pdf"
    signed.write_bytes((tmp_path / "材料.pdf").read_bytes())
    row = agent.page.locator(".checklist > li", has_text="公共场所卫生许可申请表")
    choose_file(agent, row, signed)
    assert "已替换为：申请表-已签字.pdf" in agent.text()  # the unsigned form is gone
    agent.go(f"/my/cases/{application.public_id}/?page={pages + 1}")
    follow(agent, agent.page.locator("button", has_text="补正后重新提交"))
    assert "补正已提交" in agent.text()
    agent.shot("corrected-resubmitted")

    window.go(f"/workbench/cases/{application.public_id}/")
    assert "申请表-已签字.pdf" in window.text()
    move(window, "受理", {}, "受理并签发受理通知书")
    assert "受理通知书" in window.text()
    window.shot("accepted")
    review_and_approve(application, ("wjhandler", "wjreviewer", "wjapprover"))
    window.go(f"/workbench/cases/{application.public_id}/")
    assert "准予许可" in window.text()
    move(window, "办结", {"confirm": "yes"}, "出证办结")
    assert "已办结" in window.text()
    window.shot("completed-licence-issued")

    licence = Licence.objects.get(application=application)
    assert licence.licence_type.name == "公共场所卫生许可证" and licence.holder_name == ENTERPRISE
    rep.go("/licences/")
    assert "公共场所卫生许可证" in rep.text()
    rep.shot("enterprise-wallet")
    rep.page.locator("a", has_text="公共场所卫生许可证").first.click()
    rep.page.wait_for_load_state()
    assert licence.identifier in rep.text()
    rep.shot("licence-detail")

    agent.go(f"/my/cases/{application.public_id}/")
    assert "出证办结" in agent.text()
    agent.shot("case-completed")
    renewal = _apply(agent, tmp_path, "许可证到期延续", renewal=True)
    assert renewal.pk != application.pk
    use = licence.uses.get()
    assert use.application == renewal and use.consent

    window.go(f"/workbench/cases/{renewal.public_id}/")
    assert licence.identifier in window.text()
    window.shot("renewal-licence-verified")
