"""The rule format, the interpreter's trace, and the rule-set lifecycle."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongban.accounts import actions as accounts
from tongban.accounts.roles import Role
from tongban.core import audit
from tongban.core.models import AuditRecord
from tongban.rules import actions, grammar
from tongban.rules.interpreter import FAIL, PASS, UNKNOWN, Fact, evaluate
from tongban.rules.models import RuleDecision, RuleSetVersion

ELEMENTS = {
    "form.id_number": grammar.Element("form.id_number", grammar.STRING, "身份证号码"),
    "licence.driving_since": grammar.Element("licence.driving_since", grammar.DATE, "初次领证日期"),
    "records.offences": grammar.Element(
        "records.offences", grammar.LIST, "违法记录", item_type=grammar.STRING
    ),
    "vehicle.emission": grammar.Element(
        "vehicle.emission", grammar.STRING, "排放标准", codes=("国四", "国五", "国六")
    ),
}
AS_OF = datetime.date(2026, 12, 4)

DRIVER = {
    "constants": {"MIN_YEARS": {"type": "number", "value": 3}},
    "root": {
        "all": [
            {
                "clause": "age",
                "label": "年满21周岁，不满60周岁",
                "basis": "《网络预约出租汽车经营服务管理暂行办法》第十四条",
                "test": {
                    "op": "between",
                    "args": [
                        {
                            "op": "years_between",
                            "args": [
                                {"op": "birth_date", "args": [{"var": "form.id_number"}]},
                                {"op": "as_of", "args": []},
                            ],
                        },
                        21,
                        59,
                    ],
                },
            },
            {
                "clause": "experience",
                "label": "取得驾驶证满3年",
                "basis": "同上",
                "test": {
                    "op": "ge",
                    "args": [
                        {
                            "op": "years_between",
                            "args": [{"var": "licence.driving_since"}, {"op": "as_of", "args": []}],
                        },
                        {"const": "MIN_YEARS"},
                    ],
                },
            },
            {
                "clause": "record",
                "label": "无暴力犯罪、吸毒、醉驾记录",
                "basis": "同上",
                "test": {
                    "op": "not",
                    "args": [
                        {
                            "op": "any_in",
                            "args": [
                                {"var": "records.offences"},
                                {"list": ["暴力犯罪", "吸毒", "醉驾"]},
                            ],
                        }
                    ],
                },
            },
        ]
    },
}


def facts(id_number="411002199001010011", since="2019-05-01", offences=()):
    return {
        "form.id_number": Fact(id_number, {"kind": "form"}),
        "licence.driving_since": Fact(since, {"kind": "exchange", "resource": "驾驶证"}),
        "records.offences": Fact(list(offences), {"kind": "exchange", "resource": "违法记录"}),
    }


# --- the format ----------------------------------------------------------------------------------


def test_a_valid_definition_has_no_problems():
    assert grammar.validate(DRIVER, ELEMENTS) == []


@pytest.mark.parametrize(
    ("test", "problem"),
    [
        ({"op": "gt", "args": [{"var": "form.nope"}, 1]}, "未知的数据项“form.nope”"),
        ({"op": "gt", "args": [{"var": "form.id_number"}, 1]}, "比较的两边类型不同"),
        ({"op": "lt", "args": [{"var": "form.id_number"}, "a"]}, "只有数值和日期可以比较大小"),
        ({"op": "eq", "args": [{"var": "vehicle.emission"}, "国三"]}, "“国三”不在数据项的代码表中"),
        ({"op": "frobnicate", "args": []}, "未知的运算“frobnicate”"),
        ({"op": "ge", "args": [{"const": "NOPE"}, 1]}, "未定义的常量“NOPE”"),
        ({"op": "between", "args": [1, 5, 2]}, "下限大于上限"),
        ({"op": "ge", "args": [1]}, "需要2个参数，实际为1个"),
        ({"op": "add", "args": [1, 2]}, "判断条件的结果应为是/否"),
    ],
)
def test_mistakes_are_named_in_chinese(test, problem):
    definition = {"root": {"clause": "c1", "label": "条件", "test": test}}
    problems = grammar.validate(definition, ELEMENTS)
    assert any(problem in p for p in problems), problems


def test_contradictory_clauses_are_found():
    older = {"op": "ge", "args": [{"var": "records.count"}, 60]}
    younger = {"op": "lt", "args": [{"var": "records.count"}, 18]}
    elements = {**ELEMENTS, "records.count": grammar.Element("records.count", grammar.NUMBER)}
    definition = {
        "root": {
            "all": [
                {"clause": "old", "label": "年满60", "test": older},
                {"clause": "young", "label": "未满18", "test": younger},
            ]
        }
    }
    problems = grammar.validate(definition, elements)
    assert any("互相矛盾" in p and "old、young" in p for p in problems), problems
    # The same two clauses as alternatives are fine.
    definition["root"] = {"any": definition["root"]["all"]}
    assert grammar.validate(definition, elements) == []


def test_duplicate_clause_ids_and_empty_groups_are_refused():
    clause = DRIVER["root"]["all"][0]
    problems = grammar.validate({"root": {"all": [clause, clause, {"any": []}]}}, ELEMENTS)
    assert any("条款编号重复" in p for p in problems)
    assert any("条款组不能为空" in p for p in problems)


# --- the interpreter ---------------------------------------------------------------------------------


def test_a_passing_subject_has_every_clause_traced_with_values_and_sources():
    outcome = evaluate(DRIVER, ELEMENTS, facts(), as_of=AS_OF)
    assert outcome.outcome == PASS and outcome.blocking_clause is None
    assert [c.clause for c in outcome.clauses] == ["age", "experience", "record"]
    experience = outcome.clauses[1]
    assert experience.basis == "同上" and experience.result is True
    assert experience.values == [
        {
            "element": "licence.driving_since",
            "value": "2019-05-01",
            "source": {"kind": "exchange", "resource": "驾驶证"},
        }
    ]


def test_the_first_failing_clause_blocks():
    outcome = evaluate(DRIVER, ELEMENTS, facts(since="2025-01-01", offences=["醉驾"]), as_of=AS_OF)
    assert outcome.outcome == FAIL
    assert outcome.blocking_clause == "experience"
    assert outcome.blocking.label == "取得驾驶证满3年"


def test_an_age_counts_completed_years_on_the_reference_date():
    born_21_tomorrow = "411002200512050011"  # 21 on 2026-12-05
    assert evaluate(DRIVER, ELEMENTS, facts(born_21_tomorrow), as_of=AS_OF).blocking_clause == "age"
    assert evaluate(
        DRIVER, ELEMENTS, facts(born_21_tomorrow), as_of=datetime.date(2026, 12, 5)
    ).passed


def test_missing_data_is_unknown_and_never_passes():
    incomplete = facts()
    del incomplete["licence.driving_since"]
    outcome = evaluate(DRIVER, ELEMENTS, incomplete, as_of=AS_OF)
    assert outcome.outcome == UNKNOWN
    assert outcome.blocking_clause == "experience"
    assert outcome.missing == ["licence.driving_since"]


def test_a_value_of_the_wrong_type_is_unknown_not_true():
    outcome = evaluate(DRIVER, ELEMENTS, facts(since="not a date"), as_of=AS_OF)
    assert outcome.outcome == UNKNOWN


@pytest.mark.django_db
def test_working_days_are_counted_on_the_platform_calendar():
    elements = {"case.filed": grammar.Element("case.filed", grammar.DATE)}
    definition = {
        "root": {
            "clause": "recent",
            "label": "十个工作日内提出",
            "test": {
                "op": "le",
                "args": [
                    {
                        "op": "workdays_between",
                        "args": [{"var": "case.filed"}, {"op": "as_of", "args": []}],
                    },
                    10,
                ],
            },
        }
    }
    # 2026-09-30 → 2026-10-15: the National Day week (1–8 Oct) is not counted: 7 working days.
    filed = {"case.filed": Fact("2026-09-30")}
    assert evaluate(definition, elements, filed, as_of=datetime.date(2026, 10, 15)).passed
    # Calendar days would be 15; working days across an ordinary fortnight are 11.
    filed = {"case.filed": Fact("2026-11-02")}
    assert not evaluate(definition, elements, filed, as_of=datetime.date(2026, 11, 17)).passed


# --- the lifecycle ----------------------------------------------------------------------------------


@pytest.fixture
def declared(db):
    for element in ELEMENTS.values():
        actions.declare_element(
            actor=None,
            name=element.name,
            label=element.label,
            type=element.type,
            source="form" if element.name.startswith("form.") else "exchange",
            codes=element.codes,
            item_type=element.item_type,
        )


@pytest.fixture
def author(department):
    return accounts.create_staff(
        actor=None,
        login_name="rules01",
        display_name="规则编写",
        department=department,
        roles=[Role.CATALOGUE_ADMIN],
        password="Tongban2026",
    )


@pytest.fixture
def draft(declared, author, department):
    return actions.create_rule_set(
        actor=author,
        code="wyc-driver",
        name="网约车驾驶员从业资格",
        department=department,
        definition=DRIVER,
    )


def test_an_invalid_definition_cannot_be_saved(declared, author, department):
    broken = {
        "root": {"clause": "c1", "label": "x", "test": {"op": "gt", "args": [{"var": "form.x"}, 1]}}
    }
    with pytest.raises(ValidationError) as error:
        actions.create_rule_set(
            actor=author, code="x", name="x", department=department, definition=broken
        )
    assert "未知的数据项“form.x”" in str(error.value)


def test_someone_else_cannot_write_rules(declared, staff_clerk, department):
    with pytest.raises(PermissionDenied):
        actions.create_rule_set(
            actor=staff_clerk, code="x", name="x", department=department, definition=DRIVER
        )


def test_a_version_publishes_only_when_its_tests_pass(draft, author):
    with pytest.raises(ValidationError, match="至少需要一个测试用例"):
        actions.publish(actor=author, version=draft)
    actions.add_test_case(
        actor=author,
        version=draft,
        name="合格驾驶员",
        as_of=AS_OF,
        expected="pass",
        facts={
            "form.id_number": "411002199001010011",
            "licence.driving_since": "2019-05-01",
            "records.offences": [],
        },
    )
    wrong = actions.add_test_case(
        actor=author,
        version=draft,
        name="醉驾记录",
        as_of=AS_OF,
        expected="fail",
        expected_clause="experience",  # wrong: it is the record clause that fails
        facts={
            "form.id_number": "411002199001010011",
            "licence.driving_since": "2019-05-01",
            "records.offences": ["醉驾"],
        },
    )
    with pytest.raises(ValidationError, match="测试用例未通过，不能发布：醉驾记录"):
        actions.publish(actor=author, version=draft)
    assert RuleSetVersion.objects.get(pk=draft.pk).status == "draft"
    wrong.expected_clause = "record"
    wrong.save()
    published = actions.publish(actor=author, version=draft, valid_from=AS_OF)
    assert published.status == "published"
    assert [e.to_status for e in published.events.all()] == ["draft", "published"]
    assert AuditRecord.objects.filter(action="rules.version.publish").exists()
    assert audit.verify_chain().intact


def test_a_new_version_replaces_the_old_one_from_its_effective_date(draft, author):
    actions.add_test_case(
        actor=author,
        version=draft,
        name="合格",
        as_of=AS_OF,
        expected="pass",
        facts={
            "form.id_number": "411002199001010011",
            "licence.driving_since": "2019-05-01",
            "records.offences": [],
        },
    )
    first = actions.publish(actor=author, version=draft, valid_from=AS_OF)
    second = actions.new_draft(actor=author, rule_set=first.rule_set, change_note="放宽驾龄")
    assert second.number == 2 and second.tests.count() == 1
    stricter = {**DRIVER, "constants": {"MIN_YEARS": {"type": "number", "value": 2}}}
    actions.update_draft(actor=author, version=second, definition=stricter)
    later = AS_OF + datetime.timedelta(days=30)
    actions.publish(actor=author, version=second, valid_from=later)
    assert actions.version_in_force(first.rule_set, AS_OF).number == 1
    assert actions.version_in_force(first.rule_set, later).number == 2
    with pytest.raises(ValidationError):
        actions.update_draft(actor=author, version=second, definition=DRIVER)


def test_a_decision_keeps_its_version_and_trace(draft, author):
    actions.add_test_case(
        actor=author,
        version=draft,
        name="合格",
        as_of=AS_OF,
        expected="pass",
        facts={
            "form.id_number": "411002199001010011",
            "licence.driving_since": "2019-05-01",
            "records.offences": [],
        },
    )
    with pytest.raises(ValidationError, match="只有已发布"):
        actions.decide(
            version=draft, subject_type="case", subject_ref="X", facts=facts(), as_of=AS_OF
        )
    version = actions.publish(actor=author, version=draft, valid_from=AS_OF)
    decision, _ = actions.decide(
        version=version,
        subject_type="case",
        subject_ref="CASE-1",
        facts=facts(offences=["吸毒"]),
        as_of=AS_OF,
    )
    stored = RuleDecision.objects.get(pk=decision.pk)
    assert stored.outcome == "fail" and stored.blocking_clause == "record"
    assert stored.trace["clauses"][2]["values"][0]["value"] == ["吸毒"]
    assert stored.version.number == 1


def _with_min_years(years: int) -> dict:
    return {**DRIVER, "constants": {"MIN_YEARS": {"type": "number", "value": years}}}


def test_a_published_version_is_compiled_once_and_a_draft_being_edited_never_reads_it(
    draft, author
):
    four_years = {
        "form.id_number": "411002199001010011",
        "licence.driving_since": "2022-06-01",
        "records.offences": [],
    }
    actions.add_test_case(
        actor=author, version=draft, name="驾龄四年", as_of=AS_OF, expected="pass", facts=four_years
    )
    first = actions.publish(actor=author, version=draft, valid_from=AS_OF)
    assert actions.compiled_version(first) is actions.compiled_version(first)

    def decided(version):
        return actions.decide(
            version=version,
            subject_type="case",
            subject_ref="CASE-2",
            facts=facts(since="2022-06-01"),
            as_of=AS_OF,
        )[1]

    assert decided(first).passed

    second = actions.new_draft(actor=author, rule_set=first.rule_set, change_note="驾龄5年")
    second = actions.update_draft(actor=author, version=second, definition=_with_min_years(5))
    assert actions.compiled_version(second) is not actions.compiled_version(second)
    [result] = actions.run_tests(second)
    assert result.outcome.outcome == FAIL and result.outcome.blocking_clause == "experience"
    assert decided(first).passed  # the published version is untouched by its draft

    second = actions.update_draft(actor=author, version=second, definition=_with_min_years(4))
    assert actions.run_tests(second)[0].passed  # the newest edit, not the one before
    second = actions.update_draft(actor=author, version=second, definition=_with_min_years(5))
    case = second.tests.get()
    case.facts = {**four_years, "licence.driving_since": "2021-06-01"}
    case.save()
    second = actions.publish(actor=author, version=second, valid_from=AS_OF.replace(day=5))
    outcome = decided(second)
    assert outcome.outcome == FAIL and outcome.blocking_clause == "experience"
    assert RuleDecision.objects.filter(subject_ref="CASE-2", version=second).exists()


def test_a_reused_version_id_never_serves_the_definition_kept_under_it():
    from tongban.rules import interpreter

    lenient, strict = _with_min_years(1), _with_min_years(10)
    first = datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC)
    again = first + datetime.timedelta(seconds=1)
    assert interpreter.published(987654, first, lenient, ELEMENTS).run(facts(), AS_OF).passed
    # The same id published again (a rolled-back transaction gave it out twice): not the old form.
    assert not interpreter.published(987654, again, strict, ELEMENTS).run(facts(), AS_OF).passed
    # Publishing drops the id, so even an equal publication time compiles afresh.
    interpreter.forget(987654)
    assert interpreter.published(987654, again, lenient, ELEMENTS).run(facts(), AS_OF).passed
    interpreter.forget(987654)
