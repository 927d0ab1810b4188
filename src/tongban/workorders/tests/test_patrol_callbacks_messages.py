"""The 数字城管 patrol page, the callback deadline, the reporter's in-app messages and the audited
full view of the reporter's phone."""

import datetime
import logging
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts import actions as account_actions
from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.core.models import AuditRecord
from tongban.notify.models import InboxMessage
from tongban.workorders.actions import closure, handling, intake
from tongban.workorders.codes import Channel, Status, Warning
from tongban.workorders.models import GridCell, WorkOrder
from tongban.workorders.tests.conftest import IN_CITY, OUTSIDE, jpeg_bytes
from tongban.workorders.tests.test_lifecycle import report

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def patroller(city):
    return account_actions.create_staff(
        actor=None,
        login_name="patrol1",
        display_name="数字城管监督员",
        department=core_demo.department("cg"),
        roles=[Role.CITY_PATROLLER],
        password="Tongban2026",
    )


def jpeg(name="p.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def patrol_post(**extra):
    values = {
        "category": "CG02",
        "text": "七一路人行道井盖破损下沉",
        "lng": IN_CITY[0],
        "lat": IN_CITY[1],
        "photos": [jpeg()],
    }
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}


# --- 数字城管 patrol page ---------------------------------------------------------------------------


def test_a_patroller_reports_with_photo_gps_and_category_and_sees_it_in_their_list(
    client, patroller
):
    client.force_login(patroller)
    page = client.get("/workbench/workorders/patrol/").content.decode()
    assert "数字城管巡查上报" in page and "井盖" in page  # the 城市管理 categories to choose from
    response = client.post("/workbench/workorders/patrol/", patrol_post())
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.channel == Channel.PATROL and order.created_by == patroller
    assert order.category.code == "CG02" and order.department.short_name == "市城管局"
    assert order.status == Status.DISPATCHED and order.grid_cell is not None
    assert order.photos.count() == 1
    mine = client.get("/workbench/workorders/patrol/").content.decode()
    assert order.number in mine and "已派单，待签收" in mine and order.grid_cell.name in mine


def test_a_patroller_without_gps_gives_the_grid_cell(client, patroller):
    cell = GridCell.objects.order_by("code")[700]
    client.force_login(patroller)
    client.post(
        "/workbench/workorders/patrol/", patrol_post(lng=None, lat=None, grid_code=cell.code)
    )
    order = WorkOrder.objects.get()
    assert order.grid_cell == cell and order.region_id == cell.region_id and order.lng is None


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"photos": None}, "photos", "至少拍摄一张现场照片"),
        ({"lng": None, "lat": None}, "location", "请定位或填写网格编码"),
        ({"lng": None, "lat": None, "grid_code": "NO-SUCH"}, "grid_code", "网格编码不存在"),
        ({"lng": OUTSIDE[0], "lat": OUTSIDE[1]}, "location", "不在本市范围"),
        ({"category": ""}, "category", "请选择问题分类"),
        ({"category": "ZJ01"}, "category", "应为城市管理类"),
        ({"text": ""}, "text", "请填写诉求内容"),
        (
            {"photos": [SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image")]},
            "photos",
            "",
        ),
    ],
)
def test_bad_patrol_reports_are_refused_with_the_reason_and_the_form_kept(
    client, patroller, changes, field, message
):
    client.force_login(patroller)
    response = client.post("/workbench/workorders/patrol/", patrol_post(**changes))
    assert response.status_code == 200
    errors = response.context["errors"]
    assert field in errors and message in "".join(errors[field])
    assert not WorkOrder.objects.exists()
    assert response.context["values"].get("text") == patrol_post(**changes).get("text")


def test_the_patrol_page_is_for_patrollers_only_and_lists_only_their_own(client, patroller, staff):
    client.force_login(staff["gridworker"])
    assert client.get("/workbench/workorders/patrol/").status_code == 403
    intake.submit(report(channel=Channel.GRID), actor=staff["gridworker"])
    client.force_login(patroller)
    page = client.get("/workbench/workorders/patrol/").content.decode()
    assert WorkOrder.objects.get().number not in page


# --- 回访 deadline --------------------------------------------------------------------------------


