"""Per-case evaluation: the outcome, and a trace of every clause with the values it read.

`evaluate(definition, facts, as_of=…)` walks a validated definition (grammar.py) over one subject's
facts. A fact is a value with where it came from (the form, or an exchange resource + provider +
time); a missing or null fact makes the expressions that read it unknown (three-valued logic), and
an unknown outcome never approves: it routes the case to a person, with the missing data named.

The blocking clause of a rule set that does not pass is found the same way as in bulk.py: in an
`all`, the first child that is not true; in an `any`, its first child; under `not`, its first clause.
"""

from __future__ import annotations

import datetime
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_noop

from tongban.rules import grammar
from tongban.rules.grammar import BOOL, DATE, LIST, NUMBER

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
_ASCII_DIGITS = re.compile(r"^[0-9]{8}$")
# In Chinese as recorded in review reports; pages show them translated (Outcome.label).
OUTCOME_LABELS = {
    PASS: gettext_noop("符合"),
    FAIL: gettext_noop("不符合"),
    UNKNOWN: gettext_noop("无法判断（数据缺失）"),
}


@dataclass(frozen=True)
class Fact:
    value: Any
    source: dict = field(default_factory=dict)  # {"kind": "form"} or {"kind": "exchange", …}


@dataclass
class ClauseTrace:
    clause: str
    label: str
    basis: str
    result: bool | None
    values: list[dict]  # [{"element", "value", "source"}]

    @property
    def outcome(self) -> str:
        return PASS if self.result is True else FAIL if self.result is False else UNKNOWN

    def as_dict(self) -> dict:
        return {
            "clause": self.clause,
            "label": self.label,
            "basis": self.basis,
            "result": self.outcome,
            "values": self.values,
        }


@dataclass
class Outcome:
    outcome: str
    blocking_clause: str | None
    clauses: list[ClauseTrace]

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    @property
    def label(self) -> str:
        """The outcome as a person reads it (符合 / 不符合 / 无法判断), never the code."""
        return gettext(OUTCOME_LABELS[self.outcome])

    @property
    def blocking(self) -> ClauseTrace | None:
        return next((c for c in self.clauses if c.clause == self.blocking_clause), None)

    @property
    def missing(self) -> list[str]:
        """Data elements that were read and had no value."""
        return list(
            dict.fromkeys(
                v["element"] for c in self.clauses for v in c.values if v["value"] is None
            )
        )

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "blocking_clause": self.blocking_clause,
            "clauses": [c.as_dict() for c in self.clauses],
        }


class WorkdayCounter:
    """Working days between two dates through the platform calendar, inside the window the bulk
    evaluator also uses (outside it: unknown)."""

    def __init__(self, as_of: datetime.date, calendar=None):
        from tongban.core import workdays

        self.calendar = calendar or workdays.Calendar()
        self.low = _shift_years(as_of, -grammar.WORKDAY_WINDOW_YEARS_BACK)
        self.high = _shift_years(as_of, grammar.WORKDAY_WINDOW_YEARS_AHEAD)

    def between(self, start: datetime.date, end: datetime.date) -> int | None:
        if not (self.low <= start <= self.high and self.low <= end <= self.high):
            return None
        if end >= start:
            return self._count(start, end)
        return -self._count(end, start)

    def _count(self, start, end) -> int:
        count, current = 0, start
        while current < end:
            current += datetime.timedelta(days=1)
            count += self.calendar.is_working_day(current)
        return count


def _shift_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def coerce(value, kind: str):
    """A fact's raw value (JSON from a form or a provider) as the element's type; None if it does
    not fit, so a wrong type is unknown, never true."""
    if value is None:
        return None
    if kind == DATE:
        if isinstance(value, datetime.date):
            return value
        return grammar.parse_date(value)
    if kind == NUMBER:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return value
        try:
            return float(value) if "." in str(value) else int(str(value))
        except ValueError:
            return None
    if kind == BOOL:
        return value if isinstance(value, bool) else None
    if kind == LIST:
        return list(value) if isinstance(value, list | tuple) else None
    return value if isinstance(value, str) else str(value)


