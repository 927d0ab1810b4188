"""免证可办 through the exchange in a browser, at PC and phone size: the elderly demo citizen applies
for 高龄津贴 and, instead of uploading the 居民户口簿, lets the 民政 department's system (the demo
department service, a separate HTTP server here as in `make run`) verify it; the case page shows the
clerk where the verification came from, and the citizen's 用数记录 lists the read."""

import io
import socket
import threading

import pytest
from journeys import SIZES, choose_file
from pypdf import PdfWriter

from tongban.applications.models import Application
from tongban.exchange.demo import department as demo_department

# The demo's 户籍 resource is loaded pointing at this journey's department server.
pytestmark = pytest.mark.fresh_demo

ELDER_PHONE = "17000000001"  # 张示例, born 1942


@pytest.fixture
def minzheng_system(settings):
    """The 民政 department's query service on a free port; the demo data loaded afterwards points
    the 户籍 resource's HTTP provider at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = demo_department.serve("127.0.0.1", port, demo_department.Behaviour())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EXCHANGE_DEMO_DEPARTMENT_URL = f"http://127.0.0.1:{port}"
    yield server
    server.shutdown()
    server.server_close()


def _blank_pdf(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "材料.pdf"
    path.write_bytes(out.getvalue())
    return path


def _to_the_materials(j) -> None:
    j.login(ELDER_PHONE)
    j.go("/services/search/?q=高龄津贴")
    j.page.locator("[data-group] a", has_text="许昌市 · 市级").click()
    j.page.wait_for_load_state()
    j.page.locator("a", has_text="回答几个问题").first.click()
    j.page.check("text=是，首次申请")
    j.page.check("text=否，本人办理")
    j.page.locator("button", has_text="查看需要的材料").click()
    j.page.wait_for_load_state()
    j.page.locator("a", has_text="按以上情形在线申办").click()
    j.page.wait_for_load_state()
    j.page.locator("button", has_text="开始填写").click()
    j.page.wait_for_load_state()
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    j.page.select_option("#f-household_region", "魏都区")
    j.page.fill("#f-guardian_name", "张小示")
    j.page.fill("#f-guardian_phone", "17000000009")
    j.page.select_option("#f-bank_name", "中国银行")
    j.page.fill("#f-bank_account", "6217 0000 0000 0000 001")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()
    j.page.check("text=窗口领取")
    j.page.locator("button", has_text="保存并继续").click()
    j.page.wait_for_load_state()


@pytest.mark.parametrize("size", SIZES)
def test_the_household_register_is_verified_through_the_exchange(
    minzheng_system, journey, size, tmp_path
):
    citizen = journey(size, "citizen")
    _to_the_materials(citizen)
    offer = citizen.page.locator("form", has_text="数据共享核验，免提交")
    assert offer.count() == 1 and "民政" in offer.inner_text()
    citizen.shot("shared-data-offer")
    offer.locator("input[name=consent]").check()
    offer.locator("button", has_text="数据共享核验，免提交").click()
    citizen.page.wait_for_load_state()
    assert "通过数据共享核验，本材料无需上传" in citizen.text()
    # the verified material offers nothing else to do: no e-licence, no upload
    # (the 居民身份证's e-licence is still offered; the 户口簿's is not)
    assert citizen.page.locator("button", has_text="使用电子证照免提交").count() == 1
    citizen.shot("shared-data-verified")
    pdf = _blank_pdf(tmp_path)
    # one new-file form per material still to upload (the verified one has none)
    new_file = citizen.page.locator("form.upload-row:not(.upload-row--replace)")
    for index in range(new_file.count()):
        choose_file(citizen, new_file.nth(index), pdf)
    citizen.page.locator("a", has_text="下一步：确认提交").click()
    citizen.page.wait_for_load_state()
    assert "已通过数据共享核验（民政户籍登记系统）" in citizen.text()
    citizen.shot("review")
    with citizen.page.expect_navigation():
        citizen.page.locator("form[data-submit-once] button", has_text="提交申请").click()
    citizen.page.wait_for_load_state()
    application = Application.objects.get(status="submitted")
    assert not application.files.filter(material__name="居民户口簿").exists()

    citizen.go("/data-use/")
    assert "户籍" in citizen.text() and application.case_number in citizen.text()
    citizen.shot("data-use")
    citizen.logout()

    clerk = journey(size, "clerk")
    clerk.login("clerk")
    clerk.go(f"/workbench/cases/{application.public_id}/")
    text = clerk.text()
    assert "居民户口簿" in text and "核验" in text and "民政" in text
    clerk.shot("case-provenance")
