"""Parsing of what visitors and clerks send: dates, times, group and item choices."""

import datetime

from django.core.exceptions import ValidationError

from tongban.hall.models import WindowGroup


def parse_day(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationError("请选择预约日期") from None


def parse_time(raw: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationError("请选择预约时段") from None


def parse_slot(raw: str) -> tuple[datetime.date, datetime.time]:
    """A slot key "2026-11-03T09:00"."""
    day, _, start = (raw or "").partition("T")
    return parse_day(day), parse_time(start)


def group_of(hall, raw) -> WindowGroup:
    group = (
        WindowGroup.objects.filter(hall=hall, pk=raw, is_active=True).first()
        if str(raw or "").isdigit()
        else None
    )
    if group is None:
        raise ValidationError("请选择办理业务")
    return group