def birth_date_of(number) -> datetime.date | None:
    """The birth date in an 18-digit citizen ID number (GB 11643), or None if it has none."""
    if not isinstance(number, str) or len(number) != 18 or not _ASCII_DIGITS.match(number[6:14]):
        return None
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def years_between(start: datetime.date, end: datetime.date) -> int:
    """Completed years from start to end (an age): negative when end is before start."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _and(values) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


class Interpreter:
    def __init__(
        self, definition: dict, elements: dict[str, grammar.Element], as_of, calendar=None
    ):
        self.definition = definition
        self.elements = elements
        self.as_of = as_of
        self.constants = grammar.constants_of(definition)
        self._workdays = None
        self._calendar = calendar

    def run(self, facts: dict[str, Fact]) -> Outcome:
        self.facts = facts
        traces: list[ClauseTrace] = []
        result = self.node(self.definition["root"], traces)
        outcome = PASS if result is True else FAIL if result is False else UNKNOWN
        blocking = None if result is True else self.blocking(self.definition["root"], traces)
        return Outcome(outcome, blocking, traces)

    # --- nodes -----------------------------------------------------------------------------------

    def node(self, node, traces) -> bool | None:
        if "clause" in node:
            return self.clause(node, traces)
        if "not" in node:
            inner = self.node(node["not"], traces)
            return None if inner is None else not inner
        children = [self.node(child, traces) for child in node.get("all", node.get("any", []))]
        return _and(children) if "all" in node else _or(children)

    def clause(self, node, traces) -> bool | None:
        result = self.expr(node["test"])
        read = [
            {
                "element": name,
                "value": _jsonable(self.fact_value(name)),
                "source": self.facts[name].source if name in self.facts else {},
            }
            for name in grammar.variables(node["test"])
        ]
        traces.append(
            ClauseTrace(node["clause"], node.get("label", ""), node.get("basis", ""), result, read)
        )
        return result

    def blocking(self, node, traces) -> str | None:
        results = {t.clause: t.result for t in traces}
        return self._blocking(node, results)

    def _blocking(self, node, results) -> str:
        if "clause" in node:
            return node["clause"]
        if "not" in node:
            return grammar.clauses(node["not"])[0]["clause"]
        if "any" in node:
            return self._blocking(node["any"][0], results)
        for child in node["all"]:
            if self._value(child, results) is not True:
                return self._blocking(child, results)
        return grammar.clauses(node)[0]["clause"]  # unreachable for a node that is not true

    def _value(self, node, results) -> bool | None:
        if "clause" in node:
            return results[node["clause"]]
        if "not" in node:
            inner = self._value(node["not"], results)
            return None if inner is None else not inner
        values = [self._value(child, results) for child in node.get("all", node.get("any", []))]
        return _and(values) if "all" in node else _or(values)

    # --- expressions ----------------------------------------------------------------------------

    def fact_value(self, name):
        fact = self.facts.get(name)
        element = self.elements[name]
        return None if fact is None else coerce(fact.value, element.type)

    def expr(self, e):
        if grammar.literal_type(e) is not None:
            return e
        if "var" in e:
            return self.fact_value(e["var"])
        if "const" in e:
            return self.constants[e["const"]]
        if "date" in e:
            return grammar.parse_date(e["date"])
        if "list" in e:
            return e["list"]
        return getattr(self, "op_" + e["op"])(e["args"])

    def _args(self, args):
        return [self.expr(arg) for arg in args]

    def _compare(self, args, test):
        left, right = self._args(args)
        return None if left is None or right is None else test(left, right)

    def op_eq(self, args):
        return self._compare(args, lambda a, b: a == b)

    def op_ne(self, args):
        return self._compare(args, lambda a, b: a != b)

    def op_lt(self, args):
        return self._compare(args, lambda a, b: a < b)

    def op_le(self, args):
        return self._compare(args, lambda a, b: a <= b)

    def op_gt(self, args):
        return self._compare(args, lambda a, b: a > b)

    def op_ge(self, args):
        return self._compare(args, lambda a, b: a >= b)

    def op_between(self, args):
        value, low, high = self._args(args)
        above = None if value is None or low is None else low <= value
        below = None if value is None or high is None else value <= high
        return _and([above, below])

    def op_in(self, args):
        value, members = self._args(args)
        return None if value is None else value in members

    def op_not_in(self, args):
        value, members = self._args(args)
        return None if value is None else value not in members

    def op_starts_with(self, args):
        return self._compare(args, lambda a, b: a.startswith(b))

    def op_exists(self, args):
        return self.expr(args[0]) is not None

    def op_any_in(self, args):
        items, members = self._args(args)
        if items is None or members is None:
            return None
        return any(item in members for item in items)

    def op_count(self, args):
        items = self.expr(args[0])
        return None if items is None else len(items)

    def op_and(self, args):
        return _and(self._args(args))

    def op_or(self, args):
        return _or(self._args(args))

    def op_not(self, args):
        value = self.expr(args[0])
        return None if value is None else not value

    def op_add(self, args):
        return self._compare(args, lambda a, b: a + b)

    def op_sub(self, args):
        return self._compare(args, lambda a, b: a - b)

    def op_mul(self, args):
        return self._compare(args, lambda a, b: a * b)

    def op_as_of(self, args):
        return self.as_of

    def op_birth_date(self, args):
        return birth_date_of(self.expr(args[0]))

    def op_years_between(self, args):
        return self._compare(args, years_between)

    def op_days_between(self, args):
        return self._compare(args, lambda a, b: (b - a).days)

    def op_workdays_between(self, args):
        if self._workdays is None:
            self._workdays = WorkdayCounter(self.as_of, self._calendar)
        return self._compare(args, self._workdays.between)

    def op_add_days(self, args):
        day, days = self._args(args)
        if day is None or days is None:
            return None
        try:
            return day + datetime.timedelta(days=int(days))
        except OverflowError:
            return None


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def evaluate(
    definition: dict,
    elements: dict[str, grammar.Element],
    facts: dict[str, Fact],
    *,
    as_of: datetime.date,
    calendar=None,
) -> Outcome:
    """Evaluate a validated definition for one subject. The definition is compiled for this call;
    a published version is evaluated through `published(...)`, compiled once per process."""
    return CompiledRuleSet(definition, elements).run(facts, as_of, calendar)


# --- compiled: the same meaning, the tree turned into closures once per definition -----------------


class _Context:
    """One evaluation: the facts, their coerced values (read once each), the reference date."""

    __slots__ = ("as_of", "calendar", "elements", "facts", "values", "workdays")

    def __init__(self, facts, elements, as_of, calendar):
        self.facts, self.elements, self.as_of = facts, elements, as_of
        self.values: dict = {}
        self.workdays = None
        self.calendar = calendar

    def value(self, name):
        try:
            return self.values[name]
        except KeyError:
            fact = self.facts.get(name)
            found = None if fact is None else coerce(fact.value, self.elements[name].type)
            self.values[name] = found
            return found


def _binary(test):
    def build(args):
        left, right = args

        def run(c):
            a, b = left(c), right(c)
            return None if a is None or b is None else test(a, b)

        return run

    return build


def _between(args):
    value, low, high = args

    def run(c):
        v, lo, hi = value(c), low(c), high(c)
        above = None if v is None or lo is None else lo <= v
        below = None if v is None or hi is None else v <= hi
        return _and([above, below])

    return run


def _membership(inside: bool):
    def build(args):
        value, members = args

        def run(c):
            v = value(c)
            return None if v is None else (v in members(c)) == inside

        return run

    return build


def _any_in(args):
    items, members = args

    def run(c):
        found, wanted = items(c), members(c)
        if found is None or wanted is None:
            return None
        return any(item in wanted for item in found)

    return run


def _workdays(args):
    start, end = args

    def run(c):
        a, b = start(c), end(c)
        if a is None or b is None:
            return None
        if c.workdays is None:
            c.workdays = WorkdayCounter(c.as_of, c.calendar)
        return c.workdays.between(a, b)

    return run


def _add_days(args):
    day, days = args

    def run(c):
        d, n = day(c), days(c)
        if d is None or n is None:
            return None
        try:
            return d + datetime.timedelta(days=int(n))
        except OverflowError:
            return None

    return run


def _count(args):
    (items,) = args

    def run(c):
        found = items(c)
        return None if found is None else len(found)

    return run


def _negate(args):
    (inner,) = args

    def run(c):
        v = inner(c)
        return None if v is None else not v

    return run


def _exists(args):
    (inner,) = args
    return lambda c: inner(c) is not None


_BUILDERS = {
    "eq": _binary(lambda a, b: a == b),
    "ne": _binary(lambda a, b: a != b),
    "lt": _binary(lambda a, b: a < b),
    "le": _binary(lambda a, b: a <= b),
    "gt": _binary(lambda a, b: a > b),
    "ge": _binary(lambda a, b: a >= b),
    "between": _between,
    "in": _membership(True),
    "not_in": _membership(False),
    "starts_with": _binary(lambda a, b: a.startswith(b)),
    "exists": _exists,
    "any_in": _any_in,
    "count": _count,
    "and": lambda args: lambda c: _and([a(c) for a in args]),
    "or": lambda args: lambda c: _or([a(c) for a in args]),
    "not": _negate,
    "add": _binary(lambda a, b: a + b),
    "sub": _binary(lambda a, b: a - b),
    "mul": _binary(lambda a, b: a * b),
    "as_of": lambda args: lambda c: c.as_of,
    "birth_date": lambda args: (lambda inner: lambda c: birth_date_of(inner(c)))(args[0]),
    "years_between": _binary(years_between),
    "days_between": _binary(lambda a, b: (b - a).days),
    "workdays_between": _workdays,
    "add_days": _add_days,
}


class CompiledRuleSet:
    """A validated definition compiled once: every clause's test is a closure, every clause knows
    the elements it reads. `run` gives exactly what `Interpreter.run` gives (the parity test runs
    both through `evaluate`)."""

    def __init__(self, definition: dict, elements: dict[str, grammar.Element]):
        self.definition, self.elements = definition, elements
        self.constants = grammar.constants_of(definition)
        self.clauses = [
            (
                node["clause"],
                node.get("label", ""),
                node.get("basis", ""),
                self._expr(node["test"]),
                grammar.variables(node["test"]),
            )
            for node in grammar.clauses(definition["root"])
        ]
        self._blocker = Interpreter(definition, elements, None)

    def _expr(self, e):
        if grammar.literal_type(e) is not None:
            return lambda c: e
        if "var" in e:
            name = e["var"]
            return lambda c: c.value(name)
        if "const" in e:
            value = self.constants[e["const"]]
            return lambda c: value
        if "date" in e:
            day = grammar.parse_date(e["date"])
            return lambda c: day
        if "list" in e:
            items = e["list"]
            return lambda c: items
        return _BUILDERS[e["op"]]([self._expr(arg) for arg in e["args"]])

    def run(self, facts: dict[str, Fact], as_of, calendar=None, elements=None) -> Outcome:
        """`elements`: the element catalogue to read the facts' types from, when it may have
        changed since the definition was compiled (a kept published version)."""
        context = _Context(facts, self.elements if elements is None else elements, as_of, calendar)
        traces, results = [], {}
        for clause, label, basis, test, names in self.clauses:
            result = test(context)
            results[clause] = result
            read = []
            for name in names:
                fact = facts.get(name)
                read.append(
                    {
                        "element": name,
                        "value": _jsonable(context.value(name)),
                        "source": fact.source if fact is not None else {},
                    }
                )
            traces.append(ClauseTrace(clause, label, basis, result, read))
        root = self.definition["root"]
        result = self._blocker._value(root, results)
        outcome = PASS if result is True else FAIL if result is False else UNKNOWN
        blocking = None if result is True else self._blocker._blocking(root, results)
        return Outcome(outcome, blocking, traces)


# Published versions, compiled once per process. A published version's definition never changes,
# so it is found by the version's identity: no serialising of the tree per call. The identity is
# the version's id with its publication time, checked on every lookup, so a database that hands an
# id out again (rolled-back tests, a restored copy) cannot serve another definition; publishing
# also drops what this process kept under the id (`forget`). Drafts are never kept: each
# evaluation of a draft compiles what it holds now.
_published: dict[int, tuple[object, CompiledRuleSet]] = {}
_published_lock = threading.Lock()
PUBLISHED_KEPT = 256


def published(
    version_id: int, stamp, definition: dict, elements: dict[str, grammar.Element]
) -> CompiledRuleSet:
    """The compiled form of a published version (`stamp`: its publication time)."""
    found = _published.get(version_id)
    if found is not None and found[0] == stamp:
        return found[1]
    rule_set = CompiledRuleSet(definition, elements)
    with _published_lock:
        if len(_published) >= PUBLISHED_KEPT:
            _published.clear()
        _published[version_id] = (stamp, rule_set)
    return rule_set


def forget(version_id: int | None = None) -> None:
    """Drop a version's compiled form from this process (all of them with None)."""
    with _published_lock:
        if version_id is None:
            _published.clear()
        else:
            _published.pop(version_id, None)
