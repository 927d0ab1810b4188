"""Issue 4 in a browser: a citizen applies online at PC and phone size, leaves halfway and resumes
on another device, submits twice quickly and gets one case number, gets the receipt and finds the
case in 我的办件 and in the public progress query. (An enterprise agent's application is journey 2,
test_enterprise_licence.py.)"""

import io

import pytest
from journeys import choose_file
from pypdf import PdfWriter

from tongban.applications.models import Application

SIZES = ["pc", "phone"]


def _pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "材料.pdf"
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


def _upload_everything(j, tmp_path):
    page = j.page
    disguised = tmp_path / "照片.pdf"
    disguised.write_bytes(b"MZ" + b"\0" * 200)
    choose_file(j, page, disguised)
    assert "改扩展名无效" in j.text()
    j.shot("disguised-upload-refused")
    real = _pdf(tmp_path)
    # one new-file form per material (each uploaded file also gets a form to replace it)
    new_file = page.locator("form.upload-row:not(.upload-row--replace)")
    for index in range(new_file.count()):
        choose_file(j, new_file.nth(index), real)
    j.shot("materials-uploaded")


def _double_submit(j) -> None:
    """Two submissions of the same form at once, as a double click or two tabs would send."""
    statuses = j.page.evaluate("""() => {
        const form = document.querySelector('form[data-submit-once]');
        const send = () => fetch(form.action, {method: 'POST', body: new FormData(form), redirect: 'manual'});
        return Promise.all([send(), send()]).then(rs => rs.map(r => r.type));
    }""")
    assert len(statuses) == 2


def _progress_query(browser_journey, case_number: str, phone: str) -> None:
    j = browser_journey
    j.go("/progress/")
    j.page.fill("#case_number", case_number)
    j.page.fill("#phone_tail", phone[-4:])
    j.page.click("form button[type=submit] >> nth=-1")
    j.page.wait_for_load_state()
    assert "网上申报" in j.text() and "已提交，待受理" in j.text()
    j.shot("progress-query")


@pytest.mark.parametrize("size", SIZES)
def test_citizen_applies_leaves_resumes_and_submits_once(journey, size, tmp_path):
    j = journey(size, "citizen")
    j.go("/")
    j.shot("home")
    j.page.fill("#home-search", "高龄")
    with j.page.expect_navigation():  # the search results page, not the home page still loaded
        j.page.keyboard.press("Enter")
    j.page.wait_for_load_state()
    j.shot("search-gaoling")
    # the four 高龄津贴申领 are one entry: the person picks where they live
    j.page.locator("[data-group] a", has_text="许昌市 · 市级").click()
    j.page.wait_for_load_state()
    j.shot("guide")
    j.page.locator("a", has_text="回答几个问题").first.click()
    j.page.check("text=是，首次申请")
    j.page.check("text=否，本人办理")
    j.page.locator("button", has_text="查看需要的材料").click()
    j.page.wait_for_load_state()
    assert "授权委托书" not in j.text() and "居民户口簿" in j.text()
    j.shot("situation-materials")
    j.page.locator("a", has_text="按以上情形在线申办").click()
    j.page.wait_for_load_state()
    assert "/accounts/login/" in j.page.url  # not logged in yet: login brings them back
    j.shot("login")
    j.page.fill("#id_identifier", "17000000001")
    j.page.fill("#id_password", "Tongban2026")
    j.page.locator("form").filter(has=j.page.locator("#id_password")).locator(
        "button[type=submit]"
    ).click()
    j.page.wait_for_load_state()
    j.shot("choose-how")
    j.page.locator("button", has_text="开始填写").click()
    j.page.wait_for_load_state()
    assert "已自动填写" in j.text() and "统一社会信用代码" not in j.text()
    j.shot("applicant-prefilled")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    j.page.select_option("#f-household_region", "魏都区")
    j.page.fill("#f-guardian_name", "张小示")
    j.page.fill("#f-guardian_phone", "17000000009")
    j.page.select_option("#f-bank_name", "中国银行")
    j.page.fill("#f-bank_account", "62170000")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    assert (
        "银行账号应为16至19位数字" in j.text()
        and j.page.input_value("#f-bank_account") == "62170000"
    )
    j.shot("bank-account-error-kept")
    j.page.fill("#f-bank_account", "6217000000000000001")
    j.page.locator("button", has_text="保存草稿").click()
    j.page.wait_for_load_state()
    j.logout()  # leaves halfway

    other = journey(size, "citizen-other-device")
    other.login("17000000001")
    other.go("/my/cases/")
    other.shot("my-cases-draft")
    other.page.locator("a", has_text="继续填写").first.click()
    other.page.wait_for_load_state()
    # the step list is folded on a phone: go to the step by its address, as its link does
    other.go(other.page.locator("a", has_text="申领信息").first.get_attribute("href"))
    assert other.page.input_value("#f-bank_account") == "6217000000000000001"
    other.page.locator("button", has_text="保存并继续").click()
    other.page.wait_for_load_state()
    other.page.check("text=窗口领取")
    other.page.locator("button", has_text="保存并继续").click()
    other.page.wait_for_load_state()
    _upload_everything(other, tmp_path)
    other.page.locator("a", has_text="下一步：确认提交").click()
    other.page.wait_for_load_state()
    other.shot("review-before-submit")
    _double_submit(other)
    application = Application.objects.get(owner__login_name__isnull=False, status="submitted")
    assert Application.objects.exclude(case_number=None).count() == 1
    other.go(f"/my/cases/{application.public_id}/submitted/")
    assert application.case_number in other.text().replace(" ", "")  # grouped by four
    other.shot("submitted")
    # The receipt is sealed just after the submission commits (by the first of the two clicks,
    # which may still be at work): like the page says, a person would try again shortly.
    for _ in range(40):
        receipt = other.page.request.get(
            other.base_url + f"/my/cases/{application.public_id}/receipt.pdf"
        )
        if receipt.status != 404:
            break
        other.page.wait_for_timeout(500)
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf"
    other.go("/my/cases/")
    assert application.case_number[:20] in other.text() or "已提交，待受理" in other.text()
    other.shot("my-cases-submitted")
    other.go("/inbox/")
    other.shot("inbox")
    _progress_query(journey(size, "anonymous"), application.case_number, "17000000001")
