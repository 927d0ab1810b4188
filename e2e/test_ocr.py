"""智能免填 by 材料识别 in a browser, at PC and phone size.

An enterprise's agent applies for 公共场所卫生许可 and uploads a photo of the enterprise's (generated)
营业执照: the form's venue fields are offered filled in, marked 由材料识别, with the registered
enterprise fields checked against the licence; nothing enters the form until the agent confirms.
A window clerk in 窗口代办 scans an applicant's ID card instead of typing the number, and the
applicant's draft is filled in. OCR runs in the worker (eagerly in journeys, as every task here)."""

import datetime

import pytest
from journeys import SIZES, choose_file, follow

from tongban.accounts.models import EnterpriseProfile, User
from tongban.applications.models import Application
from tongban.catalog.models import ServiceItem
from tongban.ocr import synthetic
from tongban.ocr.models import FieldCorrection

AGENT_PHONE = "17000000002"  # 李演示, the demo enterprise's authorised agent


def _photo(tmp_path, kind: str, values: dict, name: str):
    content, _truth = synthetic.generate(kind, 3, values=values, max_tilt=6)
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _to_materials(j) -> None:
    j.go("/services/search/?q=公共场所卫生许可")
    follow(j, j.page.locator("a", has_text="公共场所卫生许可").first)
    follow(j, j.page.locator("a", has_text="回答几个问题").first)
    j.page.check("text=首次申请（新设）")
    follow(j, j.page.locator("button", has_text="查看需要的材料"))
    follow(j, j.page.locator("a", has_text="按以上情形在线申办"))
    j.page.check("text=许昌示例餐饮管理有限公司")
    follow(j, j.page.locator("button", has_text="开始填写"))
    follow(j, j.page.locator("button", has_text="保存并继续"))
    j.page.select_option("#f-venue_kind", "宾馆")
    j.page.fill("#f-floor_area", "1200")
    j.page.fill("#f-staff_count", "25")
    j.page.fill("#f-certified_staff", "25")
    j.page.fill("#f-hygiene_manager", "赵示范")
    # 场所名称 and 经营地址 are left for the licence: the page keeps the draft and names them
    follow(j, j.page.locator("button", has_text="保存草稿"))
    draft = j.page.url.split("?")[0].removeprefix(j.base_url)
    j.go(draft + "?page=3")  # 上传材料


@pytest.mark.parametrize("size", SIZES)
def test_a_business_licence_photo_fills_the_enterprise_fields(journey, size, tmp_path):
    enterprise = EnterpriseProfile.objects.get(name="许昌示例餐饮管理有限公司")
    address = "河南省许昌市魏都区文峰路88号"
    photo = _photo(
        tmp_path,
        "business_licence",
        {
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "legal_rep": enterprise.legal_rep_name,
            "address": address,
        },
        "营业执照.jpg",
    )
    j = journey(size, "agent")
    j.login(AGENT_PHONE)
    _to_materials(j)
    j.shot("materials", accessible=False)
    row = j.page.locator(".checklist > li", has_text="营业执照").first
    choose_file(j, row, photo)
    panel = j.page.locator(".recognition").first
    assert "由材料识别" in panel.inner_text()
    assert j.page.input_value("input[name=venue_name]") == enterprise.name
    assert j.page.input_value("input[name=venue_address]") == address
    assert "统一社会信用代码：与登记信息一致" in panel.inner_text()
    application = Application.objects.get(owner__citizen__real_name="李演示")
    assert not application.data.get("venue_name")  # offered, not yet taken
    j.shot("licence-read")
    j.page.fill("input[name=venue_name]", "示例宾馆")  # the venue trades under its own name
    follow(j, panel.locator("button", has_text="确认填入申请表"))
    assert "已将材料识别的 2 项填入申请表" in j.text()
    j.shot("licence-confirmed")
    application.refresh_from_db()
    assert application.data["venue_name"] == "示例宾馆"
    assert application.data["venue_address"] == address
    corrections = {c.field: c.changed for c in FieldCorrection.objects.all()}
    assert corrections == {"name": True, "address": False}
    j.go(f"/my/cases/{application.public_id}/?page=1")
    assert j.page.input_value("#f-venue_address") == address
    j.shot("form-filled")


@pytest.mark.parametrize("size", SIZES)
def test_a_clerk_scans_the_applicants_id_card(journey, size, tmp_path):
    item = ServiceItem.objects.filter(
        department__short_name="市民政局", basic_item__name="高龄津贴申领"
    ).first()
    citizen = User.objects.get(phone_index__isnull=False, citizen__real_name="张示例")
    number = citizen.citizen.id_number
    card = _photo(
        tmp_path,
        "id_card_front",
        {
            "name": "张示例",
            "id_number": number,
            "sex": "男",
            "birth_date": datetime.date(1942, 8, 15).isoformat(),
            "address": "河南省许昌市魏都区西大街88号",
        },
        "身份证.jpg",
    )
    clerk = journey(size, "clerk")
    clerk.login("clerk")
    clerk.go("/workbench/proxy/")
    # the platform's large "拍照/选择文件" button, as citizens' uploads have, not the browser's own
    # small file control; the card is sent as soon as it is chosen
    scan = clerk.page.locator("form[data-proxy-scan]")
    button = scan.get_by_text("拍照/选择文件")
    assert button.is_visible()
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 150, box
    native = scan.locator("#scan-file").bounding_box()  # the browser's own control is not shown
    assert native["width"] <= 1 and native["height"] <= 1, native
    assert not scan.locator("button", has_text="识别身份证").is_visible()  # no second step
    clerk.shot("proxy-scan-button")
    wrong = tmp_path / "身份证.txt"
    wrong.write_text("不是图片", encoding="utf-8")
    with clerk.page.expect_file_chooser() as chosen:
        button.click()
    chosen.value.set_files(str(wrong))  # refused on the page, in words, before anything is sent
    status = scan.locator("[data-upload-status]")
    assert "不是 PDF、JPG 或 PNG 文件" in status.inner_text()
    assert clerk.page.url.endswith("/workbench/proxy/")
    with clerk.page.expect_file_chooser() as chosen:
        button.click()
    with clerk.page.expect_navigation():
        chosen.value.set_files(str(card))
    clerk.page.wait_for_load_state()
    assert clerk.page.input_value("#id_number") == number
    assert "由材料识别" in clerk.text() and "张示例" in clerk.text()
    clerk.shot("id-card-read")
    clerk.page.fill("#code", item.implementation_code)
    follow(clerk, clerk.page.locator("button[type=submit]", has_text="创建申请"))
    if "请询问申请人后回答以下问题" in clerk.text():  # 情形引导, asked at the counter
        for question in item.current_version.questions.prefetch_related("options"):
            clerk.page.check(f"#o{question.options.all()[0].pk}")
        follow(clerk, clerk.page.locator("button[type=submit]", has_text="按所选情形创建申请"))
    application = Application.objects.get(owner=citizen, service_item=item)
    assert application.window_staff.login_name == "clerk"
    assert application.data["applicant_id_number"] == number
    assert application.data["applicant_name"] == "张示例"
    clerk.shot("proxy-draft-filled")
