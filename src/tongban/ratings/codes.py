"""好差评 codes: the five levels (GB/T 39046 A.8), the indicators in use, the channels, and the
status table of bad-rating handling (差评核实整改) with the moves allowed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):  # 1 is best, as in the national code table
    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


GOOD_LEVELS = (1, 2)  # 好评
BAD_LEVELS = (4, 5)  # 差评


def is_bad(level: int) -> bool:
    return level in BAD_LEVELS


def stars(level: int) -> int:
    """The level as people read it everywhere on the pages: 5 stars = 非常满意, 1 star = 非常不满意
    (the code table counts the other way: 1 is best). Never show the bare code."""
    return 6 - int(level)


def level_from_stars(count: int) -> int:
    """The code-table level for a number of stars (5 → 1 非常满意): an SMS reply counts like the
    stars, "5" is the best."""
    return 6 - int(count)


class Channel(models.TextChoices):
    PC = "pc", _("PC端")
    MOBILE = "mobile", _("移动端")
    QR = "qr", _("二维码")
    TABLET = "tablet", _("大厅平板")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")


# Channels of the web rating page: one initial rating per case across them (switching device does
# not give a second vote); SMS is a separate channel (短信二次评价).
WEB_CHANNELS = (Channel.PC, Channel.MOBILE)

# Indicators (standards §7). "overall" is the rating's own level.
ONLINE_INDICATORS = {
    "overall": _("整体满意度"),
    "efficiency": _("办事效率"),
    "guide_accuracy": _("办事指南精确度"),
    "convenience": _("办事便捷度"),
    "usability": _("平台操作性"),
}
ONSITE_INDICATORS = {
    "overall": _("整体满意度"),
    "service_efficiency": _("服务效率"),
    "service_level": _("服务水平"),
    "attitude": _("服务态度"),
}
ALL_INDICATORS = {**ONLINE_INDICATORS, **ONSITE_INDICATORS}


class BadStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已分派，待核实")
    VERIFIED = "verified", _("已核实回访，待处理")
    FIXED = "fixed", _("已立即整改")
    LEDGER = "ledger", _("整改台账，整改中")
    RECTIFIED = "rectified", _("已整改完成")
    EXPLAINED = "explained", _("已解释说明")
    APPEALED = "appealed", _("已申诉，待监察裁定")
    UPHELD = "upheld", _("申诉成立，差评不计入")
    OVERTURNED = "overturned", _("申诉不成立，待处理")


class Classification(models.TextChoices):
    IMMEDIATE = "immediate", "诉求明确合理，立即整改"
    COMPLEX = "complex", "情况复杂，列入整改台账"
    NO_BASIS = "no_basis", "诉求缺乏法定依据，解释说明"
    MALICIOUS = "malicious", "恶意或错误差评，提出申诉"


DEPARTMENT, SUPERVISOR, SYSTEM = "department", "supervisor", "system"

# (from, to) → who may make the move. A move not listed is refused.
TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (BadStatus.ASSIGNED, BadStatus.VERIFIED): {DEPARTMENT},
    (BadStatus.VERIFIED, BadStatus.FIXED): {DEPARTMENT},
    (BadStatus.VERIFIED, BadStatus.LEDGER): {DEPARTMENT},
    (BadStatus.VERIFIED, BadStatus.EXPLAINED): {DEPARTMENT},
    (BadStatus.VERIFIED, BadStatus.APPEALED): {DEPARTMENT},
    (BadStatus.LEDGER, BadStatus.RECTIFIED): {DEPARTMENT},
    (BadStatus.APPEALED, BadStatus.UPHELD): {SUPERVISOR},
    (BadStatus.APPEALED, BadStatus.OVERTURNED): {SUPERVISOR},
    # an appeal that fails leaves the department to fix, rectify or explain (no second appeal)
    (BadStatus.OVERTURNED, BadStatus.FIXED): {DEPARTMENT},
    (BadStatus.OVERTURNED, BadStatus.LEDGER): {DEPARTMENT},
    (BadStatus.OVERTURNED, BadStatus.EXPLAINED): {DEPARTMENT},
}

CLASSIFICATION_TARGET = {
    Classification.IMMEDIATE: BadStatus.FIXED,
    Classification.COMPLEX: BadStatus.LEDGER,
    Classification.NO_BASIS: BadStatus.EXPLAINED,
    Classification.MALICIOUS: BadStatus.APPEALED,
}

OPEN = {
    BadStatus.ASSIGNED,
    BadStatus.VERIFIED,
    BadStatus.LEDGER,
    BadStatus.APPEALED,
    BadStatus.OVERTURNED,
}
# Handled: the rater has been told the result and may rate it.
RESOLVED = {BadStatus.FIXED, BadStatus.RECTIFIED, BadStatus.EXPLAINED}
# Open and on the department's clock (an appeal waits for the supervisor).
ON_CLOCK = OPEN - {BadStatus.APPEALED}
