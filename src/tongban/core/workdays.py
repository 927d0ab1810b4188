"""The working-day calendar: 行政许可法 art. 82 counts time limits in working days.

Sources, strongest first: the administrators' CalendarDay table, the `chinesecalendar` package
(which knows official holidays and 调休 make-up days for the years it covers), and finally a plain
Monday–Friday rule for years neither knows — such a year is reported as unconfirmed, never a crash.

Counting follows 民法典 art. 201/203: the starting day is not counted, so "N working days from D" is
the N-th working day after D; a period that would end on a rest day thereby ends on the next working day.
"""

import datetime
from dataclasses import dataclass

import chinese_calendar
from django.core.cache import cache

from tongban.core.models import CalendarDay

SOURCE_TABLE = "table"
SOURCE_PACKAGE = "package"
SOURCE_WEEKDAY = "weekday"
_CACHE_VERSION_KEY = "workdays:version"
MAX_SPAN_DAYS = 366 * 5


@dataclass(frozen=True)
class DayStatus:
    date: datetime.date
    is_working_day: bool
    source: str
    name: str = ""

    @property
    def confirmed(self) -> bool:
        return self.source != SOURCE_WEEKDAY


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _table_year(year: int) -> dict[datetime.date, tuple[bool, str]]:
    """The administrators' overrides for one year, cached until any CalendarDay changes."""
    version = cache.get_or_set(_CACHE_VERSION_KEY, 1)
    key = f"workdays:table:{year}:v{version}"
    rows = cache.get(key)
    if rows is None:
        rows = {
            day.date: (day.is_working_day, day.name)
            for day in CalendarDay.objects.filter(date__year=year)
        }
        cache.set(key, rows, 3600)
    return rows


def calendar_version():
    """Changes whenever an administrator changes the calendar table."""
    return cache.get_or_set(_CACHE_VERSION_KEY, 1)


def invalidate() -> None:
    """Called whenever CalendarDay rows change (signals in core.signals)."""
    try:
        cache.incr(_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(_CACHE_VERSION_KEY, 2)


class Calendar:
    """One calendar per request or job: memoises the year tables it has looked at and the days it
    has judged (a scan of thousands of open cases asks about the same few hundred days)."""

    def __init__(self) -> None:
        self._years: dict[int, dict] = {}
        self._working: dict[datetime.date, bool] = {}

    def _overrides(self, year: int) -> dict:
        if year not in self._years:
            self._years[year] = _table_year(year)
        return self._years[year]

    def status(self, day: datetime.date) -> DayStatus:
        override = self._overrides(day.year).get(day)
        if override is not None:
            return DayStatus(day, override[0], SOURCE_TABLE, override[1])
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            return DayStatus(day, day.weekday() < 5, SOURCE_WEEKDAY)
        holiday_name = ""
        if not working:
            _, holiday = chinese_calendar.get_holiday_detail(day)
            holiday_name = _HOLIDAY_NAMES.get(holiday, "") if holiday else ""
        return DayStatus(day, working, SOURCE_PACKAGE, holiday_name)

    def is_working_day(self, day: datetime.date) -> bool:
        working = self._working.get(day)
        if working is None:
            working = self._working[day] = self.status(day).is_working_day
        return working

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The date `days` working days after `start` (start not counted). days=0 gives start itself,
        moved to the next working day if it is a rest day."""
        if days < 0:
            raise ValueError("工作日数不能为负数")
        current = start
        if days == 0:
            while not self.is_working_day(current):
                current += datetime.timedelta(days=1)
            return current
        counted = 0
        for _ in range(MAX_SPAN_DAYS):
            current += datetime.timedelta(days=1)
            if self.is_working_day(current):
                counted += 1
                if counted == days:
                    return current
        raise ValueError("期限超出可计算范围（五年）")

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if (end - start).days > MAX_SPAN_DAYS:
            raise ValueError("期限超出可计算范围（五年）")
        count, current = 0, start
        while current < end:
            current += datetime.timedelta(days=1)
            count += self.is_working_day(current)
        return count

    def unconfirmed_years(self, years) -> list[int]:
        """Years that have neither table rows nor package data: counted Monday–Friday only."""
        return [y for y in years if not package_covers(y) and not self._overrides(y)]


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    return Calendar().add_working_days(start, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return Calendar().working_days_between(start, end)


def is_working_day(day: datetime.date) -> bool:
    return Calendar().is_working_day(day)