def replied_order(staff, at):
    with time_machine.travel(at, tick=False):
        order = intake.submit(report())
        handling.accept(order, actor=staff["cghandler"])
        handling.reply(order, actor=staff["cghandler"], text="已更换井盖")
    order.refresh_from_db()
    return order


def test_the_callback_is_due_within_the_working_days_set_and_warns_then_turns_red(
    city, staff, client, settings
):
    settings.WORKORDER_CALLBACK_WORKING_DAYS = 2
    friday = datetime.datetime(2026, 3, 6, 10, 0, tzinfo=TZ)
    order = replied_order(staff, friday)
    # Fri → Mon, Tue: the end of the 2nd working day after 办结, the weekend not counted
    assert order.callback_due_at.astimezone(TZ) == datetime.datetime(
        2026, 3, 10, 23, 59, 59, tzinfo=TZ
    )
    assert order.callback_warning == Warning.NONE
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=TZ), tick=False):
        handling.refresh_warnings()
    order.refresh_from_db()
    assert order.callback_warning == Warning.YELLOW
    with time_machine.travel(datetime.datetime(2026, 3, 11, 9, 0, tzinfo=TZ), tick=False):
        handling.refresh_warnings()
    order.refresh_from_db()
    assert order.callback_warning == Warning.RED
    client.force_login(staff["dispatcher"])
    overdue = client.get("/workbench/workorders/?callback=red").content.decode()
    assert order.number in overdue and "回访已超期" in overdue
    assert order.number not in client.get("/workbench/workorders/?callback=yellow").content.decode()
    stats = client.get("/workbench/workorders/stats/?start=2026-03-01&end=2026-03-31")
    assert stats.context["figures"]["callback_overdue"] == 1
    # a late callback closes the order and counts as late
    with time_machine.travel(datetime.datetime(2026, 3, 11, 10, 0, tzinfo=TZ), tick=False):
        closure.callback(order, result="satisfied", actor=staff["operator"])
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.callback_warning == Warning.NONE
    assert order.called_back_on_time is False
    stats = client.get("/workbench/workorders/stats/?start=2026-03-01&end=2026-03-31")
    assert stats.context["figures"]["callback_on_time_rate"] == 0.0
    assert stats.context["figures"]["callback_overdue"] == 0


def test_a_callback_in_time_counts_as_on_time(city, staff):
    order = replied_order(staff, datetime.datetime(2026, 3, 9, 10, 0, tzinfo=TZ))
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0, tzinfo=TZ), tick=False):
        closure.callback(order, result="basic", actor=staff["operator"])
    order.refresh_from_db()
    assert order.called_back_on_time is True


# --- in-app messages for reporters ----------------------------------------------------------------


