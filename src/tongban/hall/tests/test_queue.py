import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tongban.core.models import CalendarDay
from tongban.hall import live
from tongban.hall.actions import queue
from tongban.hall.codes import Priority, TicketStatus
from tongban.hall.models import Ticket, TicketEvent
from tongban.hall.snapshot import snapshot
from tongban.hall.tests.conftest import MONDAY, at
from tongban.ratings.models import HallVisit


def kiosk(group, **kwargs):
    kwargs.setdefault("source", "kiosk")
    return queue.take_ticket(group=group, **kwargs)


def test_numbers_per_prefix_and_day(groups, citizen, second_citizen, clock):
    a1 = kiosk(groups["A"], visitor=citizen)
    a2 = kiosk(groups["A"], visitor=second_citizen)
    b1 = kiosk(groups["B"], visitor=citizen)
    assert [a1.code, a2.code, b1.code] == ["A001", "A002", "B001"]
    with at(MONDAY + datetime.timedelta(days=1)):
        assert kiosk(groups["A"], phone="13900000009").code == "A001"


def test_the_database_refuses_a_duplicate_code(groups, citizen, clock):
    first = kiosk(groups["A"], visitor=citizen)
    clash = Ticket(
        hall=first.hall,
        group=first.group,
        day=first.day,
        prefix="A",
        number=first.number,
        source="kiosk",
        queued_at=first.queued_at,
        issued_at=first.issued_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def test_second_active_ticket_in_a_group_is_refused(groups, citizen, clock):
    kiosk(groups["A"], visitor=citizen)
    with pytest.raises(ValidationError, match="已有一个未办结的号"):
        queue.take_ticket(group=groups["A"], source="phone", visitor=citizen)
    kiosk(groups["B"], visitor=citizen)  # another group is fine
    kiosk(groups["A"], phone="139 0000 0001")
    with pytest.raises(ValidationError, match="已有一个未办结的号"):
        kiosk(groups["A"], phone="13900000001")


def test_outside_hours_and_on_holidays_no_tickets(groups, citizen):
    with at(MONDAY, 12, 30), pytest.raises(ValidationError, match="不在办公时间"):
        kiosk(groups["A"], visitor=citizen)
    CalendarDay.objects.create(date=MONDAY, is_working_day=False, name="示例假日")
    with at(MONDAY), pytest.raises(ValidationError, match="休息日"):
        kiosk(groups["A"], visitor=citizen)


def test_green_channel_for_the_elderly_is_checked(groups, citizen, second_citizen, clock):
    with pytest.raises(ValidationError, match="60周岁以上"):
        kiosk(groups["A"], visitor=second_citizen, green="elderly")
    normal = kiosk(groups["A"], visitor=second_citizen)
    elderly = kiosk(groups["A"], visitor=citizen, green="elderly")  # born 1940
    assert elderly.priority == Priority.GREEN
    ordered = list(queue.waiting_queue([groups["A"]]))
    assert ordered == [elderly, normal]


def test_walk_in_needs_an_account_or_a_phone(groups, clock):
    with pytest.raises(ValidationError, match="手机号码"):
        kiosk(groups["A"])
    with pytest.raises(ValidationError, match="11位"):
        kiosk(groups["A"], phone="12345")


def test_call_start_finish_with_rating_visit(groups, clerk, windows, citizen, clock):
    ticket = kiosk(groups["A"], visitor=citizen)
    called = queue.call_next(actor=clerk, window=windows["5"])
    assert called == ticket and called.status == TicketStatus.CALLED
    with pytest.raises(ValidationError, match="尚未开始办理，不能结束"):
        queue.finish_service(actor=clerk, ticket=ticket)
    clock.shift(datetime.timedelta(minutes=1))
    queue.start_service(actor=clerk, ticket=ticket)
    clock.shift(datetime.timedelta(minutes=6))
    done = queue.finish_service(actor=clerk, ticket=ticket)
    assert done.status == TicketStatus.DONE and done.visit is not None
    visit = HallVisit.objects.get(pk=done.visit_id)
    assert visit.visitor == citizen and visit.clerk == clerk
    events = list(TicketEvent.objects.filter(ticket=ticket).values_list("event", flat=True))
    assert events == ["issue", "call", "start", "finish"]


def test_a_window_only_calls_its_own_groups(groups, clerk, windows, citizen, clock):
    b = kiosk(groups["B"], visitor=citizen)
    with pytest.raises(ValidationError, match="当前没有等候的号"):
        queue.call_next(actor=clerk, window=windows["5"])
    with pytest.raises(ValidationError, match="B001 号属于“不动产登记”，5 号窗口不办理"):
        queue.call_ticket(actor=clerk, window=windows["5"], code="b1")
    b.refresh_from_db()
    assert b.status == TicketStatus.WAITING
    with pytest.raises(ValidationError, match="今天没有 Z999 号"):
        queue.call_ticket(actor=clerk, window=windows["5"], code="Z999")


def test_one_ticket_at_a_time_and_recall_no_show(
    groups, clerk, windows, citizen, second_citizen, clock
):
    first = kiosk(groups["A"], visitor=citizen)
    kiosk(groups["A"], visitor=second_citizen)
    queue.call_next(actor=clerk, window=windows["5"])
    with pytest.raises(ValidationError, match="A001 号尚未办结"):
        queue.call_next(actor=clerk, window=windows["5"])
    again = queue.recall(actor=clerk, ticket=first)
    assert again.call_count == 2
    queue.mark_no_show(actor=clerk, ticket=first)
    second = queue.call_next(actor=clerk, window=windows["5"])
    assert second.code == "A002"


def test_closed_window_or_other_clerk_cannot_call(groups, clerk, clerk_b, windows, citizen, clock):
    kiosk(groups["A"], visitor=citizen)
    with pytest.raises(ValidationError, match=r"请先在 5 号窗口签到开窗|已由其他人员签到"):
        queue.call_next(actor=clerk_b, window=windows["5"])
    queue.set_window(actor=clerk, window=windows["5"], status="closed")
    with pytest.raises(ValidationError, match="请先在 5 号窗口签到开窗"):
        queue.call_next(actor=clerk, window=windows["5"])


def test_citizens_cannot_work_a_window(groups, windows, citizen, clock):
    with pytest.raises(PermissionDenied):
        queue.set_window(actor=citizen, window=windows["5"], status="open")


def test_transfer_keeps_the_place_in_the_queue(
    groups, clerk, clerk_b, windows, citizen, second_citizen, clock
):
    waiting_in_b = kiosk(groups["B"], visitor=second_citizen)
    clock.shift(datetime.timedelta(minutes=5))
    first = kiosk(groups["A"], visitor=citizen)  # arrived after the B visitor
    first_queued = first.queued_at
    queue.call_next(actor=clerk, window=windows["5"])
    queue.start_service(actor=clerk, ticket=first)
    moved = queue.transfer(actor=clerk, ticket=first, group=groups["B"])
    assert moved.code == "B002" and moved.queued_at == first_queued
    first.refresh_from_db()
    assert first.status == TicketStatus.TRANSFERRED
    assert list(queue.waiting_queue([groups["B"]])) == [waiting_in_b, moved]
    with pytest.raises(ValidationError, match="已转窗口，不能转窗口"):
        queue.transfer(actor=clerk, ticket=first, group=groups["B"])


def test_visitor_cancels_only_with_the_token(groups, citizen, clock):
    ticket = kiosk(groups["A"], visitor=citizen)
    with pytest.raises(PermissionDenied):
        queue.cancel_ticket(ticket=ticket, token="wrong")
    queue.cancel_ticket(ticket=ticket, token=ticket.token)
    with pytest.raises(ValidationError, match="已取消，不能取消"):
        queue.cancel_ticket(ticket=ticket, token=ticket.token)


def test_snapshot_counts_people_ahead_after_each_change(
    groups,
    clerk,
    windows,
    citizen,
    second_citizen,
    enterprise,
    clock,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        kiosk(groups["A"], visitor=citizen)
        second = kiosk(groups["A"], visitor=second_citizen)
        third = kiosk(groups["A"], phone="13900000005")
    hall_id = second.hall_id
    before = live.version(hall_id)
    assert snapshot(hall_id, before).ticket_state(third.pk)["ahead"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        queue.call_next(actor=clerk, window=windows["5"])
    after = live.version(hall_id)
    assert after != before
    snap = snapshot(hall_id, after)
    assert snap.ticket_state(third.pk)["ahead"] == 1
    assert snap.calls[0]["code"] == "A001" and snap.calls[0]["window"] == "5"
