"""Matching: a policy's rule and amount formula over a table of subjects, with the rules app's
bulk evaluator. No database here: the benchmark and the matching run share this code.

The amount formula is in the rule format too: named constants and an ordered list of bands, each
a clause (id, label, basis, boolean test) with an `amount` (a number expression); the first band
whose test holds gives the amount, and `otherwise` (a number) applies when none does:

    {"constants": {"BASE": {"type": "number", "value": 100, "label": "基础标准"}},
     "bands": [{"clause": "age100", "label": "100周岁及以上", "test": <expr>, "amount": 500},
               {"clause": "age90", "label": "90至99周岁", "test": <expr>, "amount": 200}],
     "otherwise": 0}

A subject is eligible when the rule passes *and* the formula gives an amount above zero; an
unknown outcome (missing data) never makes anyone eligible.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

import polars as pl

from tongban.rules import grammar
from tongban.rules.bulk import NO_CSE, BulkRuleSet, Staging
from tongban.rules.interpreter import FAIL, PASS, UNKNOWN

AMOUNT, BAND, HASH = "amount", "band", "data_hash"


def validate_formula(formula, elements: dict[str, grammar.Element], rule_constants=None):
    """Every problem of an amount formula, in Chinese; empty when it may be published."""
    problems = grammar.Problems()
    if not isinstance(formula, dict):
        return ["金额公式应为对象"]
    unknown = set(formula) - {"constants", "bands", "otherwise"}
    if unknown:
        problems.add("金额公式", f"未知的键：{'、'.join(sorted(unknown))}")
    validator = grammar.Validator(elements)
    validator.problems = problems
    validator._constants(formula.get("constants") or {})
    clash = set(validator.constants) & set(rule_constants or {})
    if clash:
        problems.add("金额公式", f"常量与享受条件中的重名：{'、'.join(sorted(clash))}")
    bands = formula.get("bands")
    if not isinstance(bands, list) or not bands:
        problems.add("金额公式", "至少需要一档金额")
        return problems.errors
    seen = set()
    for number, band in enumerate(bands, 1):
        path = f"金额第{number}档"
        if not isinstance(band, dict):
            problems.add(path, "应为对象")
            continue
        if not grammar.CLAUSE_ID.match(str(band.get("clause", ""))):
            problems.add(path, "编号应以字母开头，只含字母、数字和下划线")
        elif band["clause"] in seen:
            problems.add(path, "编号重复")
        seen.add(band.get("clause"))
        if not str(band.get("label") or "").strip():
            problems.add(path, "请填写这一档的说明")
        if validator.type_of(band.get("test"), path, 0) not in (grammar.BOOL, None):
            problems.add(path, "条件的结果应为是/否")
        kind = validator.type_of(band.get("amount"), f"{path}金额", 0)
        if kind not in (grammar.NUMBER, None):
            problems.add(path, "金额应为数值")
        if isinstance(band.get("amount"), int | float) and band["amount"] < 0:
            problems.add(path, "金额不能为负数")
    otherwise = formula.get("otherwise", 0)
    if isinstance(otherwise, bool) or not isinstance(otherwise, int | float) or otherwise < 0:
        problems.add("金额公式", "其余情形的金额应为不小于0的数")
    return problems.errors


def combined_definition(eligibility: dict, formula: dict) -> dict:
    """One definition holding the rule's and the formula's constants, so one compiled rule set
    stages both (an age read by the rule and the formula is computed once)."""
    return {
        "constants": {**(formula.get("constants") or {}), **(eligibility.get("constants") or {})},
        "root": eligibility["root"],
    }


def _value_label(expr, elements) -> str:
    names = grammar.variables(expr)
    label = elements[names[0]].label if names else "基准日"
    if isinstance(expr, dict) and expr.get("op") == "years_between":
        return "年龄（周岁）" if "birth_date" in json.dumps(expr) else f"{label}（整年数）"
    if isinstance(expr, dict) and "op" in expr:
        return f"{label}（{grammar.OPS[expr['op']].label}）"
    return label


@dataclass
class CompiledPolicy:
    """A published policy version compiled once for a run: rule, bands and the values that
    explain each clause (what the clause compared)."""

    key: object
    eligibility: dict
    formula: dict
    elements: dict[str, grammar.Element]
    as_of: datetime.date
    prefix: str = ""
    staging: Staging | None = None
    rule: BulkRuleSet = field(init=False)
    extra: dict[str, pl.Expr] = field(init=False)
    value_labels: dict[str, str] = field(init=False)

    def __post_init__(self):
        self.rule = BulkRuleSet(
            combined_definition(self.eligibility, self.formula),
            self.elements,
            self.as_of,
            prefix=self.prefix,
            staging=self.staging,
        )
        self.extra, self.value_labels = {}, {}
        for clause in self.rule.clauses:
            test = clause["test"]
            subject = test.get("args", [None])[0] if isinstance(test, dict) else None
            if isinstance(subject, dict) and ("var" in subject or subject.get("args")):
                column = f"value:{clause['clause']}"
                self.extra[column] = self.rule.expr(subject)
                self.value_labels[column] = _value_label(subject, self.elements)
        amount = pl.lit(float(self.formula.get("otherwise", 0)))
        band = pl.lit(None, dtype=pl.String)
        for spec in reversed(self.formula["bands"]):
            holds = self.rule.expr(spec["test"]).fill_null(False)
            value = self.rule.expr(spec["amount"]).cast(pl.Float64)
            amount = pl.when(holds).then(value).otherwise(amount)
            band = pl.when(holds).then(pl.lit(spec["clause"])).otherwise(band)
        self.extra[AMOUNT], self.extra[BAND] = amount, band
        self.amount_expr = amount
        self.band_tests = [(self.rule.expr(b["test"]), b["clause"]) for b in self.formula["bands"]]

    @property
    def clause_count(self) -> int:
        return self.rule.clause_count + len(self.formula["bands"])

    def evaluate(self, frame: pl.DataFrame, *, explain: bool = True, keep=()) -> pl.DataFrame:
        result = self.rule.evaluate(frame, explain=explain, keep=keep, extra=self.extra)
        eligible = (pl.col("outcome") == PASS) & (pl.col(AMOUNT).fill_null(0) > 0)
        return result.with_columns(eligible.alias("eligible"))

    def explanation(self, row: dict) -> dict:
        """What a person reads: each clause with its result and the values it compared, and
        the amount band."""
        clauses = []
        for clause in self.rule.clauses:
            value_column = f"value:{clause['clause']}"
            value = row.get(value_column)
            clauses.append(
                {
                    "clause": clause["clause"],
                    "label": clause["label"],
                    "basis": clause.get("basis", ""),
                    "result": row.get(clause["clause"]),
                    "value_label": self.value_labels.get(value_column, ""),
                    "value": value.isoformat() if isinstance(value, datetime.date) else value,
                }
            )
        band = next((b for b in self.formula["bands"] if b["clause"] == row.get(BAND)), None)
        return {
            "outcome": row.get("outcome"),
            "blocking": row.get("blocking_clause"),
            "clauses": clauses,
            "band": band["label"] if band else "",
            "amount": row.get(AMOUNT),
            "as_of": self.as_of.isoformat(),
        }


# A fused run computes, per policy, the rule's result and the amount for every subject in one
# query per group of policies; the rest of an explanation is read afterwards, for the rows kept.
FUSED_CELLS = 20_000_000  # subjects × policies per query: bounds the memory of one group
# Up to this many subjects (an incremental run's changed ones), a group's explanations are one
# query for all its policies; above, one query per policy over its eligible rows only.
SMALL_FRAME = 5_000


def compile_policies(specs, elements, as_of: datetime.date) -> list[CompiledPolicy]:
    """(key, eligibility, formula) triples compiled side by side: one staging for all, so an
    operation that several policies read (an age, a region test, a headcount) is one column, and
    each policy's columns carry a prefix of its own."""
    staging = Staging(as_of)
    return [
        CompiledPolicy(key, eligibility, formula, elements, as_of, f"p{n}|", staging)
        for n, (key, eligibility, formula) in enumerate(specs)
    ]


