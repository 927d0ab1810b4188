"""Due dates of a case, derived from the columns fixed at acceptance, the suspension and extension
rows and the working-day calendar.

A special procedure of 行政许可法 art. 45 (听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审) stops
the clock from its start day (inclusive) until its end day (exclusive): its length is the number of
working days in [started_on, ended_on); a 实地核查 is recorded and stops nothing. While one is open, the days up
to and including today count as stopped, so the due date moves one working day for every working
day the procedure lasts and the days left stay the same.
"""

import datetime
from dataclasses import dataclass

from tongban.catalog.codes import LimitUnit
from tongban.core import workdays

ONE_DAY = datetime.timedelta(days=1)


def base_due_date(
    calendar: workdays.Calendar, accepted_on: datetime.date, amount: int | None, unit: str
) -> datetime.date | None:
    """行政许可法 art. 82: working days; a limit in natural days that ends on a rest day ends on
    the next working day (民法典 art. 203). The starting day is never counted."""
    if amount is None:
        return None
    if unit == LimitUnit.NATURAL_DAYS:
        return calendar.add_working_days(accepted_on + datetime.timedelta(days=amount), 0)
    return calendar.add_working_days(accepted_on, amount)


def limit_text(amount: int | None, unit: str) -> str:
    """A time limit as the catalogue states it: "15个自然日" stays natural days."""
    if amount is None:
        return "—"
    return f"{amount}个{'自然日' if unit == LimitUnit.NATURAL_DAYS else '工作日'}"


def legal_limit_text(case) -> str:
    version = case.application.item_version
    return limit_text(version.legal_limit, version.legal_limit_unit)


def promised_limit_text(case) -> str:
    version = case.application.item_version
    if version.promised_limit is None:  # the promised date is then the statutory one
        return legal_limit_text(case)
    return limit_text(version.promised_limit, version.promised_limit_unit)


def unconfirmed_years(case, calendar: workdays.Calendar) -> list[int]:
    """Years of the case's period whose holiday schedule is not confirmed."""
    if not case.accepted_on:
        return []
    dates = [case.legal_due_date, case.promised_due_date, case.effective_due_date]
    return calendar.unconfirmed_between(case.accepted_on, max(filter(None, dates), default=None))


def unconfirmed_note(case, calendar: workdays.Calendar) -> str:
    years = unconfirmed_years(case, calendar)
    if not years:
        return ""
    return (
        f"{'、'.join(str(y) for y in years)}年的国务院节假日安排尚未确认，上述日期暂按《全国年节及纪念日"
        "放假办法》规定的法定节假日及补假推算（未确认）；安排公布后日期如有变动，将另行告知。"
    )


def stopped_working_days(
    calendar: workdays.Calendar,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    today: datetime.date,
) -> int:
    """Working days in [started_on, ended_on), or in [started_on, today] while still open."""
    last = (ended_on - ONE_DAY) if ended_on else today
    if last < started_on:
        return 0
    return calendar.working_days_between(started_on - ONE_DAY, last)


@dataclass
class Deadlines:
    legal_due: datetime.date | None
    promised_due: datetime.date | None
    stopped_days: int
    extension_days: int
    suspended: bool

    def days_left(self, calendar: workdays.Calendar, today: datetime.date) -> int | None:
        """Working days from today to the promised due date; negative once overdue."""
        due = self.promised_due
        if due is None:
            return None
        if due >= today:
            return calendar.working_days_between(today, due)
        return -calendar.working_days_between(due, today)


def compute(case, calendar: workdays.Calendar, today: datetime.date) -> Deadlines:
    # Only the procedures of 行政许可法 art. 45 stop the clock; a 实地核查 is on record only.
    suspensions = [s for s in case.suspensions.all() if s.stops_clock]
    stopped = sum(
        s.working_days
        if s.working_days is not None
        else stopped_working_days(calendar, s.started_on, s.ended_on, today)
        for s in suspensions
    )
    extension = getattr(case, "extension", None)
    extra = stopped + (extension.working_days if extension else 0)

    def moved(due):
        return calendar.add_working_days(due, extra) if due and extra else due

    return Deadlines(
        legal_due=moved(case.legal_due_date),
        promised_due=moved(case.promised_due_date),
        stopped_days=stopped,
        extension_days=extension.working_days if extension else 0,
        suspended=any(s.ended_on is None for s in suspensions),
    )
