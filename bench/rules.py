"""Benchmark: rule evaluation per case (with trace) and in bulk (with explanations).

A 30-clause rule set of the kinds the demo items use (ages from ID numbers, periods between dates,
code tables, lists of records, amounts). Per case: the interpreter with its full trace, p50/p95/p99
over 20,000 subjects (goal ≤ 1 ms p99). Bulk: the same rule set compiled to polars over 1,000,000
subjects, outcome + blocking clause + every clause's result, on one thread and on all cores
(goal ≥ 100 million clause checks per second per core).
Run: .venv/bin/python bench/rules.py [subjects] [--per-case] (--per-case: only the per-case figures)
"""

import datetime
import os
import random
import shutil
import subprocess
import sys
import time

# The per-core figure needs polars on one thread; set before polars is imported.
os.environ.setdefault("POLARS_MAX_THREADS", "1")

from _common import fresh_django, percentiles

AS_OF = datetime.date(2026, 12, 4)
REGIONS = ["411002", "411003", "411023", "411024", "411025", "411081", "411082"]
OFFENCES = ["醉驾", "吸毒", "暴力犯罪", "超速", "闯红灯", "违停"]


def rule_set():
    """30 clauses: 10 kinds of test, three times over with other bounds."""
    from tongban.rules import grammar

    elements = {
        e.name: e
        for e in (
            grammar.Element("form.id_number", grammar.STRING),
            grammar.Element("licence.since", grammar.DATE),
            grammar.Element("population.region", grammar.STRING),
            grammar.Element("records.offences", grammar.LIST),
            grammar.Element("social.months", grammar.NUMBER),
            grammar.Element("vehicle.emission", grammar.STRING, codes=("国四", "国五", "国六")),
            grammar.Element("vehicle.registered", grammar.DATE),
            grammar.Element("enterprise.staff", grammar.NUMBER),
            grammar.Element("enterprise.active", grammar.BOOL),
            grammar.Element("health.valid_until", grammar.DATE),
        )
    }
    as_of = {"op": "as_of", "args": []}
    age = {
        "op": "years_between",
        "args": [{"op": "birth_date", "args": [{"var": "form.id_number"}]}, as_of],
    }
    clauses = []
    for round_ in range(3):
        tests = [
            {"op": "between", "args": [age, 18 + round_, 70 - round_]},
            {
                "op": "ge",
                "args": [
                    {"op": "years_between", "args": [{"var": "licence.since"}, as_of]},
                    round_,
                ],
            },
            {"op": "starts_with", "args": [{"var": "population.region"}, "411"]},
            {
                "op": "not",
                "args": [
                    {
                        "op": "any_in",
                        "args": [{"var": "records.offences"}, {"list": OFFENCES[: 3 + round_]}],
                    }
                ],
            },
            {"op": "ge", "args": [{"var": "social.months"}, 6 * round_]},
            {"op": "in", "args": [{"var": "vehicle.emission"}, {"list": ["国五", "国六"]}]},
            {
                "op": "le",
                "args": [
                    {"op": "days_between", "args": [{"var": "vehicle.registered"}, as_of]},
                    3650 * (round_ + 1),
                ],
            },
            {"op": "lt", "args": [{"var": "enterprise.staff"}, 100 * (round_ + 1)]},
            {"var": "enterprise.active"},
            {"op": "gt", "args": [{"var": "health.valid_until"}, as_of]},
        ]
        clauses += [
            {"clause": f"c{round_}_{n}", "label": f"条款{round_}-{n}", "basis": "示例", "test": t}
            for n, t in enumerate(tests)
        ]
    definition = {"root": {"all": clauses}}
    assert grammar.validate(definition, elements) == []
    return definition, elements


def subject(rng: random.Random) -> dict:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 55))
    return {
        "form.id_number": f"{rng.choice(REGIONS)}{birth:%Y%m%d}0011",
        "licence.since": birth + datetime.timedelta(days=365 * 18 + rng.randrange(0, 3000)),
        "population.region": rng.choice(REGIONS) if rng.random() < 0.97 else "110101",
        "records.offences": rng.sample(OFFENCES, k=rng.choice([0, 0, 0, 1, 2])),
        "social.months": rng.randrange(0, 120),
        "vehicle.emission": rng.choice(["国四", "国五", "国六", "国六"]),
        "vehicle.registered": AS_OF - datetime.timedelta(days=rng.randrange(0, 7000)),
        "enterprise.staff": rng.randrange(1, 400),
        "enterprise.active": rng.random() < 0.95,
        "health.valid_until": AS_OF + datetime.timedelta(days=rng.randrange(-60, 700)),
    }


