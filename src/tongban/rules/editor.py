"""The structured editor's shape: a rule set as rows a person fills in, and back.

A row is one clause: which datum, what is computed from it (its value, an age from an ID number,
years or days since a date, a count), a comparison and its value(s). A group says whether all the
clauses or any one of them must hold. Rule sets written this way cover the demo items; a tree the
rows cannot express (nested groups) is shown read-only and edited through the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.rules import grammar

AS_OF = {"op": "as_of", "args": []}

# What is computed from the datum before comparing: (label, types it applies to, result type).
TRANSFORMS = {
    "value": (
        "数据本身",
        {grammar.NUMBER, grammar.STRING, grammar.DATE, grammar.BOOL, grammar.LIST},
    ),
    "age": ("按身份证号码计算的周岁", {grammar.STRING}),
    "years_since": ("距基准日的整年数", {grammar.DATE}),
    "days_since": ("距基准日的天数", {grammar.DATE}),
    "workdays_since": ("距基准日的工作日数", {grammar.DATE}),
    "days_until": ("基准日距该日期的天数", {grammar.DATE}),
    "count": ("条数", {grammar.LIST}),
}
RESULT_TYPE = {
    "age": grammar.NUMBER,
    "years_since": grammar.NUMBER,
    "days_since": grammar.NUMBER,
    "workdays_since": grammar.NUMBER,
    "days_until": grammar.NUMBER,
    "count": grammar.NUMBER,
}
OPERATORS = {
    "eq": "等于",
    "ne": "不等于",
    "lt": "小于",
    "le": "不大于",
    "gt": "大于",
    "ge": "不小于",
    "between": "介于（含两端）",
    "in": "属于其中之一",
    "not_in": "不属于其中任何一个",
    "starts_with": "以…开头",
    "any_in": "含有其中任一",
    "none_in": "不含其中任何一个",
    "exists": "有数据",
    "missing": "没有数据",
    "is_true": "为“是”",
    "is_false": "为“否”",
}
NO_VALUE = {"exists", "missing", "is_true", "is_false"}
LISTED = {"in", "not_in", "any_in", "none_in"}


def describe(element_label: str, transform: str, operator: str, value: str, value2: str) -> str:
    """The clause as one line a person reads (数据项（计算） 比较 值), as the editor's heading shows it
    while the clause is edited (rules/static/rules/clause_labels.js builds the same line)."""
    parts = [element_label]
    if transform and transform != "value" and transform in TRANSFORMS:
        parts[0] += f"（{TRANSFORMS[transform][0]}）"
    if operator:
        parts.append(OPERATORS.get(operator, operator))
        if operator not in NO_VALUE and value:
            parts.append(f"{value} — {value2}" if operator == "between" and value2 else value)
    return " ".join(p for p in parts if p)


@dataclass
class Row:
    clause: str = ""
    label: str = ""
    basis: str = ""
    element: str = ""
    transform: str = "value"
    operator: str = ""
    value: str = ""
    value2: str = ""


class RowError(ValueError):
    pass


def _subject(row: Row) -> dict:
    var = {"var": row.element}
    if row.transform == "value":
        return var
    if row.transform == "age":
        return {"op": "years_between", "args": [{"op": "birth_date", "args": [var]}, AS_OF]}
    if row.transform == "years_since":
        return {"op": "years_between", "args": [var, AS_OF]}
    if row.transform == "days_since":
        return {"op": "days_between", "args": [var, AS_OF]}
    if row.transform == "workdays_since":
        return {"op": "workdays_between", "args": [var, AS_OF]}
    if row.transform == "days_until":
        return {"op": "days_between", "args": [AS_OF, var]}
    if row.transform == "count":
        return {"op": "count", "args": [var]}
    raise RowError("未知的计算方式")


def _literal(text: str, kind: str, what: str):
    text = (text or "").strip()
    if not text:
        raise RowError(f"请填写{what}")
    if kind == grammar.NUMBER:
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            raise RowError(f"{what}应为数字") from None
    if kind == grammar.DATE:
        if grammar.parse_date(text) is None:
            raise RowError(f"{what}应为日期，如 2026-01-01")
        return {"date": text}
    return text


def _listed(text: str, kind: str) -> dict:
    items = [part.strip() for part in (text or "").replace("，", ",").replace("、", ",").split(",")]
    items = [item for item in items if item]
    if not items:
        raise RowError("请填写取值，多个值用逗号分隔")
    return {"list": [_literal(item, kind, "取值") for item in items]}


def row_to_clause(row: Row, elements: dict[str, grammar.Element]) -> dict:
    """One row as a clause of the rule format; RowError with a Chinese reason if it cannot be."""
    element = elements.get(row.element)
    if element is None:
        raise RowError("请选择数据项")
    if row.transform not in TRANSFORMS or element.type not in TRANSFORMS[row.transform][1]:
        raise RowError(
            f"“{TRANSFORMS.get(row.transform, ('?',))[0]}”不适用于{grammar.TYPES[element.type]}数据"
        )
    if row.operator not in OPERATORS:
        raise RowError("请选择比较方式")
    subject = _subject(row)
    kind = RESULT_TYPE.get(row.transform, element.type)
    operator = row.operator
    if operator in ("exists", "missing"):
        test = {"op": "exists", "args": [{"var": row.element}]}
        if operator == "missing":
            test = {"op": "not", "args": [test]}
    elif operator in ("is_true", "is_false"):
        if kind != grammar.BOOL:
            raise RowError("只有是/否数据可以这样判断")
        test = {"op": "eq", "args": [subject, operator == "is_true"]}
    elif operator in ("any_in", "none_in"):
        if kind != grammar.LIST:
            raise RowError("“含有其中任一”只适用于列表数据")
        test = {"op": "any_in", "args": [subject, _listed(row.value, element.item_type)]}
        if operator == "none_in":
            test = {"op": "not", "args": [test]}
    elif operator in ("in", "not_in"):
        test = {"op": operator, "args": [subject, _listed(row.value, kind)]}
    elif operator == "between":
        low, high = _literal(row.value, kind, "下限"), _literal(row.value2, kind, "上限")
        test = {"op": "between", "args": [subject, low, high]}
    else:
        test = {"op": operator, "args": [subject, _literal(row.value, kind, "比较值")]}
    clause = {"clause": row.clause.strip(), "label": row.label.strip(), "test": test}
    if row.basis.strip():
        clause["basis"] = row.basis.strip()
    return clause


# --- back from the format to rows ------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, dict) and "date" in value:
        return value["date"]
    if isinstance(value, dict) and "list" in value:
        return ", ".join(str(v) for v in value["list"])
    return str(value)


def _transform_of(subject) -> tuple[str, str] | None:
    """(transform, element) of a subject expression the rows can show."""
    for transform in TRANSFORMS:
        if transform == "value":
            if isinstance(subject, dict) and set(subject) == {"var"}:
                return "value", subject["var"]
            continue
        probe = Row(element="__x__", transform=transform)
        shape = _subject(probe)
        found = _match(shape, subject)
        if found:
            return transform, found
    return None


def _match(shape, expr) -> str | None:
    """The element in `expr` where `shape` has the placeholder, if expr has shape's form."""
    if shape == {"var": "__x__"}:
        return expr["var"] if isinstance(expr, dict) and set(expr) == {"var"} else None
    if not (isinstance(shape, dict) and isinstance(expr, dict)) or shape.get("op") != expr.get(
        "op"
    ):
        return None
    if len(shape.get("args", [])) != len(expr.get("args", [])):
        return None
    found = None
    for a, b in zip(shape["args"], expr["args"], strict=True):
        if a == b:
            continue
        inner = _match(a, b)
        if inner is None:
            return None
        found = inner
    return found


