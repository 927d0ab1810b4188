"""Journey 4 in a browser, at PC and phone size: bad input gets the right message in Chinese and
nothing typed is lost. Registration with a wrong ID check digit (then corrected: the real-name account
is made); a login that expires while a form is open (the typed page comes back after logging in
again); an oversized upload. (The disguised upload and the double submit are in test_intake.py.)
On the way, the error pages a person can meet: 404 (also in 长者模式), 403 and 500."""

import datetime
from types import SimpleNamespace

import pytest
from journeys import SIZES, follow

from tongban.applications.models import Application
from tongban.core import testdata


def _wrong_check_digit(id_number: str) -> str:
    digits = "0123456789X"
    return id_number[:-1] + digits[(digits.index(id_number[-1]) + 1) % len(digits)]


@pytest.mark.parametrize("size", SIZES)
def test_registration_with_a_wrong_check_digit_and_the_error_pages(
    journey, size, settings, monkeypatch
):
    settings.ROOT_URLCONF = "error_urls"  # the site plus one failing page, for the 500 page
    j = journey(size, "newcomer")
    j.go("/services/no-such-item/")
    assert "页面不存在" in j.text() and "返回首页" in j.text()
    j.shot("404")
    j.elderly()
    j.shot("404-elderly")
    j.elderly(on=False)
    serial = 21 if size == "pc" else 22  # distinct fictional people per size
    id_number = testdata.citizen_id("411002", datetime.date(1990, 3, 8), serial, True)
    phone = testdata.phone(40 + serial)
    j.go("/accounts/register/?kind=citizen")
    j.shot("register")
    j.page.fill("#id_real_name", "孙示范")
    j.page.fill("#id_id_number", _wrong_check_digit(id_number))
    j.page.fill("#id_phone", phone)
    j.page.fill("#id_password", "Tongban2026!a")
    j.page.fill("#id_password2", "Tongban2026!a")
    j.page.locator("#id_phone").focus()  # leaving the ID field runs the live check
    j.page.wait_for_selector(".field-check--bad")
    assert "最后一位不对" in j.page.inner_text(".field-check--bad")
    j.shot("live-check-digit-message")
    follow(j, j.page.locator("form button.button--primary", has_text="注册"))
    assert "最后一位不对" in j.text()
    assert j.page.input_value("#id_real_name") == "孙示范"
    assert j.page.input_value("#id_phone") == phone
    j.shot("check-digit-error-kept")
    j.page.fill("#id_id_number", id_number)
    # The demo gateway masks the code in what it keeps, as a real one would: choose it here (the
    # live server runs in this process).
    monkeypatch.setattr(
        "tongban.identity.sms.secrets", SimpleNamespace(randbelow=lambda _n: 246810)
    )
    follow(j, j.page.locator("form button", has_text="获取短信验证码"))
    j.page.fill("#id_sms_code", "246810")
    j.page.fill("#id_password", "Tongban2026!a")
    j.page.fill("#id_password2", "Tongban2026!a")
    j.page.check("#id_agree")
    follow(j, j.page.locator("form button.button--primary", has_text="注册"))
    assert "注册成功" in j.text() and "孙*" in j.text()
    j.shot("registered")
    j.go("/workbench/cases/")  # a citizen in the staff workbench
    assert "您无权访问此页面" in j.text() and "12345" in j.text()
    j.shot("403")
    response = j.page.goto(j.base_url + "/e2e-broken/")
    assert response.status == 500
    assert "系统暂时无法处理您的请求" in j.text() and "12345" in j.text()
    j.shot("500")


@pytest.mark.parametrize("size", SIZES)
def test_login_expiring_mid_form_and_an_oversized_upload_lose_nothing(
    journey, size, tmp_path, settings
):
    j = journey(size, "citizen")
    j.login("17000000001")
    j.go("/services/search/?q=高龄津贴")
    # the four 高龄津贴申领 are one entry: the person picks where they live
    follow(j, j.page.locator("[data-group] a", has_text="许昌市 · 市级"))
    follow(j, j.page.locator(".guide-actions a", has_text="在线申办"))
    # The start page asks the guide's situation questions before 开始填写.
    j.page.check("text=是，首次申请")
    j.page.check("text=否，本人办理")
    follow(j, j.page.locator("button", has_text="开始填写"))
    follow(j, j.page.locator("button", has_text="保存并继续"))
    j.page.select_option("#f-household_region", "魏都区")
    j.page.fill("#f-guardian_name", "张小示")
    j.page.fill("#f-guardian_phone", "17000000009")
    j.page.select_option("#f-bank_name", "中国银行")
    j.page.fill("#f-bank_account", "6217000000000000001")
    j.shot("typing")

    # Away too long: the server forgot the session while the page stayed open.
    j.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    follow(j, j.page.locator("button", has_text="保存并继续"))
    assert "/accounts/login/" in j.page.url and "登录已超时" in j.text()
    j.shot("session-expired-login")
    j.page.fill("#id_identifier", "17000000001")
    j.page.fill("#id_password", "Tongban2026")
    follow(j, j.page.locator("form", has=j.page.locator("#id_password")).locator("button"))
    assert "登录超时前填写的内容已恢复" in j.text()
    assert j.page.input_value("#f-guardian_name") == "张小示"
    assert j.page.input_value("#f-bank_account") == "6217000000000000001"
    j.shot("typed-data-restored")
    application = Application.objects.get(owner__citizen__real_name="张示例", status="draft")
    assert application.data["bank_account"] == "6217000000000000001"

    follow(j, j.page.locator("button", has_text="保存并继续"))
    j.page.check("text=窗口领取")
    follow(j, j.page.locator("button", has_text="保存并继续"))
    big = tmp_path / "扫描件.pdf"
    limit = settings.UPLOAD_MAX_MB
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (limit * 1024 * 1024 + 1))
    row = j.page.locator(".checklist > li").first
    row.locator("input[type=file]").set_input_files(str(big))  # refused before it is sent
    assert f"文件过大：单个文件不能超过 {limit} MB" in j.text()
    j.shot("oversized-upload-refused")
    application.refresh_from_db()
    assert application.data["guardian_name"] == "张小示" and not application.files.exists()
