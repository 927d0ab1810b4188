"""12345 journeys in a browser: a citizen reports a broken manhole cover with a photo on the phone,
it is routed to 市城管局, handled, replied and called back; the unhappy callback reopens it. An
operator answers a 咨询 from the knowledge base and closes it on the call. A dispatcher merges two
reports of the same problem and both reporters get the result."""

import io

from journeys import follow
from PIL import Image

from tongban.notify.models import SmsOutbox
from tongban.workorders.codes import Status
from tongban.workorders.models import WorkOrder

IN_CITY = ("113.801500", "34.031000")


def jpeg(path):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def report_on_portal(j, text, phone, photo=None):
    j.go("/workorders/report/")
    j.page.fill("#wo-text", text)
    j.page.fill("[data-lng]", IN_CITY[0])
    j.page.fill("[data-lat]", IN_CITY[1])
    j.page.fill("#wo-phone", phone)
    if photo:
        j.page.set_input_files("#wo-photos", photo)
    j.shot("report-form")
    follow(j, j.page.locator("button", has_text="提交"))
    j.shot("submitted")
    return WorkOrder.objects.get(number=j.page.inner_text("[data-number]"))


def test_manhole_reported_on_the_phone_handled_and_reopened(journey, tmp_path):
    citizen = journey("phone", "citizen")
    order = report_on_portal(
        citizen, "魏文路井盖丢了，路上一个大洞，晚上很危险", "17000000021", jpeg(tmp_path / "m.jpg")
    )
    assert order.department.short_name == "市城管局" and order.photos.count() == 1

    handler = journey("pc", "cghandler")
    handler.login("cghandler")
    handler.go(f"/workbench/workorders/{order.number}/")
    handler.shot("order")
    follow(handler, handler.page.locator("[data-move=accept]"))
    handler.page.fill("[data-form=reply] textarea", "已更换新井盖")
    follow(handler, handler.page.locator("[data-form=reply] button"))
    handler.shot("replied")

    citizen.go(f"/workorders/track/?number={order.number}")
    citizen.page.fill("#t-tail", "0021")
    follow(citizen, citizen.page.locator("button", has_text="查询"))
    assert "已更换新井盖" in citizen.text()
    citizen.shot("track-replied")
    citizen.page.check("input[name=result][value=dissatisfied]")
    citizen.page.fill("#t-note", "井盖还是松动")
    follow(citizen, citizen.page.locator("button", has_text="提交评价"))
    citizen.shot("reopened")
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.reopen_count == 1


def test_operator_answers_a_consultation_on_the_call(journey):
    operator = journey("pc", "operator")
    operator.login("operator")
    operator.go("/workbench/workorders/hotline/?q=高龄津贴")
    assert "高龄津贴申领条件和材料" in operator.text()
    operator.page.select_option("#wo-kind", "consult")
    operator.page.fill("#wo-text", "我母亲八十二岁了，高龄津贴怎么申领？")
    operator.page.fill("#wo-phone", "17000000022")
    operator.shot("console")
    follow(operator, operator.page.locator("button", has_text="登记工单"))
    operator.page.locator("[data-form=answer] input[name=article]").first.check()
    operator.shot("answer")
    follow(operator, operator.page.locator("[data-form=answer] button"))
    order = WorkOrder.objects.get(kind="consult", channel="hotline")
    assert order.status == Status.CLOSED and "身份证" in order.reply


def test_dispatcher_merges_two_reports_and_both_reporters_get_the_result(journey):
    first_citizen = journey("phone", "citizen1")
    first = report_on_portal(first_citizen, "七一路与魏文路交叉口井盖丢了，很危险", "17000000031")
    second_citizen = journey("phone", "citizen2")
    second = report_on_portal(
        second_citizen, "魏文路七一路口的井盖丢了，路上有个大洞", "17000000032"
    )

    dispatcher = journey("pc", "dispatcher")
    dispatcher.login("dispatcher")
    dispatcher.go(f"/workbench/workorders/{first.number}/")
    dispatcher.page.check(f"input[name=duplicates][value='{second.number}']")
    dispatcher.shot("candidates")
    follow(dispatcher, dispatcher.page.locator("[data-form=merge] button"))

    handler = journey("pc", "cghandler")
    handler.login("cghandler")
    handler.go(f"/workbench/workorders/{first.number}/")
    follow(handler, handler.page.locator("[data-move=accept]"))
    handler.page.fill("[data-form=reply] textarea", "两处反映的井盖已更换")
    follow(handler, handler.page.locator("[data-form=reply] button"))

    second_citizen.go(f"/workorders/track/?number={second.number}")
    second_citizen.page.fill("#t-tail", "0032")
    follow(second_citizen, second_citizen.page.locator("button", has_text="查询"))
    assert "两处反映的井盖已更换" in second_citizen.text()
    second_citizen.shot("merged-result")
    texts = [row.text for row in SmsOutbox.objects.filter(text__contains="两处反映的井盖已更换")]
    assert len(texts) == 2


def test_patroller_reports_on_the_phone_and_follows_their_reports(journey, tmp_path):
    """数字城管: the patroller photographs a broken manhole cover, picks the category and the
    position; a report without a photo is refused with the reason and the text kept. The report
    is routed to 市城管局 and the patroller sees its status change in their own list."""
    patroller = journey("phone", "patroller")
    patroller.login("patroller")
    patroller.go("/workbench/workorders/patrol/")
    patroller.shot("patrol-form")
    patroller.page.select_option("#wo-category", "CG02")
    patroller.page.fill("#wo-text", "七一路人行道井盖破损下沉")
    patroller.page.fill("[data-lng]", IN_CITY[0])
    patroller.page.fill("[data-lat]", IN_CITY[1])
    # the browser would insist on the photo: take the "required" away to see the server's answer
    patroller.page.eval_on_selector("#wo-photos", "el => el.removeAttribute('required')")
    follow(patroller, patroller.page.locator("button", has_text="上报"))
    assert "巡查上报请至少拍摄一张现场照片" in patroller.text()
    assert patroller.page.input_value("#wo-text") == "七一路人行道井盖破损下沉"
    patroller.shot("patrol-no-photo")
    patroller.page.set_input_files("#wo-photos", jpeg(tmp_path / "p.jpg"))
    follow(patroller, patroller.page.locator("button", has_text="上报"))
    order = WorkOrder.objects.get(channel="patrol")
    assert order.department.short_name == "市城管局" and order.grid_cell is not None
    mine = patroller.page.locator(f"[data-order='{order.number}']")
    assert "已派单，待签收" in mine.inner_text()
    patroller.shot("patrol-sent")

    handler = journey("pc", "cghandler")
    handler.login("cghandler")
    handler.go(f"/workbench/workorders/{order.number}/")
    follow(handler, handler.page.locator("[data-move=accept]"))
    handler.page.fill("[data-form=reply] textarea", "井盖已更换")
    follow(handler, handler.page.locator("[data-form=reply] button"))

    patroller.go("/workbench/workorders/patrol/")
    mine = patroller.page.locator(f"[data-order='{order.number}']")
    assert "已办结反馈，待回访" in mine.inner_text() and "井盖已更换" in mine.inner_text()
    patroller.shot("patrol-replied")
