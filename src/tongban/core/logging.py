"""Logging filters: one redacts ID numbers and phone numbers from every log record, one tags the
record of a failed request with the reference its error page showed.

Defence in depth: code should never log personal data, but a library's error message or a stray
f-string might; the first filter masks anything shaped like a citizen ID (18 chars) or a mobile
number.
"""

import logging
import re
import secrets

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2)[-4:], text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def new_error_reference() -> str:
    """A reference a person can read out to the 12345 hotline ("7F3A-9C2B"), random so that it
    says nothing about the request; the log line of the failure carries the same one."""
    digits = secrets.token_hex(4).upper()
    return f"{digits[:4]}-{digits[4:]}"


class ErrorReference(logging.Filter):
    """Django logs an unhandled exception after the 500 page was made (django.request, with the
    request on the record): the page's reference is put at the start of that log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        reference = getattr(getattr(record, "request", None), "error_reference", "")
        if reference and not getattr(record, "error_reference", ""):
            record.error_reference = reference
            record.msg, record.args = f"[ref {reference}] {record.getMessage()}", None
        return True
