"""The documented ranges of what the API and the pages accept (docs/security.md, ASVS V5.1.4).

Checked at the edge, with a Chinese message, so nothing out of range reaches the database or the
date arithmetic (where it would be a server error): ids fit a signed 64-bit column, counts and
small numbers a 32-bit one, dates lie in the years the platform deals with.
"""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

ID_MAX = 2**63 - 1  # BigAutoField, on SQLite and PostgreSQL alike
INT_MAX = 2**31 - 1  # a plain IntegerField on PostgreSQL
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
# Path segments that name a row by its number: at most 18 digits, so always below ID_MAX.
ID_PATTERN = r"[0-9]{1,18}"


def id_field(**kwargs) -> serializers.IntegerField:
    """An object's number (its primary key)."""
    return serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        error_messages={
            "invalid": _("编号应为正整数"),
            "min_value": _("编号应为正整数"),
            "max_value": _("编号超出范围"),
            "max_string_length": _("编号超出范围"),
        },
        **kwargs,
    )


class BoundedDateField(serializers.DateField):
    """A date from EARLIEST_DATE to LATEST_DATE (or narrower), as YYYY-MM-DD."""

    def __init__(self, *, earliest=EARLIEST_DATE, latest=LATEST_DATE, **kwargs):
        self.earliest, self.latest = earliest, latest
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("invalid", _("日期格式应为 YYYY-MM-DD"))
        span = f"{earliest.isoformat()} 至 {latest.isoformat()}"
        kwargs["help_text"] = "；".join(filter(None, [kwargs.get("help_text"), f"范围 {span}"]))
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not self.earliest <= date <= self.latest:
            raise serializers.ValidationError(
                _("日期应在 %(earliest)s 至 %(latest)s 之间")
                % {"earliest": self.earliest.isoformat(), "latest": self.latest.isoformat()}
            )
        return date
