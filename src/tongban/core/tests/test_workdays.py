import datetime as dt

import pytest

from tongban.core import workdays
from tongban.core.models import CalendarDay

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


def test_year_beyond_the_package_is_weekday_based_and_unconfirmed_until_entered():
    cal = workdays.Calendar()
    assert cal.unconfirmed_years([2026, 2027]) == [2027]
    assert cal.is_working_day(D(2027, 1, 1))  # a Friday: unknown holiday, counted as working
    assert not cal.status(D(2027, 1, 1)).confirmed
    CalendarDay.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    later = workdays.Calendar()
    assert later.unconfirmed_years([2027]) == []
    assert not later.is_working_day(D(2027, 1, 1))
    assert workdays.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_negative_days_rejected():
    with pytest.raises(ValueError, match="不能为负数"):
        workdays.add_working_days(D(2026, 3, 2), -1)
