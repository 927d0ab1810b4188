"""The other two 智能秒批 demo items in a browser (the first, 网约车驾驶员, is test_instant_approval.py):
大货车入市通行证 for a citizen and 公共场所卫生许可 for an enterprise. Each has an applicant who passes —
approved within seconds, with the licence and the sealed review report to download — and one who
fails on a named clause and is passed to the window, where staff see that clause on top of the case."""

import datetime

from e2e.journeys import follow, submit, upload_missing

from tongban.applications.models import Application
from tongban.core import testdata

LORRY, HYGIENE = "大货车入市通行证", "公共场所卫生许可"


def _item_code(name: str) -> str:
    from tongban.cases.models import InstantApprovalConfig

    config = InstantApprovalConfig.objects.select_related("service_item").get(
        service_item__basic_item__name=name
    )
    return config.service_item.implementation_code


def _start(j, name: str, applicant: dict | None = None) -> None:
    """From the item's start page to its form: the situation questions first where it has any."""
    j.go(f"/apply/{_item_code(name)}/")
    j.shot("start")
    questions = j.page.locator("fieldset", has=j.page.locator("input[type=radio]"))
    for index in range(questions.count()):
        questions.nth(index).locator("input[type=radio]").first.check()
    j.page.locator("button", has_text="开始填写").first.click()
    j.page.wait_for_load_state()
    for field, value in (applicant or {}).items():  # what the account does not know
        j.page.fill(f"#f-{field}", value)
    j.shot("applicant")
    j.page.locator("button", has_text="保存并继续").click()  # 申请人信息: prefilled
    j.page.wait_for_load_state()


def _finish(j, tmp_path, name: str) -> Application:
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    j.page.check("input[name=delivery_method][value=window]")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    upload_missing(j, tmp_path)
    follow(j, j.page.locator("a", has_text="下一步：确认提交"))
    submit(j)
    assert "/submitted/" in j.page.url, j.text()[:400]
    return Application.objects.filter(service_item__basic_item__name=name).latest("pk")


def _apply_for_lorry(j, tmp_path, plate: str) -> Application:
    _start(j, LORRY)
    today = datetime.date.today()
    j.page.fill("#f-plate_number", plate)
    j.page.fill("#f-start_date", today.isoformat())
    j.page.fill("#f-end_date", (today + datetime.timedelta(days=30)).isoformat())
    j.page.fill("#f-work_purpose", "城区工地建材运输")
    return _finish(j, tmp_path, LORRY)


def _apply_for_hygiene(j, tmp_path, staff_count: int) -> Application:
    _start(j, HYGIENE, {"agent_name": "赵示范"})  # the legal representative applies himself
    j.page.fill("#f-venue_name", "示例理发店")
    j.page.fill("#f-venue_address", "河南省许昌市魏都区示例路8号")
    j.page.select_option("#f-venue_kind", "理发店")
    j.page.fill("#f-floor_area", "60")
    j.page.fill("#f-staff_count", str(staff_count))
    j.page.fill("#f-certified_staff", str(staff_count))
    j.page.fill("#f-hygiene_manager", "赵示范")
    return _finish(j, tmp_path, HYGIENE)


def _approved_with_licence_and_report(j, application: Application) -> None:
    for _ in range(10):  # the page refreshes itself until the worker has decided
        if "已秒批" in j.text():
            break
        j.page.wait_for_timeout(1000)
        j.page.reload()
    assert "已秒批" in j.text()
    j.shot("approved-instantly")
    for link in ("[data-licence-download]", "[data-report-download]"):  # both sealed PDFs
        href = j.page.locator(link).get_attribute("href")
        answer = j.context.request.get(j.base_url + href)
        assert answer.ok and answer.body().startswith(b"%PDF"), link
    application.refresh_from_db()
    assert application.status == "completed"


def _passed_to_staff(j, application: Application, staff_login: str, clause: str) -> None:
    j.page.reload()
    assert "转人工审查" in j.text()
    j.shot("passed-to-staff")
    application.refresh_from_db()
    assert [r.get("clause") for r in application.instant_decision.reasons] == [clause]
    j.logout()
    j.login(staff_login)
    j.go(f"/workbench/cases/{application.public_id}/")
    assert "智能秒批未通过" in j.page.locator("[data-instant-manual]").inner_text()
    assert j.page.locator(f'[data-failed-clause="{clause}"]').count() == 1
    j.shot("case-with-failed-clause")


def test_lorry_pass_approved_for_a_clean_lorry_and_passed_on_for_an_old_one(journey, tmp_path):
    passing = journey("phone", "citizen")
    passing.login(testdata.phone(3))  # 王测试: 豫KH6013, 国六, registered to him
    _approved_with_licence_and_report(passing, _apply_for_lorry(passing, tmp_path, "豫KH6013"))

    failing = journey("pc", "citizen-old-lorry")
    failing.login(testdata.phone(2))  # 李演示: 豫KH4012 meets an older emission standard
    application = _apply_for_lorry(failing, tmp_path, "豫KH4012")
    _passed_to_staff(failing, application, "gaapprover", "emission")


def test_hygiene_licence_approved_when_every_worker_holds_a_health_certificate(journey, tmp_path):
    passing = journey("pc", "enterprise")
    passing.login(testdata.phone(9))  # 许昌示例餐饮管理有限公司
    _approved_with_licence_and_report(passing, _apply_for_hygiene(passing, tmp_path, 8))

    failing = journey("phone", "enterprise-missing-certificates")
    failing.login(testdata.phone(8))  # 许昌示例洗浴服务有限公司: two certificates have lapsed
    application = _apply_for_hygiene(failing, tmp_path, 6)
    _passed_to_staff(failing, application, "wjapprover", "health_certificates")