def test_a_signed_in_reporter_follows_the_order_in_my_messages_and_on_the_order_page(
    city, staff, client, citizen
):
    client.force_login(citizen)
    response = client.post(
        "/workorders/report/",
        {
            "kind": "complaint",
            "text": "建安大道井盖丢了，路上一个大洞",
            "lng": IN_CITY[0],
            "lat": IN_CITY[1],
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.reporter == citizen
    titles = list(InboxMessage.objects.filter(recipient=citizen).values_list("title", flat=True))
    assert f"工单{order.number}：已受理立案" in titles
    assert f"工单{order.number}：已派至市城管局办理" in titles
    handling.accept(order, actor=staff["cghandler"])
    handling.reply(order, actor=staff["cghandler"], text="已更换井盖")
    message = InboxMessage.objects.filter(recipient=citizen).order_by("-pk").first()
    assert message.title == f"工单{order.number}：已办结" and "已更换井盖" in message.body
    assert message.link == f"/workorders/mine/{order.number}/"
    inbox = client.get("/inbox/").content.decode()
    assert f"工单{order.number}：已办结" in inbox
    page = client.get(message.link).content.decode()
    assert "已更换井盖" in page and "您对办理结果满意吗" in page
    # the reporter rates on the order page: 不满意 reopens, and they are told
    client.post(message.link, {"result": "dissatisfied", "note": "井盖还是松的"})
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.reopen_count == 1
    latest = InboxMessage.objects.filter(recipient=citizen).order_by("-pk").first()
    assert "重新办理" in latest.title


def test_the_order_page_is_only_the_reporters(city, client, citizen, second_citizen):
    order = intake.submit(report(reporter=citizen, reporter_phone=""))
    client.force_login(second_citizen)
    assert client.get(f"/workorders/mine/{order.number}/").status_code == 404
    assert order.number not in client.get("/workorders/mine/").content.decode()
    client.force_login(citizen)
    assert order.number in client.get("/workorders/mine/").content.decode()
    client.logout()
    assert client.get(f"/workorders/mine/{order.number}/").status_code == 302  # to sign in


def test_a_bad_rating_on_the_order_page_is_refused_with_the_reason(city, client, citizen, staff):
    order = intake.submit(report(reporter=citizen, reporter_phone=""))
    handling.accept(order, actor=staff["cghandler"])
    handling.reply(order, actor=staff["cghandler"], text="已处理")
    client.force_login(citizen)
    page = client.post(f"/workorders/mine/{order.number}/", {"result": "dissatisfied"})
    assert "不满意时请说明原因" in page.content.decode()
    page = client.post(f"/workorders/mine/{order.number}/", {"result": "great"})
    assert "请选择回访结果" in page.content.decode()
    order.refresh_from_db()
    assert order.status == Status.REPLIED


def test_merged_reporters_get_the_result_in_their_messages(city, staff, citizen, second_citizen):
    first = intake.submit(report(reporter=citizen, reporter_phone=""))
    second = intake.submit(report(reporter=second_citizen, reporter_phone=""))
    closure.merge(first, [second], actor=staff["dispatcher"])
    assert InboxMessage.objects.filter(
        recipient=second_citizen, title__contains="合并办理"
    ).exists()
    handling.accept(first, actor=staff["cghandler"])
    handling.reply(first, actor=staff["cghandler"], text="已更换井盖")
    told = InboxMessage.objects.filter(recipient=second_citizen).order_by("-pk").first()
    assert "已更换井盖" in told.body and first.number in told.body


def test_reporters_without_an_account_get_no_inbox_message(city):
    intake.submit(report())
    assert not InboxMessage.objects.exists()


# --- the reporter's full phone for staff --------------------------------------------------------


def test_the_full_phone_is_masked_and_shown_only_on_a_post_with_a_purpose_audited(
    city, staff, client, caplog
):
    order = intake.submit(report(reporter_phone="17000000001"))
    client.force_login(staff["dispatcher"])
    detail = client.get(f"/workbench/workorders/{order.number}/").content.decode()
    assert "170****0001" in detail and "17000000001" not in detail
    url = f"/workbench/workorders/{order.number}/phone/"
    assert client.get(url).status_code == 405  # never a GET: nothing in URLs or browser history
    refused = client.post(url, {"purpose": ""}).content.decode()
    assert "必须说明用途" in refused and "17000000001" not in refused
    assert not AuditRecord.objects.filter(action="workorders.reveal_phone").exists()
    with caplog.at_level(logging.DEBUG):
        shown = client.post(url, {"purpose": "回访联系诉求人"})
    assert "17000000001" in shown.content.decode()
    assert "no-cache" in shown["Cache-Control"] or "max-age=0" in shown["Cache-Control"]
    record = AuditRecord.objects.get(action="workorders.reveal_phone")
    assert record.actor == staff["dispatcher"] and record.purpose == "回访联系诉求人"
    assert record.object_id == str(order.pk) and "17000000001" not in str(record.detail)
    assert "17000000001" not in caplog.text and "17000000001" not in url


def test_staff_who_cannot_see_the_order_cannot_reveal_the_phone(city, staff, client):
    order = intake.submit(report())
    client.force_login(staff["swhandler"])  # another department
    assert (
        client.post(f"/workbench/workorders/{order.number}/phone/", {"purpose": "看看"}).status_code
        == 404
    )
    client.force_login(staff["gridworker"])  # sees no orders
    response = client.post(f"/workbench/workorders/{order.number}/phone/", {"purpose": "看看"})
    assert response.status_code in (403, 404)
    assert not AuditRecord.objects.filter(action="workorders.reveal_phone").exists()
