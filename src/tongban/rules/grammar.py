"""The rule format: a typed expression tree stored as JSON, and its validation.

A rule set's definition is

    {"constants": {"MIN_AGE": {"type": "number", "value": 21, "label": "最低年龄"}},
     "root": <node>}

    node   := {"all": [node, …]} | {"any": [node, …]} | {"not": node} | clause
    clause := {"clause": "age", "label": "年满21周岁", "basis": "《…》第十四条", "test": expr}
    expr   := literal | {"date": "2026-01-01"} | {"list": [literal, …]}
            | {"var": "form.birth_date"} | {"const": "MIN_AGE"} | {"op": NAME, "args": [expr, …]}

Clauses are the labelled units a person reads in a review report: each carries its Chinese label
and legal basis, and the trace reports each one. Inside a clause, `test` is a boolean expression over
data elements (a form field, or a data item of an exchange resource), constants and literals.

Logic is three-valued (Kleene): a missing datum makes a comparison unknown, `and` is false as soon
as one side is false, `or` true as soon as one side is true. An unknown outcome never approves.

Both evaluators (interpreter.py per case, bulk.py over a table) give the same meaning to every
operator listed in OPS; tests/test_parity.py generates rule sets and data to show it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

NUMBER, STRING, DATE, BOOL, LIST = "number", "string", "date", "bool", "list"
TYPES = {NUMBER: "数值", STRING: "文本", DATE: "日期", BOOL: "是/否", LIST: "列表"}
TYPE_LABELS = TYPES

# Working days are counted through the platform calendar within this window around the reference
# date (both evaluators): a span outside it is unknown rather than guessed.
WORKDAY_WINDOW_YEARS_BACK = 20
WORKDAY_WINDOW_YEARS_AHEAD = 5
MAX_DEPTH = 12
MAX_CLAUSES = 200
MAX_LIST = 500
CLAUSE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
ELEMENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){1,3}$")


@dataclass(frozen=True)
class Op:
    label: str
    args: tuple[str, ...] | None  # argument types; None: any number of BOOL
    result: str
    comparable: bool = False  # args must share one type (number, date or string)


# Operators. "T" stands for one comparable type shared by the arguments.
OPS: dict[str, Op] = {
    "eq": Op("等于", ("T", "T"), BOOL, comparable=True),
    "ne": Op("不等于", ("T", "T"), BOOL, comparable=True),
    "lt": Op("小于", ("T", "T"), BOOL, comparable=True),
    "le": Op("不大于", ("T", "T"), BOOL, comparable=True),
    "gt": Op("大于", ("T", "T"), BOOL, comparable=True),
    "ge": Op("不小于", ("T", "T"), BOOL, comparable=True),
    "between": Op("介于（含两端）", ("T", "T", "T"), BOOL, comparable=True),
    "in": Op("属于", ("T", LIST), BOOL, comparable=True),
    "not_in": Op("不属于", ("T", LIST), BOOL, comparable=True),
    "starts_with": Op("以…开头", (STRING, STRING), BOOL),
    "exists": Op("有数据", ("ANY",), BOOL),
    "any_in": Op("列表中有任一属于", (LIST, LIST), BOOL),
    "count": Op("个数", (LIST,), NUMBER),
    "and": Op("并且", None, BOOL),
    "or": Op("或者", None, BOOL),
    "not": Op("并非", (BOOL,), BOOL),
    "add": Op("加", (NUMBER, NUMBER), NUMBER),
    "sub": Op("减", (NUMBER, NUMBER), NUMBER),
    "mul": Op("乘", (NUMBER, NUMBER), NUMBER),
    "as_of": Op("基准日", (), DATE),
    "birth_date": Op("身份证号码中的出生日期", (STRING,), DATE),
    "years_between": Op("相隔整年数", (DATE, DATE), NUMBER),
    "days_between": Op("相隔天数", (DATE, DATE), NUMBER),
    "workdays_between": Op("相隔工作日数", (DATE, DATE), NUMBER),
    "add_days": Op("日期加天数", (DATE, NUMBER), DATE),
}
COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge"}
ORDERED = {NUMBER, DATE}  # lt/le/gt/ge/between need an order that means something to people


@dataclass(frozen=True)
class Element:
    """A data element a rule may read: its type, and the values of its code table if it has one."""

    name: str
    type: str
    label: str = ""
    codes: tuple = ()
    item_type: str = STRING  # for LIST elements: the type of the items


@dataclass
class Problems:
    errors: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.errors.append(f"{path}：{message}" if path else message)

    def __bool__(self) -> bool:
        return bool(self.errors)


def parse_date(text) -> datetime.date | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def literal_type(value) -> str | None:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    return None


class Validator:
    """Type-checks a definition against the declared elements; collects every problem in Chinese."""

    def __init__(self, elements: dict[str, Element]):
        self.elements = elements
        self.problems = Problems()
        self.constants: dict[str, tuple[str, object]] = {}
        self.clause_ids: list[str] = []

    # --- the whole definition ---------------------------------------------------------------------

    def validate(self, definition) -> Problems:
        if not isinstance(definition, dict):
            self.problems.add("", "规则定义应为对象")
            return self.problems
        unknown = set(definition) - {"constants", "root"}
        if unknown:
            self.problems.add("", f"未知的键：{'、'.join(sorted(unknown))}")
        self._constants(definition.get("constants") or {})
        if "root" not in definition:
            self.problems.add("", "缺少规则（root）")
            return self.problems
        self._node(definition["root"], "规则", depth=0)
        if not self.clause_ids:
            self.problems.add("", "规则至少需要一个条款")
        if len(self.clause_ids) > MAX_CLAUSES:
            self.problems.add("", f"条款不能超过{MAX_CLAUSES}个")
        if not self.problems:
            find_contradictions(definition["root"], self.problems)
        return self.problems

    def _constants(self, constants) -> None:
        if not isinstance(constants, dict):
            self.problems.add("常量", "应为对象")
            return
        for name, spec in constants.items():
            path = f"常量 {name}"
            if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,39}", str(name)):
                self.problems.add(path, "名称只能用大写字母、数字和下划线，以字母开头")
                continue
            if not isinstance(spec, dict) or spec.get("type") not in (NUMBER, STRING, DATE, BOOL):
                self.problems.add(path, "应写明类型（数值、文本、日期或是/否）和值")
                continue
            value = spec.get("value")
            kind = spec["type"]
            if kind == DATE:
                if parse_date(value) is None:
                    self.problems.add(path, "日期应写作 YYYY-MM-DD")
                    continue
                value = parse_date(value)
            elif literal_type(value) != kind:
                self.problems.add(path, f"值应为{TYPES[kind]}")
                continue
            self.constants[name] = (kind, value)

    # --- nodes -------------------------------------------------------------------------------------

    def _node(self, node, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.problems.add(path, f"嵌套不能超过{MAX_DEPTH}层")
            return
        if not isinstance(node, dict):
            self.problems.add(path, "应为条款或条款组")
            return
        if "clause" in node:
            self._clause(node, path)
        elif set(node) == {"all"} or set(node) == {"any"}:
            key = "all" if "all" in node else "any"
            children = node[key]
            if not isinstance(children, list) or not children:
                self.problems.add(path, "条款组不能为空")
                return
            for index, child in enumerate(children, 1):
                self._node(child, f"{path}/{index}", depth + 1)
        elif set(node) == {"not"}:
            self._node(node["not"], f"{path}/非", depth + 1)
        else:
            self.problems.add(path, "应为条款（clause）或条款组（all、any、not）")

    def _clause(self, node, path: str) -> None:
        clause_id = node.get("clause")
        unknown = set(node) - {"clause", "label", "basis", "test"}
        if unknown:
            self.problems.add(path, f"未知的键：{'、'.join(sorted(unknown))}")
        if not isinstance(clause_id, str) or not CLAUSE_ID.match(clause_id):
            self.problems.add(
                path, "条款编号应以字母开头，只含字母、数字和下划线（不超过40个字符）"
            )
            return
        path = f"条款 {clause_id}"
        if clause_id in self.clause_ids:
            self.problems.add(path, "条款编号重复")
        self.clause_ids.append(clause_id)
        if not str(node.get("label") or "").strip():
            self.problems.add(path, "请填写条款说明")
        if "test" not in node:
            self.problems.add(path, "缺少判断条件")
            return
        kind = self.type_of(node["test"], path, depth=0)
        if kind is not None and kind != BOOL:
            self.problems.add(path, "判断条件的结果应为是/否")

    # --- expressions -------------------------------------------------------------------------------

    def type_of(self, expr, path: str, depth: int) -> str | None:
        """The expression's type, or None after recording why it has none."""
        if depth > MAX_DEPTH:
            self.problems.add(path, f"表达式嵌套不能超过{MAX_DEPTH}层")
            return None
        kind = literal_type(expr)
        if kind is not None:
            return kind
        if not isinstance(expr, dict) or len(expr) not in (1, 2):
            self.problems.add(path, f"无法识别的表达式：{str(expr)[:40]}")
            return None
        if "var" in expr:
            element = self.elements.get(expr["var"])
            if element is None:
                self.problems.add(path, f"未知的数据项“{expr['var']}”")
                return None
            return element.type
        if "const" in expr:
            constant = self.constants.get(expr["const"])
            if constant is None:
                self.problems.add(path, f"未定义的常量“{expr['const']}”")
                return None
            return constant[0]
        if "date" in expr:
            if parse_date(expr["date"]) is None:
                self.problems.add(path, "日期应写作 YYYY-MM-DD")
                return None
            return DATE
        if "list" in expr:
            return self._list_literal(expr["list"], path)
        if "op" in expr:
            return self._operation(expr, path, depth)
        self.problems.add(path, f"无法识别的表达式：{str(expr)[:40]}")
        return None

    def _list_literal(self, items, path: str) -> str | None:
        if not isinstance(items, list) or not items:
            self.problems.add(path, "列表不能为空")
            return None
        if len(items) > MAX_LIST:
            self.problems.add(path, f"列表不能超过{MAX_LIST}项")
            return None
        kinds = {literal_type(item) for item in items}
        if len(kinds) != 1 or None in kinds or BOOL in kinds:
            self.problems.add(path, "列表中的值应同为数值或同为文本")
            return None
        return LIST

    def list_item_type(self, expr) -> str | None:
        if isinstance(expr, dict) and "list" in expr:
            return literal_type(expr["list"][0])
        if isinstance(expr, dict) and "var" in expr:
            return self.elements[expr["var"]].item_type
        return None

    def _operation(self, expr, path: str, depth: int) -> str | None:
        name = expr["op"]
        op = OPS.get(name)
        if op is None:
            self.problems.add(path, f"未知的运算“{name}”")
            return None
        args = expr.get("args", [])
        if not isinstance(args, list):
            self.problems.add(path, f"“{op.label}”的参数应为列表")
            return None
        here = f"{path}（{op.label}）"
        if op.args is None:  # and / or
            if len(args) < 2:
                self.problems.add(here, "至少需要两个条件")
                return None
            kinds = [self.type_of(arg, here, depth + 1) for arg in args]
            if any(kind not in (BOOL, None) for kind in kinds):
                self.problems.add(here, "每个条件的结果应为是/否")
                return None
            return BOOL if None not in kinds else None
        if len(args) != len(op.args):
            self.problems.add(here, f"需要{len(op.args)}个参数，实际为{len(args)}个")
            return None
        kinds = [self.type_of(arg, here, depth + 1) for arg in args]
        if None in kinds:
            return None
        if name == "exists":
            if not (isinstance(args[0], dict) and "var" in args[0]):
                self.problems.add(here, "只能判断数据项是否有数据")
                return None
            return BOOL
        if op.comparable:
            return self._comparison(name, op, args, kinds, here)
        for expected, kind in zip(op.args, kinds, strict=True):
            if expected != kind:
                self.problems.add(here, f"参数应为{TYPES[expected]}，实际为{TYPES[kind]}")
                return None
        if name == "any_in" and not (isinstance(args[1], dict) and "list" in args[1]):
            self.problems.add(here, "第二个参数应为值的列表")
            return None
        if name == "any_in" and self.list_item_type(args[0]) != self.list_item_type(args[1]):
            self.problems.add(here, "两个列表中值的类型不同")
            return None
        return op.result

    def _comparison(self, name, op, args, kinds, here) -> str | None:
        shared = kinds[0]
        others = kinds[1:] if name not in ("in", "not_in") else []
        if name in ("in", "not_in"):
            if kinds[1] != LIST or not (isinstance(args[1], dict) and "list" in args[1]):
                self.problems.add(here, "第二个参数应为值的列表")
                return None
            if self.list_item_type(args[1]) != shared:
                self.problems.add(here, f"列表中的值应为{TYPES.get(shared, shared)}")
                return None
        if any(kind != shared for kind in others):
            self.problems.add(here, f"比较的两边类型不同（{'、'.join(TYPES[k] for k in kinds)}）")
            return None
        if shared in (LIST, BOOL) and name not in ("eq", "ne"):
            self.problems.add(here, f"{TYPES[shared]}不能这样比较")
            return None
        if shared == LIST:
            self.problems.add(here, "列表不能直接比较，请用“个数”或“列表中有任一属于”")
            return None
        if name in ("lt", "le", "gt", "ge", "between") and shared not in ORDERED:
            self.problems.add(here, "只有数值和日期可以比较大小")
            return None
        self._check_codes(name, args, here)
        if name == "between":
            low, high = (
                constant_value(args[1], self.constants),
                constant_value(args[2], self.constants),
            )
            if low is not None and high is not None and low > high:
                self.problems.add(here, "下限大于上限，条件自相矛盾，永远不会成立")
        return BOOL

    def _check_codes(self, name, args, here) -> None:
        """A literal compared with a coded element must be one of its code-table values."""
        subject = args[0]
        if not (isinstance(subject, dict) and "var" in subject):
            return
        codes = self.elements[subject["var"]].codes
        if not codes:
            return
        if name in ("in", "not_in"):
            values = args[1]["list"]
        elif name in ("eq", "ne"):
            values = [args[1]] if literal_type(args[1]) is not None else []
        else:
            values = []
        wrong = [str(value) for value in values if value not in codes]
        if wrong:
            self.problems.add(here, f"“{'、'.join(wrong)}”不在数据项的代码表中")


