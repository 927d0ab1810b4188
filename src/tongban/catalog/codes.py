"""GB/T 39046 Annex A code tables and the three catalogue codes.

基本编码 (12 chars, inner layout not confirmed: digits and upper-case letters), 实施编码 (31 = the
implementing body's USCC 18 + 行使层级 1 + 基本编码 12) and 业务办理项编码 (33 = 实施编码 + 2 digits).
"""

import re

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.core.identifiers import check_uscc


class ItemType(models.TextChoices):  # Table A.1
    ADMIN_POWER = "00", _("行政权力事项")
    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    COERCION = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    AWARD = "08", _("行政奖励")
    ADJUDICATION = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他类别事项")
    PUBLIC_SERVICE = "20", _("公共服务事项")


class ServiceObject(models.TextChoices):  # Table A.4
    NATURAL_PERSON = "1", _("自然人")
    ENTERPRISE = "2", _("企业法人")
    INSTITUTION = "3", _("事业法人")
    SOCIAL_ORG = "4", _("社会组织法人")
    GOVERNMENT = "5", _("行政机关")
    OTHER = "6", _("其他组织")


class HandlingForm(models.TextChoices):  # Table A.5
    WINDOW = "1", _("窗口办理")
    PC = "2", _("电脑端网上办理")
    MOBILE = "3", _("移动端网上申请")
    EXPRESS = "4", _("快递申请")
    OTHER = "9", _("其他")


class HandlingType(models.TextChoices):  # Table A.6 办件类型
    IMMEDIATE = "1", _("即办件")
    PROMISED = "2", _("承诺件")
    OTHER = "9", _("其他")


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "W", _("工作日")
    NATURAL_DAYS = "N", _("自然日")


class Scope(models.TextChoices):  # 通办范围
    NONE = "", _("不支持通办")
    NATIONAL = "national", _("全国")
    CROSS_PROVINCE = "province", _("跨省")
    CROSS_CITY = "city", _("跨市")
    CROSS_COUNTY = "county", _("跨县")


class PersonTheme(models.TextChoices):  # 自然人服务主题
    BIRTH = "birth", _("生育收养")
    HOUSEHOLD = "household", _("户籍办理")
    EMPLOYMENT = "employment", _("就业创业")
    SOCIAL_SECURITY = "social", _("社会保障")
    HOUSING = "housing", _("住房保障")
    MEDICAL = "medical", _("医疗卫生")
    ELDERLY = "elderly", _("养老服务")
    TRANSPORT = "transport", _("交通出行")
    RETIREMENT = "retire", _("退休养老")


class EnterpriseTheme(models.TextChoices):  # 法人服务主题
    START = "start", _("开办企业")
    PERMITS = "permits", _("准营准办")
    TRANSPORT = "transport", _("交通运输")
    CONSTRUCTION = "build", _("工程建设")
    HEALTH = "health", _("医疗卫生")
    CHANGE = "change", _("变更注销")


BASIC_CODE_RE = re.compile(r"[0-9A-Z]{12}")


def basic_code_problem(code: str) -> str:
    if not code:
        return gettext("请填写基本编码")
    if len(code) != 12:
        return gettext("基本编码应为12位，当前为%(length)d位") % {"length": len(code)}
    if not BASIC_CODE_RE.fullmatch(code):
        return gettext("基本编码只能包含数字和大写字母")
    return ""


def implementation_code(uscc: str, level: int, basic_code: str) -> str:
    return f"{uscc}{level}{basic_code}"


def implementation_code_problem(code: str) -> str:
    """Why a 实施编码 is invalid, or "" when it is well formed."""
    if len(code or "") != 31:
        return gettext("实施编码应为31位，当前为%(length)d位") % {"length": len(code or "")}
    uscc_check = check_uscc(code[:18])
    if not uscc_check.valid:
        return gettext("实施编码前18位应为实施主体统一社会信用代码：%(reason)s") % {
            "reason": uscc_check.reason
        }
    if code[18] not in "1234567":
        return gettext("实施编码第19位应为行使层级代码（1至7）")
    problem = basic_code_problem(code[19:])
    return gettext("实施编码后12位：%(problem)s") % {"problem": problem} if problem else ""


def handling_code_problem(code: str) -> str:
    """Why a 业务办理项编码 is invalid, or "" when it is well formed."""
    if len(code or "") != 33:
        return gettext("业务办理项编码应为33位，当前为%(length)d位") % {"length": len(code or "")}
    problem = implementation_code_problem(code[:31])
    if problem:
        return problem
    if not code[31:].isdigit() or code[31:] == "00":
        return gettext("业务办理项编码最后2位应为01至99")
    return ""


def split_codes(value: str) -> list[str]:
    return [part for part in (value or "").split(",") if part]
