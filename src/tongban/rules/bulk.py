"""Bulk evaluation: the same rule tree compiled to polars expressions over a table of subjects.

`BulkRuleSet(definition, elements, as_of).evaluate(frame)` returns, for every row, the outcome
(pass / fail / unknown), the blocking clause (as the interpreter finds it) and, with
`explain=True`, each clause's result. The frame has one column per data element the rules read,
named as the element, typed as it is (Date, Int64/Float64, String, Boolean, List).

Nothing is computed twice: every distinct operation of the tree (an age, a period, a comparison)
becomes a column of its own, in stages by depth, so an age that three clauses read is parsed from
the ID number once; each clause is such a column; the groups, the outcome and the blocking clause
are then read from the clause columns. Polars uses
Kleene logic for `&` and `|` on nulls, which is the interpreter's three-valued logic.
"""

from __future__ import annotations

import datetime
import json
from functools import lru_cache, reduce

import polars as pl

from tongban.core import workdays
from tongban.rules import grammar
from tongban.rules.interpreter import FAIL, PASS, UNKNOWN, WorkdayCounter

DTYPES = {
    grammar.NUMBER: pl.Float64,
    grammar.STRING: pl.String,
    grammar.DATE: pl.Date,
    grammar.BOOL: pl.Boolean,
}


def dtype_of(element: grammar.Element):
    if element.type == grammar.LIST:
        return pl.List(DTYPES[element.item_type])
    return DTYPES[element.type]


def _clause_column(clause_id: str) -> str:
    return f"__clause__{clause_id}"


def _not_true(expr: pl.Expr) -> pl.Expr:
    return ~expr.fill_null(False)


class WorkdayIndex:
    """Cumulative working days per date inside the window around the reference date: the number
    of working days between two dates is the difference of their indices (the interpreter counts
    day by day; the result is the same)."""

    def __init__(self, as_of: datetime.date, calendar=None):
        counter = WorkdayCounter(as_of, calendar)
        low, high = counter.low, counter.high
        dates, counts, count = [], [], 0
        day = low
        while day <= high:
            if day > low:
                count += counter.calendar.is_working_day(day)
            dates.append(day)
            counts.append(count)
            day += datetime.timedelta(days=1)
        self.dates, self.counts = dates, counts

    def of(self, expr: pl.Expr) -> pl.Expr:
        return expr.replace_strict(self.dates, self.counts, default=None, return_dtype=pl.Int64)


