import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tongban.core import audit
from tongban.notify.models import SmsOutbox
from tongban.workorders.actions import closure, handling, intake
from tongban.workorders.codes import Channel, Kind, Satisfaction, Status, Urgency
from tongban.workorders.models import Correction, WorkOrderHistory
from tongban.workorders.tests.conftest import IN_CITY

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MANHOLE = "魏文路和七一路交叉口的井盖丢了，路上一个大洞，晚上很危险，请尽快处理。"


def report(text=MANHOLE, **extra):
    values = {
        "text": text,
        "kind": Kind.COMPLAINT,
        "channel": Channel.WEB,
        "reporter_name": "张示例",
        "reporter_phone": "17000000001",
        "lng": IN_CITY[0],
        "lat": IN_CITY[1],
    }
    values.update(extra)
    return intake.Report(**values)


def moves(order):
    return list(WorkOrderHistory.objects.filter(order=order).values_list("move", flat=True))


def test_a_manhole_report_is_classified_routed_and_dispatched(city, photo):
    order = intake.submit(report(photos=[photo]))
    assert order.category.code == "CG02"
    assert order.department.short_name == "市城管局"
    assert order.routing_rule.position == 20  # "城市管理类由市城管局办理"
    assert order.status == Status.DISPATCHED
    assert order.grid_cell is not None and order.region_id.startswith("411002")
    assert order.due_at is not None and order.photos.count() == 1
    assert moves(order) == ["register", "dispatch"]
    assert len(order.number) == 14


def test_the_reporter_phone_is_encrypted_and_masked(city):
    order = intake.submit(report())
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM workorders_workorder WHERE id=%s", [order.pk])
        stored = cursor.fetchone()[0]
    assert "17000000001" not in stored
    assert order.masked_phone == "170****0001"


def test_a_rule_for_one_street_wins_over_the_city_wide_one(city):
    stall = "西大街夜市摊位占用人行道经营，行人只能走马路。"
    order = intake.submit(report(text=stall))
    assert order.category.code == "CG01"
    assert order.routing_rule.position == 10
    assert order.department.short_name == "西大街道办"
    far = intake.submit(report(text=stall, lng="113.470000", lat="34.140000"))  # 禹州市
    assert far.department.short_name == "市城管局" and far.routing_rule.position == 20


def test_an_unsure_classification_waits_for_the_dispatcher_and_a_correction_is_kept(city, staff):
    order = intake.submit(report(text="有个事情想反映一下，麻烦你们看看。"))
    assert order.status == Status.REGISTERED and order.department is None
    with pytest.raises(ValidationError):
        handling.dispatch(
            order, actor=staff["dispatcher"], department_id=None, category_code="CG02"
        )
    handling.dispatch(
        order,
        actor=staff["dispatcher"],
        department_id=city["departments"]["cg"].pk,
        category_code="CG02",
    )
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.category.code == "CG02"
    if order.suggested_category and order.suggested_category.code != "CG02":
        assert Correction.objects.filter(order=order).exists()


def test_only_the_dispatcher_dispatches_and_only_the_department_handles(city, staff):
    order = intake.submit(report(text="有个事情想反映一下"))
    with pytest.raises(PermissionDenied):
        handling.dispatch(
            order,
            actor=staff["cghandler"],
            department_id=city["departments"]["cg"].pk,
            category_code="CG02",
        )
    manhole = intake.submit(report())
    with pytest.raises(PermissionDenied):
        handling.accept(manhole, actor=staff["swhandler"])  # 市水务局 is not the department
    handling.accept(manhole, actor=staff["cghandler"])


def test_return_needs_a_reason_and_pauses_the_clock(city, staff):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=TZ), tick=False) as clock:
        order = intake.submit(report())
        due = order.due_at
        with pytest.raises(ValidationError) as error:
            handling.return_order(order, actor=staff["cghandler"], reason="  ")
        assert "退单必须填写理由" in str(error.value)
        order.refresh_from_db()
        assert order.status == Status.DISPATCHED  # nothing lost
        handling.return_order(order, actor=staff["cghandler"], reason="不属于本部门职责")
        clock.shift(datetime.timedelta(hours=3))
        handling.dispatch(
            order, actor=staff["dispatcher"], department_id=city["departments"]["cg"].pk
        )
        order.refresh_from_db()
        assert order.due_at == due + datetime.timedelta(hours=3)


def test_a_normal_order_is_due_after_five_working_days_across_national_day(city):
    # dispatched on 30 September 2026: 1–7 October are holidays, Saturday 10 October is worked
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        order = intake.submit(report(urgency=Urgency.NORMAL))
    assert order.due_at.astimezone(TZ).date() == datetime.date(2026, 10, 13)
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=TZ), tick=False):
        urgent = intake.submit(report(urgency=Urgency.URGENT))
    assert urgent.due_at.astimezone(TZ) == datetime.datetime(2026, 9, 30, 12, 0, tzinfo=TZ)


