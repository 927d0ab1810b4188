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
