import datetime

import pytest
from django.core.exceptions import ValidationError

from tongban.core.models import CalendarDay
from tongban.hall.actions import booking, queue
from tongban.hall.codes import AppointmentStatus
from tongban.hall.models import Appointment, AppointmentEvent
from tongban.hall.tests.conftest import MONDAY, at
from tongban.notify.models import Delivery

TUESDAY = MONDAY + datetime.timedelta(days=1)
NINE = datetime.time(9, 0)


def test_slots_follow_hall_hours_and_capacity(groups, citizen, clock):
    slots = booking.slots(groups["A"], TUESDAY)
    assert [s.start.strftime("%H:%M") for s in slots][:3] == ["09:00", "09:30", "10:00"]
    assert len(slots) == 6 + 7  # 9:00-12:00 and 13:30-17:00 in half hours
    booking.book(visitor=citizen, group=groups["A"], day=TUESDAY, start=NINE)
    first = booking.slots(groups["A"], TUESDAY)[0]
    assert (first.capacity, first.booked, first.available) == (2, 1, 1)


def test_booking_days_skip_rest_days_and_holidays(hall, clock):
    CalendarDay.objects.create(
        date=MONDAY + datetime.timedelta(days=3), is_working_day=False, name="示例假日"
    )
    days = booking.booking_days(hall, MONDAY)
    assert MONDAY + datetime.timedelta(days=3) not in days  # the holiday
    assert MONDAY + datetime.timedelta(days=5) not in days  # Saturday
    assert MONDAY + datetime.timedelta(days=7) in days  # next Monday, 7 days ahead
    assert MONDAY + datetime.timedelta(days=8) not in days  # beyond the horizon


def test_makeup_working_day_is_bookable(hall, groups, citizen, clock):
    saturday = MONDAY + datetime.timedelta(days=5)
    CalendarDay.objects.create(date=saturday, is_working_day=True, name="调休上班")
    booking.book(visitor=citizen, group=groups["A"], day=saturday, start=NINE)


def test_full_past_and_holiday_slots_are_refused(
    groups, citizen, second_citizen, enterprise, clock
):
    booking.book(visitor=citizen, group=groups["A"], day=TUESDAY, start=NINE)
    booking.book(visitor=second_citizen, group=groups["A"], day=TUESDAY, start=NINE)
    with pytest.raises(ValidationError, match="该时段已约满"):
        booking.book(visitor=enterprise, group=groups["A"], day=TUESDAY, start=NINE)
    with pytest.raises(ValidationError, match="该时段已过"):
        booking.book(visitor=enterprise, group=groups["A"], day=MONDAY, start=NINE)
    with pytest.raises(ValidationError, match="工作日"):
        booking.book(
            visitor=enterprise,
            group=groups["A"],
            day=MONDAY + datetime.timedelta(days=5),
            start=NINE,
        )
    with pytest.raises(ValidationError, match="时段不存在"):
        booking.book(
            visitor=enterprise, group=groups["A"], day=TUESDAY, start=datetime.time(12, 30)
        )
    assert Appointment.objects.count() == 2


def test_cancel_and_reschedule_free_the_slot_and_keep_history(
    groups, citizen, second_citizen, enterprise, clock
):
    first = booking.book(visitor=citizen, group=groups["A"], day=TUESDAY, start=NINE)
    booking.book(visitor=second_citizen, group=groups["A"], day=TUESDAY, start=NINE)
    booking.reschedule(appointment=first, actor=citizen, day=TUESDAY, start=datetime.time(10, 0))
    third = booking.book(visitor=enterprise, group=groups["A"], day=TUESDAY, start=NINE)
    booking.cancel(appointment=third, actor=enterprise)
    with pytest.raises(ValidationError, match="已取消，不能取消"):
        booking.cancel(appointment=third, actor=enterprise)
    events = list(
        AppointmentEvent.objects.filter(appointment=first).values_list("event", flat=True)
    )
    assert events == ["book", "reschedule"]
    first.refresh_from_db()
    assert first.start == datetime.time(10, 0)


def test_three_no_shows_bar_booking_for_thirty_days(groups, citizen, clock):
    for offset in (1, 2, 3):
        day = MONDAY + datetime.timedelta(days=offset)
        with at(MONDAY):
            booking.book(visitor=citizen, group=groups["A"], day=day, start=NINE)
        with at(day, 18):
            assert booking.mark_no_shows() == 1
    assert Appointment.objects.filter(status=AppointmentStatus.NO_SHOW).count() == 3
    with (
        at(MONDAY + datetime.timedelta(days=4)),
        pytest.raises(ValidationError, match="爽约已达 3 次，2026年12月05日前不能预约"),
    ):
        booking.book(
            visitor=citizen,
            group=groups["A"],
            day=MONDAY + datetime.timedelta(days=7),
            start=NINE,
        )
    with at(datetime.date(2026, 12, 7)):
        booking.book(visitor=citizen, group=groups["A"], day=datetime.date(2026, 12, 8), start=NINE)


def test_no_show_rule_is_configurable(settings, groups, citizen, clock):
    settings.HALL_NO_SHOW_LIMIT = 1
    booking.book(visitor=citizen, group=groups["A"], day=TUESDAY, start=NINE)
    with at(TUESDAY, 18):
        booking.mark_no_shows()
        with pytest.raises(ValidationError, match="爽约已达 1 次"):
            booking.book(
                visitor=citizen,
                group=groups["A"],
                day=TUESDAY + datetime.timedelta(days=1),
                start=NINE,
            )


def test_reminder_the_day_before_goes_by_sms_once(groups, citizen, clock):
    booking.book(visitor=citizen, group=groups["A"], day=TUESDAY, start=NINE)
    assert booking.send_reminders(MONDAY) == 1
    assert booking.send_reminders(MONDAY) == 0
    sms = Delivery.objects.get(channel="sms", notification__template_code="hall.reminder")
    assert "09:00" in sms.body and "许昌市政务服务中心" in sms.body


def test_booking_carries_the_visitors_case_only(groups, citizen, second_citizen, clock):
    from tongban.applications.models import Application

    foreign = Application(owner=second_citizen, case_number="X")
    foreign.pk = 1
    with pytest.raises(ValidationError, match="不属于您"):
        booking.book(
            visitor=citizen, group=groups["A"], day=TUESDAY, start=NINE, application=foreign
        )
    assert isinstance(foreign, Application)


def test_check_in_gives_priority_ticket_only_in_time(groups, citizen, second_citizen, clock):
    walk_in = queue.take_ticket(group=groups["A"], source="kiosk", visitor=second_citizen)
    appointment = booking.book(
        visitor=citizen, group=groups["A"], day=MONDAY, start=datetime.time(11, 30)
    )
    with pytest.raises(ValidationError, match="请于 10:30 后签到"):
        queue.check_in(appointment=appointment, actor=citizen)
    with at(MONDAY, 10, 45):
        ticket = queue.check_in(appointment=appointment, actor=citizen)
    assert ticket.priority > walk_in.priority and ticket.booked_at is not None
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    with at(MONDAY, 10, 46), pytest.raises(ValidationError, match="已签到取号，不能签到"):
        queue.check_in(appointment=appointment, actor=citizen)