def per_case(definition, elements, count: int) -> None:
    from tongban.rules.interpreter import Fact, evaluate

    rng = random.Random(7)
    subjects = [
        {name: Fact(value, {"kind": "bench"}) for name, value in subject(rng).items()}
        for _ in range(count)
    ]
    from tongban.rules.interpreter import CompiledRuleSet, Interpreter, published

    rule_set = CompiledRuleSet(definition, elements)
    stamp = datetime.datetime(2026, 12, 4, 9, tzinfo=datetime.UTC)  # a publication time
    for label, run in (
        (
            "tree walked each time (Interpreter)",
            lambda f: Interpreter(definition, elements, AS_OF).run(f),
        ),
        ("compiled once (CompiledRuleSet.run)", lambda f: rule_set.run(f, AS_OF)),
        (
            # What rules.decide does for a published version: the compiled form found by the
            # version's id and publication time (no serialising of the tree), then run.
            "published version (lookup by version + run)",
            lambda f: published(1, stamp, definition, elements).run(f, AS_OF, elements=elements),
        ),
        (
            "evaluate() of a draft (compiled per call)",
            lambda f: evaluate(definition, elements, f, as_of=AS_OF),
        ),
    ):
        samples, cpu, outcomes = [], [], {}
        for facts in subjects:
            started, started_cpu = time.perf_counter(), time.thread_time()
            outcome = run(facts)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            outcomes[outcome.outcome] = outcomes.get(outcome.outcome, 0) + 1
        # Wall-clock tails on a loaded machine are the scheduler's (the process waits for a
        # core); the thread's CPU time per case is the evaluation's own cost.
        print(f"per case, 30 clauses with trace, {label}:")
        print(f"    wall {percentiles(samples, 2)}")
        print(f"    CPU  {percentiles(cpu, 2)}")
    print(f"  outcomes: {outcomes}")


def decide_per_case(definition, elements, count: int) -> None:
    """`rules.decide` over `count` subjects against a published version (database: SQLite)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from tongban.core import demo as core_demo
    from tongban.rules import actions
    from tongban.rules.interpreter import Fact

    core_demo.load(lambda _line: None)
    for element in elements.values():
        actions.declare_element(
            actor=None,
            name=element.name,
            label=element.name,
            type=element.type,
            source="form",
            codes=element.codes,
        )
    version = actions.create_rule_set(
        actor=None,
        code="bench-30",
        name="基准规则集",
        department=core_demo.department("mz"),
        definition=definition,
    )
    actions.add_test_case(
        actor=None, version=version, name="无数据", facts={}, as_of=AS_OF, expected="unknown"
    )
    version = actions.publish(actor=None, version=version, valid_from=AS_OF)
    rng = random.Random(13)
    subjects = [
        {name: Fact(value, {"kind": "bench"}) for name, value in subject(rng).items()}
        for _ in range(count)
    ]
    samples, queries = [], []
    for n, facts in enumerate(subjects):
        reset_queries()  # the query log keeps 9,000 entries: count each decision from empty
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            actions.decide(
                version=version,
                subject_type="bench",
                subject_ref=f"B{n:06d}",
                facts=facts,
                as_of=AS_OF,
            )
            samples.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
    print("rules.decide per case (evaluate + trace + decision row + audit, SQLite):")
    print(f"    wall {percentiles(samples, 2)}")
    print(f"    database queries per decision: {min(queries)}–{max(queries)}")


def bulk(definition, elements, count: int) -> None:
    import polars as pl

    from tongban.rules.bulk import BulkRuleSet, frame_from_rows

    compiled = BulkRuleSet(definition, elements, AS_OF)
    rng = random.Random(11)
    base = frame_from_rows([subject(rng) for _ in range(10_000)], compiled)
    frame = pl.concat([base] * (count // len(base)), rechunk=True)
    checks = len(frame) * compiled.clause_count
    for explain in (False, True):
        timings, cpu = [], []
        for _ in range(5):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = compiled.evaluate(frame, explain=explain, keep=["row"])
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        elapsed, used = min(timings), min(cpu)
        what = "+ every clause's result" if explain else "(outcome + blocking clause)"
        # On a loaded shared machine the wall clock counts time spent waiting for a core; the
        # process's CPU time is the work done (on one thread it is the per-core figure).
        print(
            f"bulk on {pl.thread_pool_size()} thread(s), {len(frame):,} subjects × "
            f"{compiled.clause_count} clauses {what}: wall {elapsed * 1000:7.1f} ms = "
            f"{checks / elapsed / 1e6:7.1f} M checks/s; CPU {used * 1000:7.1f} ms = "
            f"{checks / used / 1e6:7.1f} M checks/s per CPU-second"
        )
    passed = result.filter(pl.col("outcome") == "pass").height
    blocking = result["blocking_clause"].drop_nulls().mode().to_list()[:1]
    print(f"  {passed:,} pass; the most common blocking clause: {blocking}")


def main() -> int:
    print(
        f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} on {os.cpu_count()} cores"
    )
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 1_000_000
    workdir = fresh_django("tongban-bench-rules-")
    try:
        definition, elements = rule_set()
        if "--bulk-only" not in sys.argv:
            per_case(definition, elements, 20_000)
            if "--per-case" in sys.argv:
                return 0
            decide_per_case(definition, elements, 2_000)
        bulk(definition, elements, count)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    cores = os.cpu_count() or 1
    if "--bulk-only" not in sys.argv and cores > 1:
        # polars sizes its pool once per process: the all-cores figure needs a process of its own.
        env = {**os.environ, "POLARS_MAX_THREADS": str(cores)}
        subprocess.run([sys.executable, __file__, str(count), "--bulk-only"], env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
