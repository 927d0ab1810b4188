"""Validation rules per data item (check digits, code tables, dates, types, required), shared by
the providers' answers and the bulk loads' quality reports."""

import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from tongban.core import identifiers
from tongban.exchange.models import DataItem, ItemType

Rule = DataItem.Rule


@lru_cache(maxsize=65536)
def subject_problem(subject_kind: str, value: str) -> str:
    """Why `value` is not a well-formed subject identifier ("" when it is)."""
    if subject_kind == "uscc":
        check = identifiers.check_uscc(value)
        return "" if check.valid else f"统一社会信用代码{check.reason}"
    check = identifiers.check_citizen_id(value)
    return "" if check.valid else f"公民身份号码{check.reason}"


def _type_problem(item_type: str, value) -> str:
    if item_type == ItemType.STRING:
        return "" if isinstance(value, str) else "应为文本"
    if item_type == ItemType.BOOLEAN:
        return "" if isinstance(value, bool) or value in ("true", "false") else "应为是或否"
    if item_type == ItemType.INTEGER:
        if isinstance(value, bool):
            return "应为整数"
        try:
            int(str(value))
        except ValueError:
            return "应为整数"
        return ""
    if item_type == ItemType.DECIMAL:
        try:
            Decimal(str(value))
        except InvalidOperation:
            return "应为数字"
        return ""
    if item_type == ItemType.DATE:
        try:
            datetime.date.fromisoformat(str(value))
        except ValueError:
            return "应为日期（YYYY-MM-DD）"
        return ""
    return ""


def value_problem(item: DataItem, value) -> str:
    """Why `value` does not fit `item` ("" when it does). Empty values only fail required items."""
    if value is None or value == "":
        return "必填项为空" if item.required else ""
    problem = _type_problem(item.item_type, value)
    if problem:
        return problem
    if item.rule == Rule.CITIZEN_ID and not identifiers.check_citizen_id(str(value)).valid:
        return "公民身份号码不正确"
    if item.rule == Rule.USCC and not identifiers.check_uscc(str(value)).valid:
        return "统一社会信用代码不正确"
    if item.rule == Rule.CODE_TABLE and str(value) not in item.code_table.split("|"):
        return f"不在代码表内（{item.code_table.replace('|', '、')}）"
    return ""


def record_problems(items: list[DataItem], record: dict) -> dict[str, str]:
    """{item code: problem} for a record; unknown keys are problems too."""
    known = {item.code for item in items}
    problems = {key: "资源中没有此信息项" for key in record if key not in known}
    for item in items:
        problem = value_problem(item, record.get(item.code))
        if problem:
            problems[item.code] = problem
    return problems
