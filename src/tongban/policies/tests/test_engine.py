"""A fused run (every policy in one staged query) gives, for every subject and policy, what the
policy evaluated on its own gives: outcome, blocking clause, amount, band, every clause's result
and compared value, eligibility."""

import datetime

import polars as pl

from tongban.policies import engine
from tongban.rules import grammar

AS_OF = datetime.date(2026, 12, 4)
ELEMENTS = {
    e.name: e
    for e in (
        grammar.Element("person.birth_date", grammar.DATE, "出生日期"),
        grammar.Element("person.region", grammar.STRING, "区划"),
        grammar.Element("insurance.headcount", grammar.NUMBER, "参保人数"),
    )
}
AGE = {"op": "years_between", "args": [{"var": "person.birth_date"}, {"op": "as_of", "args": []}]}


def _c(clause, test, amount=None, label="条件"):
    node = {"clause": clause, "label": label, "basis": "示例", "test": test}
    if amount is not None:
        node["amount"] = amount
    return node


def policies():
    """Four policies: two use a constant of the same name with other values (their columns must
    not be shared), one nests any/not, one gives an amount per head."""
    elderly = {
        "constants": {"MIN": {"type": "number", "value": 80, "label": "起始年龄"}},
        "root": {"all": [_c("age", {"op": "ge", "args": [AGE, {"const": "MIN"}]})]},
    }
    younger = {
        "constants": {"MIN": {"type": "number", "value": 60, "label": "起始年龄"}},
        "root": {"all": [_c("age", {"op": "ge", "args": [AGE, {"const": "MIN"}]})]},
    }
    bands = {
        "bands": [
            _c("top", {"op": "ge", "args": [AGE, 90]}, 200),
            _c("base", {"op": "ge", "args": [AGE, 60]}, 100),
        ]
    }
    nested = {
        "root": {
            "all": [
                _c(
                    "region", {"op": "in", "args": [{"var": "person.region"}, {"list": ["411002"]}]}
                ),
                {
                    "any": [
                        _c("big", {"op": "ge", "args": [{"var": "insurance.headcount"}, 50]}),
                        {"not": _c("small", {"op": "lt", "args": [AGE, 30]})},
                    ]
                },
            ]
        }
    }
    per_head = {
        "bands": [
            _c("per_head", True, {"op": "mul", "args": [{"var": "insurance.headcount"}, 100]})
        ]
    }
    return [
        ("elderly", elderly, bands),
        ("younger", younger, bands),
        ("nested", nested, per_head),
        ("nested_flat", nested, {"bands": [_c("flat", True, 0)], "otherwise": 0}),
    ]


def frame():
    births = [datetime.date(1930 + n * 7 % 90, 1 + n % 12, 1 + n % 28) for n in range(40)]
    births[3] = None  # unknown age: never eligible
    return pl.DataFrame(
        {
            "subject_index": [f"{n:08x}" for n in range(40)],
            "person.birth_date": births,
            "person.region": [None if n == 5 else ["411002", "411003"][n % 2] for n in range(40)],
            "insurance.headcount": [None if n == 7 else float(n * 3) for n in range(40)],
        },
        schema={
            "subject_index": pl.String,
            "person.birth_date": pl.Date,
            "person.region": pl.String,
            "insurance.headcount": pl.Float64,
        },
    )


def test_a_fused_run_gives_what_each_policy_gives_on_its_own():
    data = frame()
    fused = engine.compile_policies(policies(), ELEMENTS, AS_OF)
    run = engine.FusedRun(fused, data, keep=["subject_index"])
    everyone = pl.Series([True] * data.height)
    for item, (key, eligibility, formula) in zip(fused, policies(), strict=True):
        alone = engine.CompiledPolicy(key, eligibility, formula, ELEMENTS, AS_OF)
        expected = alone.evaluate(data, explain=True, keep=["subject_index"])
        got = run.result(item, everyone)
        assert sorted(got.columns) == sorted(expected.columns), key
        assert got.select(expected.columns).to_dicts() == expected.to_dicts(), key
        # By default a fused result holds the eligible subjects only, with the same rows.
        assert run.result(item).to_dicts() == expected.filter(pl.col("eligible")).to_dicts()
        assert run.eligible(item).to_list() == expected["eligible"].to_list()


def test_policies_sharing_a_constant_name_keep_their_own_values():
    data = frame()
    elderly, younger, *_ = engine.compile_policies(policies(), ELEMENTS, AS_OF)
    run = engine.FusedRun([elderly, younger], data, keep=["subject_index"])
    old = set(run.result(elderly)["subject_index"])
    older_than_60 = set(run.result(younger)["subject_index"])
    assert old and old < older_than_60  # 80+ is a strict subset of 60+


def test_a_fused_run_over_no_subjects_or_no_policies():
    empty = frame().head(0)
    fused = engine.compile_policies(policies(), ELEMENTS, AS_OF)
    run = engine.FusedRun(fused, empty, keep=["subject_index"])
    assert run.result(fused[0]).height == 0
    assert engine.FusedRun([], frame()).staged.height == 40


def test_groups_of_policies_give_the_same_result(monkeypatch):
    data = frame()
    fused = engine.compile_policies(policies(), ELEMENTS, AS_OF)
    whole = engine.FusedRun(fused, data, keep=["subject_index"])
    expected = [whole.result(item).to_dicts() for item in fused]
    monkeypatch.setattr(engine, "FUSED_CELLS", data.height)  # one policy per group
    split = engine.FusedRun(fused, data, keep=["subject_index"])
    assert [split.result(item).to_dicts() for item in fused] == expected


def test_a_small_frame_explains_all_policies_at_once_with_the_same_result(monkeypatch):
    """An incremental run's few changed subjects take the one-query path; the rows and every
    column of the explanation are those of the per-policy path."""
    data = frame()
    fused = engine.compile_policies(policies(), ELEMENTS, AS_OF)
    small = engine.FusedRun(fused, data, keep=["subject_index"])
    got = [small.result(item).to_dicts() for item in fused]
    assert any(got)
    monkeypatch.setattr(engine, "SMALL_FRAME", 0)
    large = engine.FusedRun(fused, data, keep=["subject_index"])
    assert [large.result(item).to_dicts() for item in fused] == got


def test_a_run_is_split_by_policy_first_then_by_subject_for_memory():
    # 2,214 policies × 100,000 subjects on two workers: each takes half the policies.
    assert engine.split(100_000, 2214, 2, 200_000) == (1, 2)
    # Beyond the subjects one unit may hold, subjects are split, then policies with what is left.
    assert engine.split(500_000, 2214, 2, 200_000) == (3, 1)
    assert engine.split(500_000, 2214, 6, 200_000) == (3, 2)
    # Never more slices than policies, never zero.
    assert engine.split(1_000, 1, 8, 200_000) == (1, 1)
    assert engine.split(0, 0, 4, 200_000) == (1, 1)


def test_policy_slices_cover_every_policy_once_in_near_equal_parts():
    keys = list(range(2214))
    parts = engine.slices(keys, 4)
    assert [k for part in parts for k in part] == keys
    assert {len(part) for part in parts} <= {553, 554}
    assert engine.slices([7], 3) == [[7]] and engine.slices([], 2) == [[]]