class FusedRun:
    """Every policy compiled by `compile_policies` over one frame: the operations of all of them
    (each clause, each compared value, each band's test) are computed once, in one query; then,
    per group of policies (bounded by FUSED_CELLS), each policy's three-valued result and amount
    in one query. `eligible(item)` is the mask of its eligible subjects; `result(item, rows)` the
    per-policy frame CompiledPolicy.evaluate gives (outcome, blocking clause, amount, band, every
    clause's result and compared value, eligible), for the rows of a mask only: the clause
    results and values are columns already, the outcome comes from the result, the band from
    the band tests; only the blocking clause of rows that did not pass is computed then."""

    def __init__(self, compiled: list[CompiledPolicy], frame: pl.DataFrame, keep=()):
        self.compiled, self.keep = compiled, list(keep)
        self.staged = frame
        self._groups: list[list[CompiledPolicy]] = []
        self._results: dict[int, pl.DataFrame] = {}
        self._explained: dict[int, pl.DataFrame] = {}
        self._nulls: pl.Series | None = None
        if not compiled:
            return
        staging = compiled[0].staging
        assert staging is not None and all(item.staging is staging for item in compiled)
        lazy = staging.apply(frame.lazy())
        lazy = lazy.with_columns([e for item in compiled for e in item.rule.clause_exprs])
        self.staged = lazy.collect(optimizations=NO_CSE)
        size = max(1, FUSED_CELLS // max(1, frame.height))
        self._groups = [compiled[n : n + size] for n in range(0, len(compiled), size)]
        self._group_of = {id(item): n for n, group in enumerate(self._groups) for item in group}

    def _group(self, item: CompiledPolicy) -> pl.DataFrame:
        number = self._group_of[id(item)]
        found = self._results.get(number)
        if found is None:
            self._results.clear()  # one group's results in memory at a time
            outputs = []
            for each in self._groups[number]:
                value, amount = each.rule.value_expr, each.amount_expr
                outputs += [
                    value.alias(each.prefix + "value"),
                    amount.alias(each.prefix + AMOUNT),
                    (value.fill_null(False) & (amount.fill_null(0) > 0)).alias(
                        each.prefix + "eligible"
                    ),
                ]
            found = self._results[number] = (
                self.staged.lazy().select(outputs).collect(optimizations=NO_CSE)
            )
        return found

    def eligible(self, item: CompiledPolicy) -> pl.Series:
        """True for each subject the policy makes eligible: the rule passes and the amount is
        above zero (an unknown outcome never does)."""
        return self._group(item).get_column(item.prefix + "eligible").alias("eligible")

    @staticmethod
    def _explaining(item: CompiledPolicy, value: pl.Expr) -> list[pl.Expr]:
        """The expressions of an explanation besides the staged clause columns: outcome,
        blocking clause, band and the compared values (`value`: the rule's result)."""
        rule = item.rule
        return [
            pl.when(value.is_null())
            .then(pl.lit(UNKNOWN))
            .when(value)
            .then(pl.lit(PASS))
            .otherwise(pl.lit(FAIL))
            .alias("outcome"),
            pl.lit(pl.Series(rule.clause_ids, dtype=pl.String))
            .gather(pl.when(value.fill_null(False)).then(None).otherwise(rule.block_index_root))
            .alias("blocking_clause"),
            item.extra[BAND].alias(BAND),
            *(e.alias(name) for name, e in item.extra.items() if name not in (AMOUNT, BAND)),
        ]

    def _explained_group(self, item: CompiledPolicy) -> pl.DataFrame:
        """A small frame (an incremental run's changed subjects): the outcome, band and compared
        values of every policy of the group in one query over all its rows, instead of a query
        per policy, whose fixed cost dominates when the rows are few. No blocking clause: the
        rows explained this way all pass (see `result`)."""
        number = self._group_of[id(item)]
        found = self._explained.get(number)
        if found is None:
            self._explained.clear()
            outputs = []
            for each in self._groups[number]:
                value = pl.col(each.prefix + "value")
                outputs += [
                    pl.when(value.is_null())
                    .then(pl.lit(UNKNOWN))
                    .when(value)
                    .then(pl.lit(PASS))
                    .otherwise(pl.lit(FAIL))
                    .alias(each.prefix + "outcome"),
                    *(
                        e.alias(each.prefix + name)
                        for name, e in each.extra.items()
                        if name != AMOUNT
                    ),
                ]
            both = pl.concat([self.staged, self._group(item)], how="horizontal")
            found = self._explained[number] = (
                both.lazy().select(outputs).collect(optimizations=NO_CSE)
            )
        return found

    def result(self, item: CompiledPolicy, rows: pl.Series | None = None) -> pl.DataFrame:
        """The policy's frame for the rows of the mask `rows` (default: its eligible ones)."""
        eligible = self.eligible(item)
        mask = eligible if rows is None else rows
        if self.staged.height <= SMALL_FRAME and (rows is None or not (mask & ~eligible).any()):
            return self._small_result(item, mask, eligible)
        group, rule = self._group(item), item.rule
        outputs = [
            *self.keep,
            *self._explaining(item, pl.col("__value")),
            pl.col("__amount").alias(AMOUNT),
            *(pl.col(rule.clause_column(c)).alias(c) for c in rule.clause_ids),
            pl.col("__eligible").alias("eligible"),
        ]
        # Only the policy's own columns of the wide staged frame, in one query: planning a
        # query over thousands of columns costs more than the query.
        needed = dict.fromkeys(
            name
            for e in outputs
            for name in (e.meta.root_names() if isinstance(e, pl.Expr) else [e])
            if not name.startswith("__") or name.startswith(("__op", item.prefix))
        )
        needed.update(dict.fromkeys(rule.clause_column(c) for c in rule.clause_ids))
        needed = {**dict.fromkeys(self.keep), **needed}
        columns = [
            self.staged.get_column(name)
            for name in needed
            if name in self.keep or not name.startswith("__")
        ]
        columns += [
            self.staged.get_column(name)
            for name in needed
            if name.startswith("__op") and name not in self.keep
        ]
        columns += [
            group.get_column(item.prefix + "value").alias("__value"),
            group.get_column(item.prefix + AMOUNT).alias("__amount"),
            eligible.alias("__eligible"),
        ]
        narrow = pl.DataFrame(columns).lazy().filter(pl.lit(mask))
        return narrow.select(outputs).collect(optimizations=NO_CSE)

    def _small_result(self, item: CompiledPolicy, mask: pl.Series, eligible: pl.Series):
        """`result` of a small frame: columns of the group's explanations, filtered."""
        explained, group, rule = self._explained_group(item), self._group(item), item.rule
        values = [name for name in item.extra if name not in (AMOUNT, BAND)]
        columns = [self.staged.get_column(name) for name in self.keep]
        columns += [
            explained.get_column(item.prefix + "outcome").alias("outcome"),
            self._no_blocking(),
            group.get_column(item.prefix + AMOUNT).alias(AMOUNT),
            *(explained.get_column(item.prefix + name).alias(name) for name in [BAND, *values]),
            *(self.staged.get_column(rule.clause_column(c)).alias(c) for c in rule.clause_ids),
            eligible,
        ]
        return pl.DataFrame([column.filter(mask) for column in columns])

    def _no_blocking(self) -> pl.Series:
        """Rows that pass have no blocking clause."""
        if self._nulls is None:
            self._nulls = pl.Series("blocking_clause", [None] * self.staged.height, pl.String)
        return self._nulls


def with_hash(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """A `data_hash` per row over the columns the policies read: the snapshot a match was made
    on, and what an incremental run compares."""
    text = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("\u2205") for c in columns], separator="\u241f"
    )
    return frame.with_columns(text.hash(seed=20260101).cast(pl.String).alias(HASH))


