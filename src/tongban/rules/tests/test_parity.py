"""Both evaluators give every rule set the same meaning: hypothesis generates type-correct rule
sets and tables of subjects (with missing data), and the interpreter's outcome, blocking clause and
clause results must equal the bulk evaluator's, row by row."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.rules import grammar
from tongban.rules.bulk import BulkRuleSet, frame_from_rows
from tongban.rules.interpreter import Fact, evaluate

ELEMENTS = {
    e.name: e
    for e in (
        grammar.Element("t.n1", grammar.NUMBER),
        grammar.Element("t.n2", grammar.NUMBER),
        grammar.Element("t.d1", grammar.DATE),
        grammar.Element("t.d2", grammar.DATE),
        grammar.Element("t.s1", grammar.STRING, codes=("A", "B", "C")),
        grammar.Element("t.id", grammar.STRING),
        grammar.Element("t.b1", grammar.BOOL),
        grammar.Element("t.l1", grammar.LIST, item_type=grammar.STRING),
    )
}
NUMBERS, DATES = ["t.n1", "t.n2"], ["t.d1", "t.d2"]
CODES = ["A", "B", "C"]

small_int = st.integers(min_value=-120, max_value=120)
some_date = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2040, 12, 31))
near_date = st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2030, 12, 31))


def var(name):
    return {"var": name}


def op(name, *args):
    return {"op": name, "args": list(args)}


def number_expr(depth):
    leaves = st.one_of(
        st.sampled_from(NUMBERS).map(var),
        small_int,
        st.just(op("count", var("t.l1"))),
    )
    if depth <= 0:
        return leaves
    dates = date_expr(depth - 1)
    return st.one_of(
        leaves,
        st.builds(
            op, st.sampled_from(["add", "sub", "mul"]), number_expr(depth - 1), number_expr(0)
        ),
        st.builds(op, st.sampled_from(["years_between", "days_between"]), dates, dates),
        st.builds(lambda a, b: op("workdays_between", a, b), near_expr(), near_expr()),
    )


def near_expr():
    return st.one_of(
        st.just(var("t.d2")),
        st.just(op("as_of")),
        near_date.map(lambda d: {"date": d.isoformat()}),
    )


def date_expr(depth):
    leaves = st.one_of(
        st.sampled_from(DATES).map(var),
        some_date.map(lambda d: {"date": d.isoformat()}),
        st.just(op("as_of")),
        st.just(op("birth_date", var("t.id"))),
    )
    if depth <= 0:
        return leaves
    return st.one_of(leaves, st.builds(lambda d, n: op("add_days", d, n), leaves, number_expr(0)))


def bool_expr(depth):
    comparisons = st.sampled_from(sorted(grammar.COMPARISONS))
    leaves = st.one_of(
        st.builds(lambda o, a, b: op(o, a, b), comparisons, number_expr(1), number_expr(1)),
        st.builds(lambda o, a, b: op(o, a, b), comparisons, date_expr(1), date_expr(1)),
        st.builds(lambda a, lo, hi: op("between", a, lo, hi), number_expr(1), small_int, small_int),
        st.builds(
            lambda o, v: op(o, var("t.s1"), v),
            st.sampled_from(["eq", "ne"]),
            st.sampled_from(CODES),
        ),
        st.builds(
            lambda o, vs: op(o, var("t.s1"), {"list": vs}),
            st.sampled_from(["in", "not_in"]),
            st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True),
        ),
        st.builds(
            lambda o, vs: op(o, var("t.l1"), {"list": vs}),
            st.just("any_in"),
            st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=2, unique=True),
        ),
        st.builds(lambda p: op("starts_with", var("t.id"), p), st.sampled_from(["41", "4110"])),
        st.sampled_from(list(ELEMENTS)).map(lambda n: op("exists", var(n))),
        st.just(var("t.b1")),
    )
    if depth <= 0:
        return leaves
    inner = bool_expr(depth - 1)
    return st.one_of(
        leaves,
        st.builds(
            lambda o, xs: op(o, *xs),
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=2, max_size=3),
        ),
        st.builds(lambda x: op("not", x), inner),
    )


@st.composite
def definitions(draw):
    counter = iter(range(1000))

    def clause():
        number = next(counter)
        return st.builds(
            lambda test: {"clause": f"c{number}", "label": f"条款{number}", "test": test},
            bool_expr(1),
        )

    def node(depth):
        if depth <= 0 or draw(st.booleans()):
            return draw(clause())
        kind = draw(st.sampled_from(["all", "all", "any", "not"]))
        if kind == "not":
            return {"not": node(depth - 1)}
        return {kind: [node(depth - 1) for _ in range(draw(st.integers(1, 3)))]}

    return {"root": node(2)}


def id_number():
    birth = st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2025, 12, 31))
    valid = st.builds(
        lambda region, d, tail: f"{region}{d:%Y%m%d}{tail}",
        st.sampled_from(["411002", "410100", "110101"]),
        birth,
        st.sampled_from(["0011", "123X", "0457"]),
    )
    broken = st.sampled_from(
        [
            "41100219901340001X",
            "4110",
            "411002000001010011",
            "abc",
            "411002190002290011",  # 1900 was not a leap year
            "411002200002290011",  # 2000 was
            "411002+0990101001X",
            "411002199000150011",
            "411002199012320011",
        ]
    )
    return st.one_of(valid, broken)


row = st.fixed_dictionaries(
    {
        "t.n1": st.none() | small_int,
        "t.n2": st.none() | st.integers(-5000, 5000) | st.floats(-500, 500, allow_nan=False),
        "t.d1": st.none() | some_date,
        "t.d2": st.none() | near_date,
        "t.s1": st.none() | st.sampled_from(CODES),
        "t.id": st.none() | id_number(),
        "t.b1": st.none() | st.booleans(),
        "t.l1": st.none() | st.lists(st.sampled_from(["x", "y", "z", "w"]), max_size=3),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    definition=definitions(),
    rows=st.lists(row, min_size=1, max_size=8),
    as_of=st.sampled_from([datetime.date(2026, 6, 15), datetime.date(2026, 10, 8)]),
)
def test_interpreter_and_bulk_evaluator_agree(definition, rows, as_of):
    # Every generated tree is well typed: the validator may only object to contradictions.
    assert all("矛盾" in problem for problem in grammar.validate(definition, ELEMENTS))
    compiled = BulkRuleSet(definition, ELEMENTS, as_of)
    table = compiled.evaluate(frame_from_rows(rows, compiled), explain=True)
    for index, subject in enumerate(rows):
        facts = {name: Fact(value) for name, value in subject.items()}
        expected = evaluate(definition, ELEMENTS, facts, as_of=as_of)
        got = table.row(index, named=True)
        assert got["outcome"] == expected.outcome, (definition, subject)
        assert got["blocking_clause"] == expected.blocking_clause, (definition, subject)
        for trace in expected.clauses:
            assert got[trace.clause] == trace.result, (trace.clause, definition, subject)
