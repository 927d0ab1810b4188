"""What the seal service modules share: limits, the reference of a signed object, dates."""

import datetime

from django.utils import timezone

MAX_VALID_DAYS = 3650
DEFAULT_VALID_DAYS = 3 * 365
PDF_MAGIC = b"%PDF-"


def related_ref(related) -> tuple[str, str]:
    """A model instance, a (type, id) pair or None → (type, id) strings for the use log."""
    if related is None:
        return "", ""
    if isinstance(related, tuple | list):
        return str(related[0]), str(related[1])
    return related._meta.label_lower, str(related.pk)


def _format_date(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"