def split(subjects: int, policies: int, partitions: int, most_subjects: int) -> tuple[int, int]:
    """(subject parts, policy slices) for a run of `partitions` units of work.

    Reading out each policy's results costs a fixed amount per policy whatever the number of
    subjects (polars' planning of its queries, measured in docs/policies.md), so splitting the
    subjects alone leaves every worker paying for every policy: two workers were 1.26× one. A run
    is therefore split by policy first (each unit pays for its own policies only), and by subject
    only as far as a unit's memory requires (`most_subjects` per unit)."""
    subject_parts = max(1, -(-subjects // max(1, most_subjects)))
    policy_slices = max(1, min(max(1, policies), partitions // subject_parts))
    return subject_parts, policy_slices


def slices(keys: list, count: int) -> list[list]:
    """`keys` in `count` contiguous slices of nearly equal length (none empty unless keys is)."""
    count = max(1, min(count, len(keys)))
    return [keys[n * len(keys) // count : (n + 1) * len(keys) // count] for n in range(count)]


def partition_of(index: pl.Expr, partitions: int) -> pl.Expr:
    """Which partition a subject falls in: stable across runs (its blind index's first hex
    digits), so the same worker load follows the same subjects."""
    return index.str.slice(0, 8).str.to_integer(base=16, strict=False).fill_null(0) % partitions