def test_warnings_turn_yellow_then_red_and_the_supervisor_can_press(city, staff):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=TZ), tick=False) as clock:
        order = intake.submit(report(urgency=Urgency.URGENT))  # 2 hours
        clock.shift(datetime.timedelta(minutes=100))
        handling.refresh_warnings()
        order.refresh_from_db()
        assert order.warning == "yellow"
        clock.shift(datetime.timedelta(minutes=30))
        handling.refresh_warnings()
        order.refresh_from_db()
        assert order.warning == "red"
        with pytest.raises(ValidationError):
            handling.supervise(order, actor=staff["supervisor_wo"], note="")
        handling.supervise(order, actor=staff["supervisor_wo"], note="请立即处置")
        assert "supervise" in moves(order)


def test_extension_is_approved_by_the_dispatcher_and_moves_the_due_time(city, staff):
    order = intake.submit(report(urgency=Urgency.PRESSING))  # 24 hours
    due = order.due_at
    with pytest.raises(ValidationError):
        handling.request_extension(order, actor=staff["cghandler"], hours=24, reason="")
    extension = handling.request_extension(
        order, actor=staff["cghandler"], hours=24, reason="需要采购井盖"
    )
    with pytest.raises(PermissionDenied):
        handling.decide_extension(extension, actor=staff["cghandler"], approve=True)
    handling.decide_extension(extension, actor=staff["dispatcher"], approve=True)
    order.refresh_from_db()
    assert order.due_at == due + datetime.timedelta(hours=24)


def test_hand_down_assist_reply_and_callbacks_to_the_supervisor(city, staff):
    order = intake.submit(report())
    handler = staff["cghandler"]
    handling.accept(order, actor=handler)
    assist = handling.request_assist(
        order, actor=handler, department_id=city["departments"]["sw"].pk, request="请核查地下管线"
    )
    handling.answer_assist(assist, actor=staff["swhandler"], answer="管线完好")
    handling.hand_down(order, actor=handler, region_code="411002001000", note="请街道现场看护")
    with pytest.raises(ValidationError) as error:
        handling.reply(order, actor=handler, text="")
    assert "答复内容不能为空" in str(error.value)
    handling.reply(order, actor=handler, text="已更换新井盖")
    with pytest.raises(ValidationError):
        closure.callback(order, result=Satisfaction.DISSATISFIED, note="", actor=staff["operator"])
    closure.callback(
        order, result=Satisfaction.DISSATISFIED, note="井盖还是松的", actor=staff["operator"]
    )
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.reopen_count == 1  # 重办
    handling.accept(order, actor=handler)
    handling.reply(order, actor=handler, text="已加固")
    closure.callback(
        order, result=Satisfaction.DISSATISFIED, note="仍然不行", actor=staff["operator"]
    )
    order.refresh_from_db()
    assert order.status == Status.ESCALATED
    closure.supervise_decide(order, actor=staff["supervisor_wo"], redo=False, note="已核实处置到位")
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert audit.verify_chain().intact


def test_satisfied_callback_closes(city, staff):
    order = intake.submit(report())
    handling.accept(order, actor=staff["cghandler"])
    handling.reply(order, actor=staff["cghandler"], text="已更换")
    closure.callback(order, result=Satisfaction.SATISFIED, actor=staff["operator"])
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.replied_on_time is True


def test_a_consultation_is_answered_on_the_call(city, staff):
    order = intake.submit(
        report(text="八十岁老人的高龄津贴怎么申领？", kind=Kind.CONSULT, channel=Channel.HOTLINE)
    )
    assert order.status == Status.REGISTERED  # 咨询 is never dispatched automatically
    closure.answer_on_call(order, actor=staff["operator"], answer="持身份证到社区申请。")
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.reply


def test_duplicates_are_suggested_and_merged_reporters_get_the_result(
    city, staff, django_capture_on_commit_callbacks
):
    first = intake.submit(report())
    second = intake.submit(
        report(text="魏文路七一路口井盖丢了，路上一个大洞，很危险。", reporter_phone="17000000002")
    )
    unrelated = intake.submit(
        report(text="老板拖欠三个月工资不发", lng="113.470000", lat="34.140000")
    )
    candidates = closure.duplicate_candidates(first)
    assert [c.order for c in candidates] == [second]
    assert unrelated not in [c.order for c in candidates]
    closure.merge(first, [second], actor=staff["dispatcher"])
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    with pytest.raises(ValidationError):
        closure.merge(first, [second], actor=staff["dispatcher"])
    handling.accept(first, actor=staff["cghandler"])
    with django_capture_on_commit_callbacks(execute=True):
        handling.reply(first, actor=staff["cghandler"], text="已更换新井盖")
    texts = {row.phone: row.text for row in SmsOutbox.objects.all()}
    assert "已更换新井盖" in texts["17000000001"]
    assert "已更换新井盖" in texts["17000000002"]


def test_the_reporter_follows_the_order_by_number_and_phone_tail(city):
    order = intake.submit(report())
    found, error = closure.track(order.number, "0001")
    assert found == order and not error
    assert closure.track(order.number, "9999") == (
        None,
        "没有找到匹配的工单，请核对工单编号和电话后四位",
    )
    assert closure.track("abc", "0001")[0] is None
