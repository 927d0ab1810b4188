import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongban.core import calendar_actions, workdays
from tongban.core.models import AuditRecord, CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
D = dt.date


def test_spring_festival_2026_and_its_make_up_days():
    cal = workdays.Calendar()
    assert not cal.is_working_day(D(2026, 2, 16))  # 春节
    assert cal.status(D(2026, 2, 16)).name == "春节"
    assert cal.is_working_day(D(2026, 2, 14))  # Saturday make-up day
    assert cal.is_working_day(D(2026, 2, 28))  # Saturday make-up day


def test_start_day_not_counted_and_holidays_skipped():
    # Friday 2026-02-13 + 1 working day = Saturday 2026-02-14 (a make-up working day).
    assert workdays.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # 2026-02-14 + 1: the holiday runs 2/15–2/23, so the next working day is Tuesday 2/24.
    assert workdays.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # 20 working days (行政许可法 art. 42) from Monday 2026-09-21 across 国庆/中秋 (10/1–10/8? see package)
    due = workdays.add_working_days(D(2026, 9, 21), 20)
    assert workdays.working_days_between(D(2026, 9, 21), due) == 20


def test_zero_days_on_a_rest_day_moves_to_the_next_working_day():
    assert workdays.add_working_days(D(2026, 2, 15), 0) == D(2026, 2, 24)
    assert workdays.add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_working_days_between():
    assert workdays.working_days_between(D(2026, 3, 2), D(2026, 3, 9)) == 5
    assert workdays.working_days_between(D(2026, 3, 9), D(2026, 3, 2)) == 0


def test_administrator_table_wins_over_the_package():
    cal = workdays.Calendar()
    assert cal.is_working_day(D(2026, 3, 4))
    CalendarDay.objects.create(date=D(2026, 3, 4), is_working_day=False, name="临时调整")
    fresh = workdays.Calendar()
    assert not fresh.is_working_day(D(2026, 3, 4))
    assert fresh.status(D(2026, 3, 4)).source == workdays.SOURCE_TABLE


def test_year_beyond_the_package_counts_the_statutory_holidays_unconfirmed():
    cal = workdays.Calendar()
    assert cal.unconfirmed_years([2026, 2027]) == [2027]
    new_year = cal.status(D(2027, 1, 1))  # a Friday: 元旦 by law, whatever the schedule adds
    assert (new_year.is_working_day, new_year.name, new_year.source, new_year.confirmed) == (
        False,
        "元旦",
        workdays.SOURCE_STATUTORY,
        False,
    )
    # Accepted 2026-12-04 with 20 working days: the 20th is not 元旦 but Monday 2027-01-04.
    assert workdays.add_working_days(D(2026, 12, 4), 20) == D(2027, 1, 4)
    assert workdays.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_spring_festival_2027_with_its_weekend_made_up_after_it():
    cal = workdays.Calendar()
    # 除夕 Friday 2/5, 初一–初三 Saturday 2/6 to Monday 2/8; Saturday and Sunday made up on 2/9, 2/10.
    rest = [D(2027, 2, d) for d in (5, 6, 7, 8, 9, 10)]
    assert [cal.status(day).name for day in rest] == ["春节"] * 4 + ["春节补假"] * 2
    assert not any(cal.is_working_day(day) for day in rest)
    assert cal.is_working_day(D(2027, 2, 11)) and cal.is_working_day(D(2027, 2, 4))
    assert cal.add_working_days(D(2027, 2, 4), 5) == D(2027, 2, 17)
    # 国庆 2027: Friday 10/1 to Sunday 10/3, the weekend made up on Monday and Tuesday.
    assert [cal.is_working_day(D(2027, 10, d)) for d in range(1, 7)] == [False] * 5 + [True]


@pytest.mark.parametrize(
    "day, name",
    [
        (D(2028, 1, 3), "元旦补假"),  # 元旦 2028 is a Saturday
        (D(2028, 1, 25), "春节"),  # 除夕
        (D(2028, 4, 4), "清明节"),  # the solar term, from the lunar library
        (D(2028, 5, 29), "端午节补假"),  # 端午 on Sunday 5/28
        (D(2028, 10, 3), "中秋节、国庆节"),  # the two coincide: no extra day by law
        (D(2028, 10, 4), "国庆节补假"),
        (D(2031, 1, 27), "春节补假"),
        (D(2031, 4, 7), "清明节补假"),  # 清明 on Saturday 4/5
        (D(2031, 6, 24), "端午节"),
    ],
)
def test_statutory_holidays_of_2028_and_2031(day, name):
    status = workdays.Calendar().status(day)
    assert (status.is_working_day, status.name, status.confirmed) == (False, name, False)


