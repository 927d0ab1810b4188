"""What a recognition says in the person's language.

Reasons are stored as written, in Chinese (the record and the audit keep one language); pages show
them through `translated`: a fixed reason is a gettext message id, a reason with a value in it
(a kind, a percentage, a check's own reason) matches one of the `PATTERNS` and is translated with
its parts translated too.
"""

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N

# Reasons built from parts: the message id, its %(part)s placeholders filled in by the code.
NOT_THIS_KIND = N("这似乎是%(found)s，不是%(wanted)s；请上传正确的材料")
NOT_RECOGNISED = N("没有认出%(wanted)s，请确认证件完整、方向端正后重新拍摄")
LOW_CONFIDENCE = N("识别把握不足（%(score)s），请核对后填写")
FAILED_CHECK = N("%(what)s未通过校验：%(reason)s")
AMBIGUOUS = N("%(what)s未通过校验，且有不止一种可能的更正，请核对后填写")
UNKNOWN_COUNTY = N("“%(county)s”不是已知的县（市、区）")
MANUAL_BECAUSE = N("未能识别，请手动填写：%(reason)s")
PATTERNS = (
    NOT_THIS_KIND,
    NOT_RECOGNISED,
    LOW_CONFIDENCE,
    FAILED_CHECK,
    AMBIGUOUS,
    UNKNOWN_COUNTY,
)


def _regex(message_id: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", message_id)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(f"{regex}$")


_COMPILED = [(message_id, _regex(message_id)) for message_id in PATTERNS]


def translated(text: str) -> str:
    """`text` (a stored reason) in the active language; unknown text is shown as it is."""
    if not text:
        return text
    exact = gettext(text)
    if exact != text:
        return exact
    for message_id, regex in _COMPILED:
        found = regex.match(text)
        if found:
            parts = {name: translated(value) for name, value in found.groupdict().items()}
            return gettext(message_id) % parts
    return text