def constant_value(expr, constants: dict):
    """The value of a literal or named constant (None for anything that depends on data)."""
    if literal_type(expr) in (NUMBER, STRING):
        return expr
    if isinstance(expr, dict) and "date" in expr:
        return parse_date(expr["date"])
    if isinstance(expr, dict) and "const" in expr and expr["const"] in constants:
        return constants[expr["const"]][1]
    return None


# --- contradictions -------------------------------------------------------------------------------

_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq"}


def _bounds(test) -> list[tuple[str, str, object]]:
    """(element, operator, literal) facts a clause's test asserts together: a plain comparison of an
    element with a literal, or an `and` of such comparisons."""
    if not isinstance(test, dict) or "op" not in test:
        return []
    if test["op"] == "and":
        return [fact for arg in test["args"] for fact in _bounds(arg)]
    args = test.get("args", [])
    if test["op"] in _FLIP and len(args) == 2:
        left, right = args
        if isinstance(left, dict) and "var" in left and literal_type(right) == NUMBER:
            return [(left["var"], test["op"], right)]
        if isinstance(right, dict) and "var" in right and literal_type(left) == NUMBER:
            return [(right["var"], _FLIP[test["op"]], left)]
    if test["op"] == "between" and isinstance(args[0], dict) and "var" in args[0]:
        low, high = args[1], args[2]
        if literal_type(low) == NUMBER and literal_type(high) == NUMBER:
            return [(args[0]["var"], "ge", low), (args[0]["var"], "le", high)]
    return []


