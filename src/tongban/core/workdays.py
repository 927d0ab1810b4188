"""The working-day calendar: 行政许可法 art. 82 counts time limits in working days.

Sources, strongest first: the administrators' CalendarDay table, the `chinesecalendar` package
(which knows official holidays and 调休 make-up days for the years it covers), and finally, for a
year neither the package knows nor an administrator has confirmed complete (CalendarYear), the
statutory holidays of 《全国年节及纪念日放假办法》 and their 补假 (core.holidays) with Monday–Friday
for the other days. Such a year is reported as unconfirmed, never a crash.

Two readings of an unconfirmed year: the ordinary calendar counts the statutory rest days only (the
dates staff must meet and the dates the applicant is told); `Calendar(latest=True)` also treats as
rest days every day the coming schedule may plausibly add around each holiday, so a decision the
system takes by itself on a deadline (视为受理) is never taken before the latest date the law could
turn out to allow.

Counting follows 民法典 art. 201/203: the starting day is not counted, so "N working days from D" is
the N-th working day after D; a period that would end on a rest day thereby ends on the next working day.
"""

import datetime
import uuid
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.core.cache import cache

from tongban.core import events, holidays
from tongban.core.models import CalendarDay, CalendarYear

SOURCE_TABLE = "table"
SOURCE_PACKAGE = "package"
SOURCE_STATUTORY = "statutory"  # a statutory holiday or its 补假 (全国年节及纪念日放假办法)
SOURCE_POSSIBLE = "possible"  # latest reading only: a day the schedule may make a rest day
SOURCE_WEEKDAY = "weekday"


# Sent after commit whenever the calendar was corrected (a day set or removed, a year confirmed or
# its confirmation withdrawn), with `dates` and `years`. Higher domains subscribe (cases recomputes
# the due dates of open cases); core never imports them.
@events.declare("calendar.corrected")
@dataclass(frozen=True)
class CalendarCorrected:
    """Administrators corrected the calendar: days changed, or years confirmed or withdrawn."""

    dates: str  # ISO dates, comma-separated
    years: str  # years, comma-separated


_CACHE_VERSION_KEY = "workdays:version"
MAX_SPAN_DAYS = 366 * 5


@dataclass(frozen=True)
class DayStatus:
    date: datetime.date
    is_working_day: bool
    source: str
    name: str = ""
    confirmed: bool = True


@lru_cache(maxsize=256)
def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _table_year(year: int) -> dict[datetime.date, tuple[bool, str]]:
    """The administrators' overrides for one year, cached until any CalendarDay changes."""
    key = f"workdays:table:{year}:v{_version()}"
    rows = cache.get(key)
    if rows is None:
        rows = {
            day.date: (day.is_working_day, day.name)
            for day in CalendarDay.objects.filter(date__year=year)
        }
        cache.set(key, rows, 3600)
    return rows


def _confirmed_years() -> frozenset[int]:
    key = f"workdays:confirmed:v{_version()}"
    years = cache.get(key)
    if years is None:
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        cache.set(key, years, 3600)
    return years


def _new_version() -> str:
    return uuid.uuid4().hex


def _version() -> str:
    # Never expires, and a lost key comes back as a value no cached entry was written under: a
    # reset to a small constant could serve an hour-old table after a correction.
    return cache.get_or_set(_CACHE_VERSION_KEY, _new_version, timeout=None)


def calendar_version() -> str:
    """Changes whenever an administrator changes the calendar (for caches built on it)."""
    return _version()


def invalidate() -> None:
    """Called whenever CalendarDay or CalendarYear rows change (signals in core.signals) and
    again after the correcting transaction commits (core.calendar_actions)."""
    cache.set(_CACHE_VERSION_KEY, _new_version(), timeout=None)


class Calendar:
    """One calendar per request or job: memoises the year tables it has looked at and the days it
    has judged (a scan of thousands of open cases asks about the same few hundred days).

    `latest=True` gives the latest plausible reading of unconfirmed years (see the module text)."""

    def __init__(self, *, latest: bool = False) -> None:
        self.latest = latest
        self._years: dict[int, dict] = {}
        self._rules: dict[int, dict] = {}
        self._confirmed: frozenset[int] | None = None
        self._working: dict[datetime.date, bool] = {}

    def _overrides(self, year: int) -> dict:
        if year not in self._years:
            self._years[year] = _table_year(year)
        return self._years[year]

    def year_confirmed(self, year: int) -> bool:
        """The package knows the year, or an administrator has said its schedule is complete."""
        if package_covers(year):
            return True
        if self._confirmed is None:
            self._confirmed = _confirmed_years()
        return year in self._confirmed

    def _rest_days_by_law(self, year: int, possible: bool) -> dict:
        key = -year if possible else year
        if key not in self._rules:
            self._rules[key] = (
                holidays.possible_rest_days(year)
                if possible
                else holidays.statutory_rest_days(year)
            )
        return self._rules[key]

    def status(self, day: datetime.date) -> DayStatus:
        override = self._overrides(day.year).get(day)
        if override is not None:
            return DayStatus(day, override[0], SOURCE_TABLE, override[1])
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            return self._status_by_law(day)
        holiday_name = ""
        if not working:
            _, holiday = chinese_calendar.get_holiday_detail(day)
            holiday_name = _HOLIDAY_NAMES.get(holiday, "") if holiday else ""
        return DayStatus(day, working, SOURCE_PACKAGE, holiday_name)

    def _status_by_law(self, day: datetime.date) -> DayStatus:
        confirmed = self.year_confirmed(day.year)
        if self.latest and not confirmed:
            name = self._rest_days_by_law(day.year, possible=True).get(day)
            if name:
                return DayStatus(day, False, SOURCE_POSSIBLE, name, confirmed)
        name = self._rest_days_by_law(day.year, possible=False).get(day)
        if name:
            return DayStatus(day, False, SOURCE_STATUTORY, name, confirmed)
        return DayStatus(day, day.weekday() < 5, SOURCE_WEEKDAY, "", confirmed)

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
        """Years neither the package knows nor an administrator has confirmed complete: counted
        from the statutory holidays, whatever CalendarDay rows they already have."""
        return [y for y in years if not self.year_confirmed(y)]

    def unconfirmed_between(self, start: datetime.date, end: datetime.date | None) -> list[int]:
        """The unconfirmed years a period from `start` to `end` touches."""
        return self.unconfirmed_years(range(start.year, max(start, end or start).year + 1))


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
