"""The clock of a test: travel to a Beijing date and time, where it stands still."""

import datetime
import zoneinfo

import time_machine

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10, minute: int = 0):
    """Travel to `day` at `hour`:`minute` Beijing time (the clock stands still); use as a context
    manager (`with at(day):`) or a decorator."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING), tick=False
    )
