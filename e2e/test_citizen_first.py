"""Issue 31 in a browser, at PC and phone size: the citizen's journey has no dead ends.

A newcomer finds 高龄津贴申领, sends the situation questions unanswered (the page's own error summary
answers, not a browser bubble), goes straight to 在线申办, is told why they must sign in, registers
(a mistyped last digit of the ID number is explained in words) and lands back on the application,
where the questions are asked again; the form shows what the account knows as text, says what to
do about each empty field, takes a bank number typed with spaces, and in 长者模式 on a phone shows its
first field on the first screen. Coming back to 开始填写 offers "继续上次填写"; a draft is deleted
from 我的办件. No citizen page shows an 实施编码, 业务办理项编码, 证照标识 or internal id, and no page
is wider than the screen (Journey.shot checks that on every page)."""

import datetime
import re
from types import SimpleNamespace

import pytest
from journeys import SIZES, follow

from tongban.applications.models import Application
from tongban.catalog.models import ServiceItem
from tongban.core import testdata

PASSWORD = "Tongban2026"
# What a citizen must never see: codes of the catalogue and internal ids.
CODE_WORDS = ("实施编码", "业务办理项编码", "证照标识", "草稿编号")


def no_codes(j, item: ServiceItem) -> None:
    """The page's visible text shows no catalogue code, no licence identifier, no internal id."""
    text = j.text()
    assert not [w for w in CODE_WORDS if w in text], j.page.url
    assert item.implementation_code not in text, j.page.url
    assert not re.search(r"1\.2\.156\.3005\.", text), j.page.url  # an e-licence identifier
    uuid = r"[0-9a-f]{8}-?[0-9a-f]{4}|草稿 [0-9a-f]{8}"
    assert not re.search(uuid, text), j.page.url


def first_field_top(j) -> float:
    return j.page.evaluate(
        "() => document.querySelector('form[data-autosave] input:not([type=hidden]),"
        " form[data-autosave] select, form[data-autosave] textarea')"
        ".getBoundingClientRect().top + window.scrollY"
    )


def _submit_form(j, button: str) -> None:
    follow(j, j.page.locator("main button:not(.visually-hidden)", has_text=button).first)


@pytest.mark.parametrize("size", SIZES)
def test_newcomer_applies_without_dead_ends(journey, size, monkeypatch):
    item = ServiceItem.objects.get(
        basic_item__name="高龄津贴申领", department__short_name="市民政局"
    )
    code = item.implementation_code
    j = journey(size, "newcomer")
    j.go(f"/services/{code}/situation/")
    _submit_form(j, "查看需要的材料")  # nothing chosen: the page answers, not a browser bubble
    assert j.page.title().startswith("错误")
    assert "请回答：" in j.page.inner_text(".error-summary")
    j.shot("situation-unanswered")
    no_codes(j, item)

    j.go(f"/apply/{code}/")  # straight to 在线申办 from a link, without the questions
    assert "/accounts/login/" in j.page.url
    assert j.page.locator("[data-login-reason]").is_visible()
    j.shot("login-says-why")
    follow(j, j.page.locator("a", has_text="立即注册"))
    id_number = testdata.citizen_id("411002", datetime.date(1950, 3, 8), 21 + len(size), True)
    j.page.fill("#id_real_name", "钱新来")
    j.page.fill("#id_id_number", id_number[:-1] + ("0" if id_number[-1] != "0" else "1"))
    j.page.fill("#id_phone", testdata.phone(80 + len(size)))
    j.page.fill("#id_password", PASSWORD)
    j.page.fill("#id_password2", PASSWORD)
    _submit_form(j, "注册")
    assert "身份证号码最后一位不对，请核对" in j.text() and j.page.title().startswith("错误")
    # consent to the user agreement and privacy policy is asked, and both texts are linked
    assert "请阅读并同意《用户服务协议》和《隐私政策》后再注册" in j.text()
    assert j.page.locator("a[href='/accounts/privacy/']").first.is_visible()
    j.shot("register-check-digit")
    j.page.fill("#id_id_number", id_number)
    # The demo gateway masks the texted code in what it keeps, as a real one would: choose it here
    # (the live server runs in this process).
    monkeypatch.setattr(
        "tongban.identity.sms.secrets", SimpleNamespace(randbelow=lambda _n: 135790)
    )
    follow(j, j.page.locator("form button", has_text="获取短信验证码"))
    j.page.fill("#id_sms_code", "135790")
    j.page.fill("#id_password", PASSWORD)
    j.page.fill("#id_password2", PASSWORD)
    j.page.check("#id_agree")
    _submit_form(j, "注册")
    assert f"/apply/{code}/" in j.page.url  # back where they were going

    # The questions are asked here; 开始填写 without answers points at them.
    j.shot("start-asks-questions")
    no_codes(j, item)
    _submit_form(j, "开始填写")
    assert "请回答：" in j.page.inner_text(".error-summary") and j.page.title().startswith("错误")
    j.shot("start-unanswered")
    j.page.check("text=是，首次申请")
    j.page.check("text=否，本人办理")
    _submit_form(j, "开始填写")
    assert "/my/cases/" in j.page.url
    application = Application.objects.get(owner__citizen__real_name="钱新来")
    # What the account knows is text, out of the Tab order: the first Tab stop in the form is a button.
    assert j.page.locator("form[data-autosave] input[readonly]").count() == 0
    assert "已自动填写" in j.text()
    j.shot("applicant-known")
    no_codes(j, item)
    _submit_form(j, "保存并继续")
    title = j.page.inner_text("h1")
    assert title.count("高龄津贴申领") == 1
    _submit_form(j, "保存并继续")  # nothing filled in: each field says what to do
    summary = j.page.inner_text(".error-summary")
    assert "请填写社会保障卡银行账号" in summary and "请选择津贴发放银行" in summary
    assert "必填项" not in summary and j.page.title().startswith("错误")
    j.shot("content-what-to-do")
    j.page.select_option("#f-household_region", "魏都区")
    j.page.check("#f-living_alone")
    j.page.select_option("#f-bank_name", "中国银行")
    j.page.fill("#f-bank_account", "6217 0000 0000 0000 001")  # as printed on the card
    _submit_form(j, "保存并继续")
    application.refresh_from_db()
    assert application.data["bank_account"] == "6217000000000000001"
    assert not j.page.title().startswith("错误")
    j.shot("delivery")
    no_codes(j, item)

    # 长者模式 on a phone: the page's first field is on the first screen.
    j.go(f"/my/cases/{application.public_id}/?page=1")
    j.elderly()
    if size == "phone":
        assert first_field_top(j) < 844, "the first field is below the first screen"
    j.shot("elderly-form")
    j.elderly(False)

    # Back to 开始填写: continue the draft rather than start another.
    j.go(f"/apply/{code}/")
    assert j.page.locator("[data-resume]").is_visible()
    j.shot("resume-offered")
    no_codes(j, item)
    follow(j, j.page.locator("a", has_text="继续上次填写"))
    assert str(application.public_id) in j.page.url
    assert Application.objects.filter(owner=application.owner).count() == 1

    # A draft is deleted from 我的办件, labelled for people, never by a fragment of an id.
    j.go("/my/cases/?status=draft")
    assert "草稿（未提交）" in j.text()
    j.shot("my-drafts")
    no_codes(j, item)
    j.page.once("dialog", lambda dialog: dialog.accept())
    _submit_form(j, "删除草稿")
    assert "草稿已删除" in j.text()
    application.refresh_from_db()
    assert application.status == "discarded"
    j.shot("draft-deleted")