def _empty(facts: list[tuple[str, object]]) -> bool:
    low, low_open, high, high_open = float("-inf"), False, float("inf"), False
    for operator, value in facts:
        if operator in ("gt", "ge", "eq") and (value > low or (value == low and operator == "gt")):
            low, low_open = value, operator == "gt"
        if operator in ("lt", "le", "eq") and (
            value < high or (value == high and operator == "lt")
        ):
            high, high_open = value, operator == "lt"
    return low > high or (low == high and (low_open or high_open))


def find_contradictions(node, problems: Problems) -> None:
    """Clauses joined by `all` that bound one element to ranges with nothing in common can never
    all hold: the group is unreachable. (A plain range check, not a solver: it catches the slips
    people make, such as 年龄 ≥ 60 together with 年龄 < 18.)"""
    if not isinstance(node, dict):
        return
    if "all" in node:
        facts: dict[str, list[tuple[str, object]]] = {}
        owners: dict[str, list[str]] = {}
        for child in node["all"]:
            if "clause" in child:
                for element, operator, value in _bounds(child["test"]):
                    facts.setdefault(element, []).append((operator, value))
                    owners.setdefault(element, []).append(child["clause"])
        for element, element_facts in facts.items():
            if _empty(element_facts):
                clauses = "、".join(dict.fromkeys(owners[element]))
                problems.add(
                    f"条款 {clauses}", f"对“{element}”的要求互相矛盾，这组条款永远不会同时成立"
                )
    for key in ("all", "any"):
        for child in node.get(key, []):
            find_contradictions(child, problems)
    if "not" in node:
        find_contradictions(node["not"], problems)
    if "clause" in node:
        single: list[tuple[str, object]] = [(op, v) for _, op, v in _bounds(node["test"])]
        elements = {e for e, _, _ in _bounds(node["test"])}
        if len(elements) == 1 and _empty(single):
            problems.add(f"条款 {node['clause']}", "条件自相矛盾，永远不会成立")


# --- walking ------------------------------------------------------------------------------------


def clauses(node) -> list[dict]:
    """Every clause of a tree, in document order."""
    if "clause" in node:
        return [node]
    if "not" in node:
        return clauses(node["not"])
    return [found for child in node.get("all", node.get("any", [])) for found in clauses(child)]


def variables(expr) -> list[str]:
    """The data elements an expression reads, in order, without repeats."""
    found: list[str] = []

    def walk(e):
        if isinstance(e, dict):
            if "var" in e:
                found.append(e["var"])
            for arg in e.get("args", []):
                walk(arg)

    walk(expr)
    return list(dict.fromkeys(found))


def validate(definition, elements: dict[str, Element]) -> list[str]:
    """Every problem of a definition, in Chinese; empty when it may be saved."""
    return Validator(elements).validate(definition).errors


def constants_of(definition) -> dict[str, object]:
    """Named constants with their values (dates parsed). Call on a validated definition."""
    values = {}
    for name, spec in (definition.get("constants") or {}).items():
        values[name] = parse_date(spec["value"]) if spec["type"] == DATE else spec["value"]
    return values
