"""Identifier checks with the exact reason in Chinese: citizen ID (GB 11643), USCC (GB 32100),
region codes (GB/T 2260 and 12-digit statistical codes).

Every check returns a `Check`: valid or not, the reason, and what could be read from the value.
The arithmetic comes from python-stdnum; the reasons and the region look-up are ours.
"""

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from tongban.core import pii


class IdType(StrEnum):
    """证件类型 of a holder or applicant, as the 电子证照 and 政务服务 data standards code them."""

    CITIZEN_ID = "111"  # 居民身份证（公民身份号码）
    USCC = "001"  # 统一社会信用代码

    @property
    def label(self) -> str:
        return "公民身份号码" if self is IdType.CITIZEN_ID else "统一社会信用代码"

    @property
    def index_kind(self) -> str:
        """The blind-index kind (core.pii.blind_index) of numbers of this type."""
        return "citizen_id" if self is IdType.CITIZEN_ID else "uscc"


ID_TYPES = tuple(id_type.value for id_type in IdType)  # ("111", "001"), e.g. for form choices


def id_blind_index(id_type: str, id_number: str) -> str:
    """The blind index a holder or subject is found by: citizen IDs and USCCs are indexed apart
    (an unknown type is indexed as a USCC, as the records written so far were)."""
    kind = IdType.CITIZEN_ID.index_kind if id_type == IdType.CITIZEN_ID else IdType.USCC.index_kind
    return pii.blind_index(id_number, kind)


@dataclass
class Check:
    valid: bool
    reason: str = ""
    details: dict = field(default_factory=dict)


# The last character is a check digit: say so in words a person copying from a card understands.
CITIZEN_ID_CHECK_DIGIT = gettext_lazy("身份证号码最后一位不对，请核对")
USCC_CHECK_DIGIT = gettext_lazy("统一社会信用代码最后一位不对，请核对")


def _invalid(reason) -> Check:
    """`reason` in the active language (people read it on forms and in API errors)."""
    return Check(valid=False, reason=str(reason))


# --- Citizen ID (公民身份号码) ------------------------------------------------------------------------


def check_citizen_id(value: str, *, today: datetime.date | None = None) -> Check:
    number = re.sub(r"\s", "", value or "").upper()
    if not number:
        return _invalid(gettext("请输入身份证号码"))
    if len(number) != 18:
        return _invalid(gettext("身份证号码应为18位，当前为%(count)s位") % {"count": len(number)})
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return _invalid(gettext("身份证号码只能包含数字，最后一位可以是X"))
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        return _invalid(gettext("出生日期无效"))
    if birth > (today or datetime.date.today()) or birth.year < 1900:
        return _invalid(gettext("出生日期无效"))
    if not region_ever_existed(number[:6]):
        return _invalid(gettext("行政区划代码不存在"))
    if ric.calc_check_digit(number) != number[-1]:
        return _invalid(CITIZEN_ID_CHECK_DIGIT)
    return Check(
        valid=True,
        details={
            "region_code": number[:6],
            "birth_date": birth.isoformat(),
            "gender": "男" if int(number[16]) % 2 else "女",
        },
    )


@lru_cache(maxsize=8192)
def region_ever_existed(code: str) -> bool:
    """Whether a 6-digit code was ever a county-level code (python-stdnum's GB/T 2260 history).
    Cached: the table is fixed for the process, and a walk through it costs more than the rest of
    an ID number's check (there are about 7,000 county codes ever).

    stdnum's own `get_birth_place` also demands that the code existed in the birth year, but numbers
    were assigned when the card was first issued: a person born in 1950 in 魏都区 (a code since 1986)
    holds a perfectly valid 411002… number. So any period counts.
    """
    from stdnum import numdb

    merged = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return "county" in merged


# --- Unified social credit code (统一社会信用代码) -------------------------------------------------

USCC_REGISTRARS = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def check_uscc(value: str) -> Check:
    code = re.sub(r"[\s-]", "", value or "").upper()
    if not code:
        return _invalid(gettext("请输入统一社会信用代码"))
    if len(code) != 18:
        return _invalid(
            gettext("统一社会信用代码应为18位，当前为%(count)s位") % {"count": len(code)}
        )
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        return _invalid(
            gettext("统一社会信用代码不能包含字符 %(chars)s（不使用 I、O、Z、S、V）")
            % {"chars": "".join(bad)}
        )
    if not code[2:8].isdigit():
        return _invalid(gettext("统一社会信用代码第3至8位应为行政区划代码"))
    if code[0] not in USCC_REGISTRARS:
        return _invalid(gettext("登记管理部门代码（第1位）无效"))
    if uscc.calc_check_digit(code) != code[-1]:
        return _invalid(USCC_CHECK_DIGIT)
    return Check(
        valid=True,
        details={
            "registrar": USCC_REGISTRARS[code[0]],
            "category_code": code[:2],
            "region_code": code[2:8],
        },
    )


def validate_uscc_field(value: str) -> None:
    result = check_uscc(value)
    if not result.valid:
        raise ValidationError(result.reason, code="invalid_uscc")


def validate_citizen_id_field(value: str) -> None:
    result = check_citizen_id(value)
    if not result.valid:
        raise ValidationError(result.reason, code="invalid_citizen_id")


# --- Region codes (GB/T 2260 and statistical codes) ----------------------------------------------


def region_code_shape_problem(code: str) -> str:
    """Why a code cannot be a region code at all, or "" when its shape is right."""
    if not code or not code.isdigit():
        return "行政区划代码只能是数字"
    if len(code) not in (6, 12):
        return "行政区划代码应为6位（县级以上）或12位（乡镇、村）"
    if len(code) == 6 and code[:2] == "00":
        return "省级代码不能为00"
    if len(code) == 12 and (code[6:9] == "000" or code[4:6] == "00"):
        return "12位代码的前6位应为县级代码，第7至9位不能为000"
    return ""


def region_level_and_parent(code: str) -> tuple[int, str]:
    """The level (1–5, see Region.Level) a well-shaped code denotes and its parent's code."""
    if len(code) == 12:
        if code[9:] == "000":
            return 4, code[:6]
        return 5, code[:9] + "000"
    if code[2:] == "0000":
        return 1, ""
    if code[4:] == "00":
        return 2, code[:2] + "0000"
    return 3, code[:4] + "00"


def check_region_code(value: str) -> Check:
    from tongban.core.models import Region  # models import this module

    code = (value or "").strip()
    problem = region_code_shape_problem(code)
    if problem:
        return _invalid(problem)
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    if region is None:
        return _invalid(gettext("行政区划代码不存在"))
    return Check(
        valid=True,
        details={
            "name": region.name,
            "full_name": region.full_name,
            "level": region.get_level_display(),
        },
    )


CHECKS = {"citizen_id": check_citizen_id, "uscc": check_uscc, "region": check_region_code}