def _days_from_civil(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Days since 1970-01-01 of a valid date (H. Hinnant's algorithm, floor division)."""
    year = year - (month <= 2).cast(pl.Int64)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + pl.when(month > 2).then(-3).otherwise(9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return (era * 146097 + day_of_era - 719468).cast(pl.Int32)


def _depth(e) -> int:
    """How many operations deep an expression is (leaves and `as_of` count 0)."""
    if not (isinstance(e, dict) and e.get("args")):
        return 0
    return 1 + max(_depth(arg) for arg in e["args"])


@lru_cache(maxsize=8)
def _shared_workday_index(as_of: datetime.date, version) -> WorkdayIndex:
    """Indices are kept per reference date and calendar version: a matching run compiles many
    rule sets for one date, and a calendar correction makes a new version."""
    return WorkdayIndex(as_of)


class BulkRuleSet:
    def __init__(
        self,
        definition: dict,
        elements: dict[str, grammar.Element],
        as_of: datetime.date,
        calendar=None,
    ):
        self.definition = definition
        self.elements = elements
        self.as_of = as_of
        self.constants = grammar.constants_of(definition)
        self.clauses = grammar.clauses(definition["root"])
        self._calendar = calendar
        self._workdays: WorkdayIndex | None = None
        self.columns = list(
            dict.fromkeys(name for c in self.clauses for name in grammar.variables(c["test"]))
        )
        self._memo: dict[str, str] = {}  # an operation's canonical JSON → its column
        self._stages: list[list[pl.Expr]] = []
        self.clause_exprs = [
            self.expr(c["test"]).alias(_clause_column(c["clause"])) for c in self.clauses
        ]
        root = definition["root"]
        value = self.value(root)
        self.outcome_expr = (
            pl.when(value.is_null())
            .then(pl.lit(UNKNOWN))
            .when(value)
            .then(pl.lit(PASS))
            .otherwise(pl.lit(FAIL))
            .alias("outcome")
        )
        self.blocking_expr = (
            pl.when(value.fill_null(False))
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(self.blocking(root))
            .alias("blocking_clause")
        )

    @property
    def clause_count(self) -> int:
        return len(self.clauses)

    def schema(self) -> dict:
        """The columns (and their types) a frame must have."""
        return {name: dtype_of(self.elements[name]) for name in self.columns}

    def evaluate(self, frame: pl.DataFrame | pl.LazyFrame, *, explain: bool = False, keep=()):
        """Outcome and blocking clause per row (plus each clause's result with explain=True);
        `keep` names columns of the frame to carry through, such as the subject's key."""
        staged = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
        for stage in self._stages:
            staged = staged.with_columns(stage)
        staged = staged.with_columns(self.clause_exprs)
        wanted = [*keep, self.outcome_expr, self.blocking_expr]
        if explain:
            wanted += [pl.col(_clause_column(c["clause"])).alias(c["clause"]) for c in self.clauses]
        return staged.select(wanted).collect()

    # --- groups over clause columns ---------------------------------------------------------------

    def value(self, node) -> pl.Expr:
        if "clause" in node:
            return pl.col(_clause_column(node["clause"]))
        if "not" in node:
            return ~self.value(node["not"])
        children = [self.value(child) for child in node.get("all", node.get("any", []))]
        return (
            reduce(lambda a, b: a & b, children)
            if "all" in node
            else reduce(lambda a, b: a | b, children)
        )

    def blocking(self, node) -> pl.Expr:
        if "clause" in node:
            return pl.lit(node["clause"])
        if "not" in node:
            return pl.lit(grammar.clauses(node["not"])[0]["clause"])
        if "any" in node:
            return self.blocking(node["any"][0])
        chain = None
        for child in node["all"]:
            test, then = _not_true(self.value(child)), self.blocking(child)
            chain = pl.when(test).then(then) if chain is None else chain.when(test).then(then)
        return chain.otherwise(pl.lit(grammar.clauses(node)[0]["clause"]))

    # --- expressions --------------------------------------------------------------------------------

    def expr(self, e) -> pl.Expr:
        """An expression's value: a column of its own for an operation (computed once, in the stage
        after its arguments), the literal or the element's column otherwise."""
        if isinstance(e, dict) and "op" in e and e.get("args"):
            key = json.dumps(e, sort_keys=True, ensure_ascii=False)
            name = self._memo.get(key)
            if name is None:
                name = self._memo[key] = f"__op{len(self._memo)}"
                compiled = getattr(self, "op_" + e["op"])(e["args"])
                depth = _depth(e)
                while len(self._stages) < depth:
                    self._stages.append([])
                self._stages[depth - 1].append(compiled.alias(name))
            return pl.col(name)
        return self._leaf(e)

    def _leaf(self, e) -> pl.Expr:
        kind = grammar.literal_type(e)
        if kind is not None:
            return pl.lit(e, dtype=DTYPES[kind])
        if "var" in e:
            return pl.col(e["var"])
        if "const" in e:
            value = self.constants[e["const"]]
            return pl.lit(value, dtype=DTYPES[grammar.literal_type(value) or grammar.DATE])
        if "date" in e:
            return pl.lit(grammar.parse_date(e["date"]), dtype=pl.Date)
        return getattr(self, "op_" + e["op"])(e["args"])

    def _pair(self, args):
        return self.expr(args[0]), self.expr(args[1])

    def op_eq(self, args):
        a, b = self._pair(args)
        return a == b

    def op_ne(self, args):
        a, b = self._pair(args)
        return a != b

    def op_lt(self, args):
        a, b = self._pair(args)
        return a < b

    def op_le(self, args):
        a, b = self._pair(args)
        return a <= b

    def op_gt(self, args):
        a, b = self._pair(args)
        return a > b

    def op_ge(self, args):
        a, b = self._pair(args)
        return a >= b

    def op_between(self, args):
        value, low, high = (self.expr(arg) for arg in args)
        return (value >= low) & (value <= high)

    def op_in(self, args):
        return self.expr(args[0]).is_in(args[1]["list"])

    def op_not_in(self, args):
        return ~self.expr(args[0]).is_in(args[1]["list"])

    def op_starts_with(self, args):
        a, b = self._pair(args)
        return a.str.starts_with(b)

    def op_exists(self, args):
        return self.expr(args[0]).is_not_null()

    def op_any_in(self, args):
        members = args[1]["list"]
        return self.expr(args[0]).list.eval(pl.element().is_in(members)).list.any()

    def op_count(self, args):
        return self.expr(args[0]).list.len().cast(pl.Int64)

    def op_and(self, args):
        return reduce(lambda a, b: a & b, (self.expr(arg) for arg in args))

    def op_or(self, args):
        return reduce(lambda a, b: a | b, (self.expr(arg) for arg in args))

    def op_not(self, args):
        return ~self.expr(args[0])

    def op_add(self, args):
        a, b = self._pair(args)
        return a + b

    def op_sub(self, args):
        a, b = self._pair(args)
        return a - b

    def op_mul(self, args):
        a, b = self._pair(args)
        return a * b

    def op_as_of(self, args):
        return pl.lit(self.as_of, dtype=pl.Date)

    def op_birth_date(self, args):
        # Integer arithmetic instead of parsing text as a date (several times faster): read
        # YYYYMMDD as a number, check the month and the day against the month's length, and count
        # the days since 1970-01-01 (the proleptic Gregorian calendar, as Python's dates).
        number = self.expr(args[0])
        digits = number.str.slice(6, 8)
        value = digits.cast(pl.Int64, strict=False)
        year, month, day = value // 10000, value // 100 % 100, value % 100
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        month_length = (
            pl.when(month == 2)
            .then(28 + leap.cast(pl.Int64))
            .when(month.is_in([4, 6, 9, 11]))
            .then(30)
            .otherwise(31)
        )
        readable = (
            (number.str.len_chars() == 18)
            & digits.str.contains(r"^[0-9]{8}$")
            & (year >= 1)
            & month.is_between(1, 12)
            & day.is_between(1, month_length)
        )
        return pl.when(readable).then(_days_from_civil(year, month, day).cast(pl.Date))

    def op_years_between(self, args):
        start, end = self._pair(args)
        years = end.dt.year().cast(pl.Int64) - start.dt.year().cast(pl.Int64)
        before_anniversary = (end.dt.month().cast(pl.Int64) * 100 + end.dt.day()) < (
            start.dt.month().cast(pl.Int64) * 100 + start.dt.day()
        )
        return years - before_anniversary.cast(pl.Int64)

    def op_days_between(self, args):
        start, end = self._pair(args)
        return (end - start).dt.total_days().cast(pl.Int64)

    def op_workdays_between(self, args):
        if self._workdays is None:
            self._workdays = (
                WorkdayIndex(self.as_of, self._calendar)
                if self._calendar is not None
                else _shared_workday_index(self.as_of, workdays.calendar_version())
            )
        start, end = self._pair(args)
        return self._workdays.of(end) - self._workdays.of(start)

    def op_add_days(self, args):
        day, days = self._pair(args)
        return day + pl.duration(days=days.cast(pl.Int64))


def frame_from_rows(rows: list[dict], rule_set: BulkRuleSet, extra: dict | None = None):
    """A typed frame from plain rows (dates as date objects or ISO strings), with a `row` column
    numbering them (so a rule set that reads no data still has one row per subject)."""
    schema = {**(extra or {}), **rule_set.schema()}
    columns = {"row": pl.Series("row", range(len(rows)), dtype=pl.Int64)}
    for name, dtype in schema.items():
        values = [row.get(name) for row in rows]
        if dtype == pl.Date:
            values = [grammar.parse_date(v) if isinstance(v, str) else v for v in values]
        columns[name] = pl.Series(name, values, dtype=dtype, strict=False)
    return pl.DataFrame(columns)