def clause_to_row(clause: dict) -> Row | None:
    """The row a clause came from, or None if the rows cannot show it."""
    test = clause["test"]
    row = Row(clause["clause"], clause.get("label", ""), clause.get("basis", ""))
    negated = isinstance(test, dict) and test.get("op") == "not"
    inner = test["args"][0] if negated else test
    if not isinstance(inner, dict) or "op" not in inner:
        return None
    op, args = inner["op"], inner.get("args", [])
    if op == "exists":
        row.element, row.operator = args[0]["var"], "missing" if negated else "exists"
        return row
    if negated and op != "any_in":
        return None
    subject = _transform_of(args[0]) if args else None
    if subject is None:
        return None
    row.transform, row.element = subject
    if op == "any_in":
        row.operator, row.value = ("none_in" if negated else "any_in"), _text(args[1])
    elif op == "eq" and isinstance(args[1], bool):
        row.operator = "is_true" if args[1] else "is_false"
    elif op == "between":
        row.operator, row.value, row.value2 = op, _text(args[1]), _text(args[2])
    elif op in OPERATORS and len(args) == 2:
        row.operator, row.value = op, _text(args[1])
    else:
        return None
    return row


def definition_to_rows(definition: dict) -> tuple[str, list[Row]] | None:
    """('all' | 'any', rows) for a definition of the editor's shape, else None."""
    root = definition.get("root", {})
    if "clause" in root:
        groups = ("all", [root])
    elif set(root) in ({"all"}, {"any"}):
        key = "all" if "all" in root else "any"
        groups = (key, root[key])
    else:
        return None
    rows = []
    for node in groups[1]:
        if "clause" not in node:
            return None
        row = clause_to_row(node)
        if row is None:
            return None
        rows.append(row)
    return groups[0], rows


def build(group: str, clauses: list[dict], constants: dict | None = None) -> dict:
    definition = {"root": {"all" if group == "all" else "any": clauses}}
    if constants:
        definition["constants"] = constants
    return definition