@pytest.mark.parametrize("size", SIZES)
def test_enterprise_only_item_defaults_to_the_enterprise(journey, size):
    """An agent authorised by the demo enterprise opens 开始填写 of an item only enterprises apply
    for: the enterprise is chosen, 为本人办理 is not offered."""
    from tongban.accounts.models import User

    j = journey(size, "enterprise")
    item = ServiceItem.objects.filter(basic_item__name="公共场所卫生许可").first()
    enterprise_user = User.objects.get(enterprise__uscc=testdata.credit_code("91", "411002", 101))
    j.login(enterprise_user.enterprise.uscc)
    j.go(f"/apply/{item.implementation_code}/")
    assert j.page.locator("#as-self").count() == 0
    assert j.page.locator("input[name=as]:checked").count() == 1
    j.shot("enterprise-start")
    no_codes(j, item)


def _ask_correction(application, material_name: str) -> None:
    from tongban.accounts.models import User
    from tongban.cases import actions as cases

    cases.request_correction(
        application=application,
        actor=User.objects.get(login_name="clerk"),
        items=[f"{material_name}：缺少申请人签字", "请写明联系地址的门牌号"],
    )


@pytest.mark.parametrize("size", SIZES)
def test_citizen_corrects_without_losing_anything(journey, size, tmp_path):
    """补正 as the citizen sees it: 去补正 in 我的办件 opens the materials, the one the notice names is
    marked; a wrong file is refused in words before it is sent; the right one uploads as soon as it
    is chosen and the page comes back to its row; 确认提交 says when the submission failed and that
    nothing is lost, and the retry answers 补正已提交."""
    from journeys import choose_file, elderly_citizen_application, off_loop, pdf_file

    application = elderly_citizen_application()
    named = application.item_version.materials.order_by("pk").first().name
    off_loop(_ask_correction, application, named)
    item = application.service_item

    j = journey(size, "citizen")
    j.login("17000000001")
    j.go("/my/cases/")
    j.shot("my-cases-go-correct")
    follow(j, j.page.locator("a", has_text="去补正").first)
    assert "需要补正" in j.text()
    asked = j.page.locator(".checklist > li[data-asked]")
    assert asked.count() == 1 and named in asked.inner_text() and "需补正" in asked.inner_text()
    assert j.page.locator("a[data-correction-notice]").first.is_visible()
    j.shot("correction-materials")
    no_codes(j, item)

    wrong = tmp_path / "说明.txt"
    wrong.write_text("不是扫描件", encoding="utf-8")
    replace = asked.locator("form.upload-row--replace")  # 补正 replaces the file the notice names
    replace.locator("input[type=file]").set_input_files(str(wrong))  # refused here, nothing sent
    status = replace.locator("[data-upload-status]")
    assert "不是 PDF、JPG 或 PNG 文件" in status.inner_text()
    j.shot("wrong-file-refused")
    choose_file(j, asked, pdf_file(tmp_path, "已签字.pdf"))
    assert j.page.url.endswith(f"#material-{asked.get_attribute('id').split('-')[1]}")
    assert "已签字.pdf" in j.page.locator(".checklist > li[data-asked]").inner_text()
    j.shot("corrected-file-uploaded")

    if size == "phone":  # 长者模式: the notice and the marked material read on a phone
        j.elderly()
        j.shot("elderly-correction")
        j.elderly(False)

    follow(j, j.page.locator("a", has_text="下一步：确认提交"))
    j.page.route("**/submit/", lambda route: route.abort())  # the network drops the submission
    j.page.locator("form[data-submit-once] button[type=submit]").click()
    failed = j.page.locator(".submit-status--failed")
    failed.wait_for()
    assert "没有丢失" in failed.inner_text()
    assert j.page.locator("form[data-submit-once] button[type=submit]").inner_text() == "重新提交"
    j.shot("submission-failed-nothing-lost")
    j.page.unroute("**/submit/")
    follow(j, j.page.locator("form[data-submit-once] button[type=submit]"))
    assert "补正已提交" in j.page.inner_text("h1")
    j.shot("correction-submitted")
    no_codes(j, item)
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize("size", SIZES)
def test_my_hub_on_phone_and_pc(journey, size):
    """我的 from the first screen of the home page: the case to correct comes first, then drafts,
    licences (亮证 one big action) and messages; read in 长者模式 and in English without overflowing;
    the enterprise's 我的 lists the cases filed in its name, with who filed them."""
    from journeys import elderly_citizen_application, off_loop

    from tongban.accounts.models import User

    application = elderly_citizen_application()
    named = application.item_version.materials.order_by("pk").first().name
    off_loop(_ask_correction, application, named)

    j = journey(size, "citizen")
    j.login("17000000001")
    j.go("/")
    link = j.page.locator(".hero [data-my-link]")
    assert link.is_visible() and link.bounding_box()["y"] < 844  # on the first screen
    follow(j, link)
    todo = j.page.locator("[data-hub=todo]")
    assert "待补正" in todo.inner_text() and "高龄津贴申领" in todo.inner_text()
    j.shot("my-hub")
    no_codes(j, application.service_item)
    j.elderly()
    assert j.page.locator("[data-hub=todo] a", has_text="去补正").is_visible()
    j.shot("my-hub-elderly")
    j.elderly(False)
    follow(j, j.page.locator("button[lang=en]"))
    assert "My page" in j.page.inner_text("h1")
    j.shot("my-hub-english")
    follow(j, j.page.locator("button[lang=zh-Hans]"))
    follow(j, todo.locator("a", has_text="去补正"))
    assert "需要补正" in j.text()
    j.logout()

    filed = (  # a case an agent filed for an enterprise, if the demo has one
        Application.objects.filter(enterprise__isnull=False)
        .exclude(status__in=("draft", "discarded"))
        .exclude(owner__kind=User.Kind.ENTERPRISE)
        .select_related("owner", "enterprise__user")
        .first()
    )
    enterprise_user = (
        filed.enterprise.user
        if filed
        else User.objects.filter(kind=User.Kind.ENTERPRISE, enterprise__isnull=False)
        .order_by("pk")
        .first()
    )
    j.login(enterprise_user.enterprise.uscc)
    j.go("/my/")
    cases = j.page.locator("[data-hub=enterprise]")
    assert cases.is_visible()
    if filed is not None:  # a case its agent filed, with who filed it
        assert filed.owner.masked_name in cases.inner_text()
    j.shot("enterprise-my-hub")


def test_elderly_form_page_shows_its_first_field_on_the_first_phone_screen(journey):
    """长者模式 on a phone, with its help strip (12345, 帮办代办): a form page's first field is still on
    the first screen."""
    from journeys import elderly_citizen_draft

    application = elderly_citizen_draft()
    j = journey("phone", "elderly")
    j.login("17000000001")
    j.go(f"/my/cases/{application.public_id}/?page=1")
    j.elderly()
    assert j.page.locator("[data-elderly-help] a[href='tel:12345']").is_visible()
    assert first_field_top(j) < 844, "the first field is below the first screen"
    j.shot("elderly-form-first-screen")
