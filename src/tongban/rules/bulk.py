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


def _not_true(expr: pl.Expr) -> pl.Expr:
    return ~expr.fill_null(False)


# Every operation is staged as a column of its own already: common subexpression elimination
# would only cost planning time (noticeable with thousands of expressions in a fused run).
NO_CSE = pl.QueryOptFlags(comm_subexpr_elim=False)


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


# Every MMDD of a leap year.
_MONTH_DAYS = [
    day.month * 100 + day.day
    for day in (datetime.date(2000, 1, 1) + datetime.timedelta(days=n) for n in range(366))
]


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


# Each depth of operations has three stages: two for helper columns an operation needs first
# (the digits of an ID number's birth date, checked), then the operations themselves.
_LEVELS = 3
_OPERATION = _LEVELS - 1


class Staging:
    """The operations of one or more rule sets over one reference date, each a column computed
    once, in stages by depth. Rule sets compiled on one `Staging` share it: an age that several
    policies read is computed once for all of them (a fused run, `evaluate_many`)."""

    def __init__(self, as_of: datetime.date, calendar=None, prefix: str = ""):
        self.as_of = as_of
        self.calendar = calendar
        self.prefix = prefix
        self.memo: dict[str, str] = {}  # an operation's canonical JSON → its column
        self.stages: list[list[pl.Expr]] = []
        self._workdays: WorkdayIndex | None = None

    def column(self, key: str, depth: int, build, level: int = _OPERATION) -> pl.Expr:
        name = self.memo.get(key)
        if name is None:
            compiled = build()
            name = self.memo[key] = f"{self.prefix}__op{len(self.memo)}"
            index = (depth - 1) * _LEVELS + level
            while len(self.stages) <= index:
                self.stages.append([])
            self.stages[index].append(compiled.alias(name))
        return pl.col(name)

    def apply(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        for stage in self.stages:
            if stage:
                frame = frame.with_columns(stage)
        return frame

    def workdays(self) -> WorkdayIndex:
        if self._workdays is None:
            self._workdays = (
                WorkdayIndex(self.as_of, self.calendar)
                if self.calendar is not None
                else _shared_workday_index(self.as_of, workdays.calendar_version())
            )
        return self._workdays


def _canonical(e, constants: dict) -> str:
    """An expression's identity across rule sets: constants replaced by their typed values (two
    policies may give one name different values)."""

    def resolve(node):
        if isinstance(node, dict):
            if "const" in node:
                value = constants[node["const"]]
                return {"__value": [grammar.literal_type(value) or grammar.DATE, str(value)]}
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return json.dumps(resolve(e), sort_keys=True, ensure_ascii=False)


class BulkRuleSet:
    """A rule set compiled to polars. `prefix` names its output columns (so the rule sets of a
    fused run do not clash); `staging` shares the operations with other rule sets."""

    def __init__(
        self,
        definition: dict,
        elements: dict[str, grammar.Element],
        as_of: datetime.date,
        calendar=None,
        *,
        prefix: str = "",
        staging: Staging | None = None,
    ):
        self.definition = definition
        self.elements = elements
        self.as_of = as_of
        self.prefix = prefix
        self.staging = staging or Staging(as_of, calendar, prefix)
        self.constants = grammar.constants_of(definition)
        self.clauses = grammar.clauses(definition["root"])
        self.clause_ids = [c["clause"] for c in self.clauses]
        self._clause_index = {clause_id: n for n, clause_id in enumerate(self.clause_ids)}
        self.columns = list(
            dict.fromkeys(name for c in self.clauses for name in grammar.variables(c["test"]))
        )
        self.clause_exprs = [
            self.expr(c["test"]).alias(self.clause_column(c["clause"])) for c in self.clauses
        ]
        root = definition["root"]
        #: the rule set's three-valued result (null: unknown) over the clause columns
        self.value_expr = self.value(root)
        #: the blocking clause as its position in `clauses` (null when the rule set passes)
        self.block_index_root = self.block_index(root)
        self.blocking_index_expr = (
            pl.when(self.value_expr.fill_null(False))
            .then(pl.lit(None, dtype=pl.Int32))
            .otherwise(self.block_index_root)
        )
        self.outcome_expr = (
            pl.when(self.value_expr.is_null())
            .then(pl.lit(UNKNOWN))
            .when(self.value_expr)
            .then(pl.lit(PASS))
            .otherwise(pl.lit(FAIL))
            .alias(prefix + "outcome")
        )
        self.blocking_expr = (
            pl.lit(pl.Series(self.clause_ids, dtype=pl.String))
            .gather(self.blocking_index_expr)
            .alias(prefix + "blocking_clause")
        )

    @property
    def clause_count(self) -> int:
        return len(self.clauses)

    def clause_column(self, clause_id: str) -> str:
        return f"{self.prefix}__clause__{clause_id}"

    def schema(self) -> dict:
        """The columns (and their types) a frame must have."""
        return {name: dtype_of(self.elements[name]) for name in self.columns}

    def outputs(self, *, explain: bool = False, extra: dict[str, pl.Expr] | None = None):
        """The rule set's result columns, named with its prefix."""
        wanted = [self.outcome_expr, self.blocking_expr]
        wanted += [value.alias(self.prefix + name) for name, value in (extra or {}).items()]
        if explain:
            wanted += [
                pl.col(self.clause_column(c)).alias(self.prefix + c) for c in self.clause_ids
            ]
        return wanted

    def evaluate(
        self,
        frame: pl.DataFrame | pl.LazyFrame,
        *,
        explain: bool = False,
        keep=(),
        extra: dict[str, pl.Expr] | None = None,
    ):
        """Outcome and blocking clause per row (plus each clause's result with explain=True);
        `keep` names columns of the frame to carry through, such as the subject's key; `extra`
        adds named polars expressions over the staged columns (build them with `expr()` before
        calling, so their operations are staged too), as a policy's amount formula does."""
        staged = self.staging.apply(frame.lazy())
        staged = staged.with_columns(self.clause_exprs)
        return staged.select([*keep, *self.outputs(explain=explain, extra=extra)]).collect(
            optimizations=NO_CSE
        )

    # --- groups over clause columns ---------------------------------------------------------------

    def value(self, node) -> pl.Expr:
        if "clause" in node:
            return pl.col(self.clause_column(node["clause"]))
        if "not" in node:
            return ~self.value(node["not"])
        children = [self.value(child) for child in node.get("all", node.get("any", []))]
        if len(children) == 1:
            return children[0]
        # Kleene logic, as `&` and `|`: false (true) wins over unknown.
        return pl.all_horizontal(children) if "all" in node else pl.any_horizontal(children)

    def block_index(self, node) -> pl.Expr:
        """The position of the blocking clause under `node`, assuming node is not true."""
        first = self._clause_index[grammar.clauses(node)[0]["clause"]]
        if "clause" in node or "not" in node:
            return pl.lit(first, dtype=pl.Int32)
        if "any" in node:
            return self.block_index(node["any"][0])
        children = node["all"]
        if len(children) == 1:
            return self.block_index(children[0])
        if all("clause" in child for child in children):
            # Document order numbers a flat group's clauses first, first + 1, …: weigh each
            # clause that is not true by how early it comes; the heaviest is the first.
            count = len(children)
            weight = pl.UInt8 if count < 256 else pl.Int32
            heaviest = pl.max_horizontal(
                [
                    _not_true(self.value(child)).cast(weight) * pl.lit(count - n, dtype=weight)
                    for n, child in enumerate(children)
                ]
            ).cast(pl.Int32)
            return first + (count - heaviest) % count
        chain = None
        for child in children:
            test, then = _not_true(self.value(child)), self.block_index(child)
            chain = pl.when(test).then(then) if chain is None else chain.when(test).then(then)
        return chain.otherwise(pl.lit(first, dtype=pl.Int32))

    # --- expressions --------------------------------------------------------------------------------

    def expr(self, e) -> pl.Expr:
        """An expression's value: a column of its own for an operation (computed once, in the stage
        after its arguments), the literal or the element's column otherwise."""
        if isinstance(e, dict) and "op" in e and e.get("args"):
            return self.staging.column(
                _canonical(e, self.constants),
                _depth(e),
                lambda: getattr(self, "op_" + e["op"])(e["args"]),
            )
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

    def _constant_date(self, e) -> datetime.date | None:
        """The date an expression stands for when it is the same for every row."""
        if not isinstance(e, dict):
            return None
        if e.get("op") == "as_of":
            return self.as_of
        if "date" in e:
            return grammar.parse_date(e["date"])
        if "const" in e:
            value = self.constants[e["const"]]
            return value if isinstance(value, datetime.date) else None
        return None

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

    def _birth_key(self, args) -> pl.Expr:
        """YYYYMMDD of the birth date in an ID number as an integer, null when the number has
        none (18 characters, eight ASCII digits in place, a real date): integer arithmetic
        instead of parsing text as a date, several times faster. Staged in two helper columns,
        so the digits are read once."""
        number = self.expr(args[0])
        depth = _depth({"op": "birth_date", "args": args})
        key = _canonical(args[0], self.constants)
        digits = self.staging.column(
            f"birth_digits:{key}",
            depth,
            lambda: pl.when(number.str.contains(r"(?s)^.{6}[0-9]{8}.{4}$")).then(
                number.str.slice(6, 8).cast(pl.Int64, strict=False)
            ),
            level=0,
        )

        def checked():
            # A real date: a month-and-day that some year has, 29 February only in leap years.
            year, month_day = digits // 10000, digits % 10000
            leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
            real = (year >= 1) & month_day.is_in(_MONTH_DAYS) & ((month_day != 229) | leap)
            return pl.when(real).then(digits)

        return self.staging.column(f"birth_key:{key}", depth, checked, level=1)

    def op_birth_date(self, args):
        # The days since 1970-01-01 of the checked YYYYMMDD (the proleptic Gregorian calendar,
        # as Python's dates).
        key = self._birth_key(args)
        return _days_from_civil(key // 10000, key // 100 % 100, key % 100).cast(pl.Date)

    def op_years_between(self, args):
        end_day = self._constant_date(args[1])
        start = args[0]
        if end_day is not None and isinstance(start, dict) and start.get("op") == "birth_date":
            # An age at a fixed date from an ID number: (YYYYMMDD at the end − YYYYMMDD of
            # birth) // 10000 is the completed years (the month and day decide the borrow).
            end_key = end_day.year * 10000 + end_day.month * 100 + end_day.day
            return (end_key - self._birth_key(start["args"])) // 10000
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
        index = self.staging.workdays()
        start, end = self._pair(args)
        return index.of(end) - index.of(start)

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
