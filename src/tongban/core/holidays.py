"""Statutory public holidays of 《全国年节及纪念日放假办法》 (revised 2024, in force 2025-01-01), for
years whose State Council schedule the platform does not know yet.

The law fixes the holidays of all citizens (art. 2): 元旦 1 January; 春节 four days, 农历除夕 and
正月初一 to 初三; 清明 the day of the 清明 solar term; 劳动节 1–2 May; 端午 农历五月初五; 中秋 农历八月十五;
国庆 1–3 October. Art. 4: such a holiday falling on a Saturday or Sunday is made up (补假) on a working
day. Which working day the law does not say; practice gives the working day right after the holiday
(2022's 元旦 on a Saturday was made up on Monday 3 January), so that is the default, and
CALENDAR_MAKE_UP_RULE = "preceding" gives the working day before instead. Holidays that coincide
(国庆 and 中秋 on the same day) are not made up: the law only speaks of weekends.

The annual schedule then adds 调休: longer breaks around the holidays, paid for with working weekends.
Nobody can know those days before the notice, so for decisions the system takes by itself we also
give, per holiday, the window of days the schedule has plausibly made rest days
(CALENDAR_UNCONFIRMED_MARGINS: days before the first and after the last statutory day). Practice since
2025 stays inside it: 春节 ran 除夕 to 初七 (2025) and 腊月廿八 to 初七 (2026); 劳动节 1–5 May; 国庆 to 7 or
8 October; 元旦, 清明, 端午 and 中秋 at most three days with the adjacent weekend.

Lunar dates and the 清明 solar term come from lunar-python (MIT).
"""

import datetime
from functools import lru_cache

from django.conf import settings
from lunar_python import Lunar

from tongban.core import conf

ONE_DAY = datetime.timedelta(days=1)
FOLLOWING, PRECEDING = "following", "preceding"

# Festival name → (days before its first statutory day, days after its last) that an annual
# schedule may plausibly have made rest days.
DEFAULT_MARGINS = {
    "元旦": (2, 2),
    "春节": (2, 5),
    "清明节": (2, 2),
    "劳动节": (2, 3),
    "端午节": (2, 2),
    "中秋节": (2, 2),
    "国庆节": (2, 5),
}


def _lunar(year: int, month: int, day: int) -> datetime.date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> datetime.date:
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


def festivals(year: int) -> dict[str, list[datetime.date]]:
    """The statutory days of each holiday of all citizens in the Gregorian `year`."""
    new_year = _lunar(year, 1, 1)  # 正月初一 falls between 21 January and 20 February
    return {
        "元旦": [datetime.date(year, 1, 1)],
        "春节": [new_year - ONE_DAY] + [new_year + ONE_DAY * n for n in range(3)],
        "清明节": [_qingming(year)],
        "劳动节": [datetime.date(year, 5, 1), datetime.date(year, 5, 2)],
        "端午节": [_lunar(year, 5, 5)],
        "中秋节": [_lunar(year, 8, 15)],
        "国庆节": [datetime.date(year, 10, n) for n in (1, 2, 3)],
    }


def _make_up_rule() -> str:
    rule = settings.CALENDAR_MAKE_UP_RULE
    return PRECEDING if rule == PRECEDING else FOLLOWING


def _is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5


@lru_cache(maxsize=64)
def _statutory_rest_days(year: int, rule: str) -> dict[datetime.date, str]:
    holidays: dict[datetime.date, str] = {}
    # Neighbouring years too: a 补假 may cross New Year (元旦 on a Saturday, rule "preceding").
    for y in (year - 1, year, year + 1):
        for name, days in festivals(y).items():
            for day in days:
                holidays[day] = f"{holidays[day]}、{name}" if day in holidays else name
    rest = dict(holidays)
    step = ONE_DAY if rule == FOLLOWING else -ONE_DAY
    for day in sorted(holidays, reverse=rule == PRECEDING):
        if not _is_weekend(day):
            continue
        candidate = day + step
        while _is_weekend(candidate) or candidate in rest:
            candidate += step
        rest[candidate] = f"{holidays[day]}补假"
    return {day: name for day, name in rest.items() if day.year == year}


def statutory_rest_days(year: int) -> dict[datetime.date, str]:
    """Weekdays and weekend days that are rest days by law alone, with their names: the statutory
    holidays and the days on which those falling on a weekend are made up."""
    return _statutory_rest_days(year, _make_up_rule())


def _margins() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_MARGINS, **conf.calendar_unconfirmed_margins()}


def possible_rest_days(year: int) -> dict[datetime.date, str]:
    """Every day of `year` that the annual schedule may plausibly make a rest day: the statutory
    rest days and each holiday's window. Weekends are rest days anyway and not listed unless in a
    window."""
    margins = _margins()
    possible: dict[datetime.date, str] = {}
    for y in (year - 1, year, year + 1):
        for name, days in festivals(y).items():
            before, after = margins.get(name, (0, 0))
            day, last = min(days) - ONE_DAY * before, max(days) + ONE_DAY * after
            while day <= last:
                possible.setdefault(day, name)
                day += ONE_DAY
    possible.update(statutory_rest_days(year))
    return {day: name for day, name in possible.items() if day.year == year}
