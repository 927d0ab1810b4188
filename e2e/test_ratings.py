"""Journey 3 in a browser, at PC and phone size, with the 长者模式 switched on on both sides: 张示例's
高龄津贴 is 办结 (handled through cases.actions: journey 1 does that in the workbench); he follows the
timeline, downloads the sealed decision and checks it on the verification page, and rates the
service 非常不满意 with a comment. The 民政局's approver finds the 差评 in the workbench, records the
callback, the finding, the rectification plan and its result; the rater reads the result in his
message centre and on the case, and rates the rectification."""

import pytest
from journeys import SIZES, accept, complete, elderly_citizen_application, follow, move
from journeys import review_and_approve as approve

from tongban.ratings.codes import BadStatus
from tongban.ratings.models import BadRatingCase


@pytest.mark.parametrize("size", SIZES)
def test_bad_rating_callback_rectification_and_the_raters_verdict(journey, size):
    application = elderly_citizen_application()
    accept(application)
    approve(application)
    complete(application)

    citizen = journey(size, "citizen")
    citizen.login("17000000001")
    citizen.go("/")
    citizen.elderly()  # persists from here on, on every page
    citizen.shot("home-elderly")
    citizen.go("/my/cases/")
    citizen.shot("my-cases")
    citizen.go(f"/my/cases/{application.public_id}/")
    assert "出证办结" in citizen.text()
    citizen.shot("case-timeline")
    decision = citizen.page.locator("a", has_text="给付决定书").first
    response = citizen.page.request.get(citizen.base_url + decision.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    verify = decision.locator("xpath=following-sibling::a[1]")
    follow(citizen, verify)
    assert "有效" in citizen.text() and "许昌市民政局" in citizen.text()
    citizen.shot("decision-verified")

    citizen.go(f"/my/cases/{application.public_id}/")
    follow(citizen, citizen.page.locator("a", has_text="评价服务"))
    citizen.shot("rating-form")
    citizen.page.check("input[name=level][value='5']")
    citizen.page.fill("#rate-text", "审批时间太长，窗口说法和网上不一致")
    follow(citizen, citizen.page.locator("button", has_text="提交评价"))
    assert "非常不满意" in citizen.text() and "差评处理情况" in citizen.text()
    citizen.shot("rated-bad")
    bad_case = BadRatingCase.objects.get(rating__application=application)
    assert bad_case.department.short_name == "市民政局"

    staff = journey(size, "approver")
    staff.login("approver")
    staff.go("/workbench/")
    staff.elderly()
    staff.shot("workbench-home-elderly")
    staff.go("/workbench/ratings/")
    assert application.case_number in staff.text() or f"#{bad_case.pk}" in staff.text()
    staff.shot("bad-ratings")
    staff.go(f"/workbench/ratings/{bad_case.pk}/")
    assert "审批时间太长" in staff.text()
    staff.shot("bad-rating")
    move(staff, "记录回访", {"summary": "电话联系张示例，致歉并说明办理进度"}, "保存回访")
    assert "已联系上" in staff.text()
    move(staff, "核实", {"finding": "窗口口径与网上办事指南不一致"}, "核实完成")
    move(
        staff,
        "分类处理",
        {"classification": "complex", "text": "统一办事指南口径，培训窗口人员"},
        "提交",
    )
    staff.shot("rectification-ledger")
    move(staff, "整改完成", {"result": "已统一办事指南与窗口口径，并完成窗口培训"}, "整改完成")
    bad_case.refresh_from_db()
    assert bad_case.status == BadStatus.RECTIFIED
    staff.shot("rectified")
    staff.elderly(on=False)

    citizen.go("/inbox/")
    assert "评价处理结果" in citizen.text()
    citizen.shot("inbox-result")
    citizen.go(f"/ratings/case/{application.public_id}/")
    assert "已统一办事指南与窗口口径" in citizen.text()
    citizen.shot("rectification-result")
    form = citizen.page.locator("form", has=citizen.page.locator("input[value=rectification]"))
    form.locator("input[name=level][value='2']").check()
    follow(citizen, form.locator("button", has_text="评价整改结果"))
    assert "您对整改的评价" in citizen.text()
    citizen.shot("rectification-rated")
    citizen.elderly(on=False)
    bad_case.refresh_from_db()
    assert bad_case.rectification_rating.level == 2

    staff.go(f"/workbench/ratings/{bad_case.pk}/")
    assert "评价人对整改的评价" in staff.text() and "满意" in staff.text()
    staff.shot("raters-verdict")