def test_make_up_day_before_the_holiday_when_configured(settings):
    settings.CALENDAR_MAKE_UP_RULE = "preceding"
    cal = workdays.Calendar()
    assert cal.status(D(2027, 12, 31)).name == "元旦补假"  # for Saturday 2028-01-01
    assert cal.is_working_day(D(2028, 1, 3))


def test_latest_reading_rests_on_every_day_the_schedule_may_add():
    ordinary, latest = workdays.Calendar(), workdays.Calendar(latest=True)
    # 春节 2027 may plausibly run from 腊月廿七 (2/3) to 正月初八 (2/13).
    assert latest.status(D(2027, 2, 11)).source == workdays.SOURCE_POSSIBLE
    assert latest.add_working_days(D(2027, 2, 4), 5) == D(2027, 2, 19)
    assert ordinary.add_working_days(D(2027, 2, 4), 5) == D(2027, 2, 17)
    # A year the package knows is certain: both readings agree (2026's 调休 Saturday 2/14 works).
    assert latest.add_working_days(D(2026, 2, 13), 2) == ordinary.add_working_days(
        D(2026, 2, 13), 2
    )


def test_one_calendar_row_does_not_confirm_a_year(platform_admin):
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    cal = workdays.Calendar()
    assert cal.unconfirmed_years([2027]) == [2027]
    # 春节 still counts: 20 working days from 2027-02-04 end on 3/10, not 3/4.
    assert cal.add_working_days(D(2027, 2, 4), 20) == D(2027, 3, 10)

    with time_machine.travel(dt.datetime(2026, 12, 4, 10), tick=False):
        calendar_actions.confirm_year(
            actor=platform_admin, year=2027, basis="国务院办公厅关于2027年部分节假日安排的通知"
        )
    assert workdays.Calendar().unconfirmed_years([2027]) == []
    assert workdays.Calendar().status(D(2027, 2, 9)).confirmed
    record = AuditRecord.objects.get(action="core.calendar_year_confirmed")
    assert record.actor == platform_admin and record.detail["year"] == 2027

    calendar_actions.withdraw_year(actor=platform_admin, year=2027)
    assert workdays.Calendar().unconfirmed_years([2027]) == [2027]
    assert AuditRecord.objects.filter(action="core.calendar_year_withdrawn").exists()


def test_confirming_a_year_refuses_bad_input(platform_admin, citizen):
    with time_machine.travel(dt.datetime(2026, 12, 4, 10), tick=False):
        with pytest.raises(ValidationError, match="请填写依据"):
            calendar_actions.confirm_year(actor=platform_admin, year=2027, basis=" ")
        with pytest.raises(ValidationError, match="已由节假日数据包收录"):
            calendar_actions.confirm_year(actor=platform_admin, year=2026, basis="通知")
        with pytest.raises(ValidationError, match="年度应在"):
            calendar_actions.confirm_year(actor=platform_admin, year=2099, basis="通知")
        with pytest.raises(PermissionDenied):
            calendar_actions.confirm_year(actor=citizen, year=2027, basis="通知")
        calendar_actions.confirm_year(actor=platform_admin, year=2027, basis="通知")
        with pytest.raises(ValidationError, match="已经确认"):
            calendar_actions.confirm_year(actor=platform_admin, year=2027, basis="通知")
        with pytest.raises(ValidationError, match="请填写说明"):
            calendar_actions.set_day(
                actor=platform_admin, date=D(2027, 2, 20), is_working_day=True, name=""
            )
        with pytest.raises(ValidationError, match="没有工作日历调整记录"):
            calendar_actions.remove_day(actor=platform_admin, date=D(2027, 2, 20))
    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2027]
    assert not CalendarDay.objects.exists()


def test_admin_page_lists_the_year_and_confirms_it(client, platform_admin):
    url = reverse("admin:core_calendaryear_add")
    with time_machine.travel(dt.datetime(2026, 12, 4, 10), tick=False):
        client.force_login(platform_admin)
        page = client.get(url, {"year": 2027}).content.decode()
        assert 'data-schedule-day="2027-02-09"' in page and "春节补假" in page
        refused = client.post(url + "?year=2027", {"year": 2027, "basis": "国办发明电"})
        assert refused.status_code == 200 and not CalendarYear.objects.exists()
        done = client.post(
            url + "?year=2027", {"year": 2027, "basis": "国办发明电", "checked": "on"}
        )
    assert done.status_code == 302
    assert CalendarYear.objects.get().confirmed_by == platform_admin


def test_negative_days_rejected():
    with pytest.raises(ValueError, match="不能为负数"):
        workdays.add_working_days(D(2026, 3, 2), -1)
