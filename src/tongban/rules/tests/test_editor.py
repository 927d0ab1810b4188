"""The structured editor: rows ⇄ rule format, and a staff member's way from a new rule set to a
published one through the pages."""

import pytest

from tongban.accounts import actions as accounts
from tongban.accounts.roles import Role
from tongban.rules import actions, editor, grammar
from tongban.rules.models import RuleSetVersion

ELEMENTS = {
    "form.id_number": grammar.Element("form.id_number", grammar.STRING, "身份证号码"),
    "licence.since": grammar.Element("licence.since", grammar.DATE, "初次领证日期"),
    "records.offences": grammar.Element("records.offences", grammar.LIST, "违法记录"),
    "vehicle.emission": grammar.Element(
        "vehicle.emission", grammar.STRING, "排放标准", codes=("国四", "国五", "国六")
    ),
    "social.months": grammar.Element("social.months", grammar.NUMBER, "参保月数"),
    "enterprise.active": grammar.Element("enterprise.active", grammar.BOOL, "存续"),
}

ROWS = [
    editor.Row("age", "年满21周岁", "第十四条", "form.id_number", "age", "between", "21", "59"),
    editor.Row("exp", "驾龄满3年", "", "licence.since", "years_since", "ge", "3"),
    editor.Row("rec", "无醉驾记录", "", "records.offences", "value", "none_in", "醉驾, 吸毒"),
    editor.Row("count", "记录少于3条", "", "records.offences", "count", "lt", "3"),
    editor.Row("emis", "国五以上", "", "vehicle.emission", "value", "in", "国五，国六"),
    editor.Row("ins", "参保", "", "social.months", "value", "exists"),
    editor.Row("act", "企业存续", "", "enterprise.active", "value", "is_true"),
    editor.Row("recent", "领证不久", "", "licence.since", "workdays_since", "le", "10"),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.clause for r in ROWS])
def test_every_row_becomes_a_valid_clause_and_comes_back_unchanged(row):
    clause = editor.row_to_clause(row, ELEMENTS)
    assert grammar.validate({"root": clause}, ELEMENTS) == []
    back = editor.clause_to_row(clause)
    assert back is not None
    assert (back.element, back.transform, back.operator) == (
        row.element,
        row.transform,
        row.operator,
    )
    assert back.value.replace("，", ", ") == row.value.replace("，", ", ")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (editor.Row("a", "x", "", "", "value", "eq", "1"), "请选择数据项"),
        (editor.Row("a", "x", "", "social.months", "age", "ge", "1"), "不适用于数值数据"),
        (editor.Row("a", "x", "", "social.months", "value", "ge", "三"), "比较值应为数字"),
        (editor.Row("a", "x", "", "licence.since", "value", "ge", "昨天"), "应为日期"),
        (editor.Row("a", "x", "", "social.months", "value", "between", "1", ""), "请填写上限"),
        (editor.Row("a", "x", "", "social.months", "value", "any_in", "1"), "只适用于列表"),
    ],
)
def test_a_row_that_cannot_be_a_clause_says_why(row, reason):
    with pytest.raises(editor.RowError, match=reason):
        editor.row_to_clause(row, ELEMENTS)


def test_a_nested_tree_is_not_offered_as_rows():
    clause = editor.row_to_clause(ROWS[0], ELEMENTS)
    assert editor.definition_to_rows({"root": {"all": [clause]}}) is not None
    assert editor.definition_to_rows({"root": {"all": [{"any": [clause]}]}}) is None


# --- the pages ---------------------------------------------------------------------------------------


@pytest.fixture
def author(department, db):
    for element in ELEMENTS.values():
        actions.declare_element(
            actor=None,
            name=element.name,
            label=element.label,
            type=element.type,
            source="form",
            codes=element.codes,
        )
    return accounts.create_staff(
        actor=None,
        login_name="rules02",
        display_name="规则编写",
        department=department,
        roles=[Role.CATALOGUE_ADMIN],
        password="Tongban2026",
    )


def _rows(*rows, extra=1):
    data = {"c-TOTAL_FORMS": str(len(rows) + extra), "c-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for key, value in row.__dict__.items():
            data[f"c-{index}-{key}"] = value
    return data


def test_a_staff_member_authors_tests_fixes_and_publishes(client, author):
    client.force_login(author)
    wrong = editor.Row("exp", "驾龄满3年", "第十四条", "licence.since", "years_since", "ge", "30")
    page = client.post(
        "/workbench/rules/new",
        {"code": "wyc-driver", "name": "网约车驾驶员", "group": "all", **_rows(wrong)},
    )
    version = RuleSetVersion.objects.get(rule_set__code="wyc-driver")
    assert (
        page.status_code == 302 and page["Location"] == f"/workbench/rules/versions/{version.pk}/"
    )

    client.post(
        f"/workbench/rules/versions/{version.pk}/tests",
        {
            "name": "驾龄五年",
            "as_of": "2026-12-04",
            "expected": "pass",
            "fact__licence.since": "2021-01-01",
        },
    )
    detail = client.get(f"/workbench/rules/versions/{version.pk}/").content.decode()
    assert "未通过" in detail and "测试用例全部通过后才能发布" in detail
    refused = client.post(f"/workbench/rules/versions/{version.pk}/publish", follow=True)
    assert "测试用例未通过，不能发布：驾龄五年" in refused.content.decode()

    fixed = editor.Row("exp", "驾龄满3年", "第十四条", "licence.since", "years_since", "ge", "3")
    client.post(f"/workbench/rules/versions/{version.pk}/edit", {"group": "all", **_rows(fixed)})
    assert "通过" in client.get(f"/workbench/rules/versions/{version.pk}/").content.decode()
    client.post(f"/workbench/rules/versions/{version.pk}/publish", {"valid_from": "2026-12-04"})
    version.refresh_from_db()
    assert version.status == "published"


def test_editor_errors_are_shown_and_nothing_is_saved(client, author):
    client.force_login(author)
    bad = editor.Row("exp", "驾龄", "", "licence.since", "years_since", "ge", "三年")
    page = client.post(
        "/workbench/rules/new", {"code": "bad-one", "name": "错误", "group": "all", **_rows(bad)}
    )
    assert page.status_code == 200
    assert "第 1 条：比较值应为数字" in page.content.decode()
    assert not RuleSetVersion.objects.exists()


def test_other_staff_cannot_open_rule_pages(client, staff_clerk):
    client.force_login(staff_clerk)
    assert client.get("/workbench/rules/").status_code == 403


def test_each_clause_is_headed_by_its_label_and_judgement_with_the_live_script(client, author):
    """Issue 31: the fieldset of a clause is headed by its 条款说明 and its judgement in words; the
    app's own script (no CDN) keeps them current while the clause is edited."""
    client.force_login(author)
    row = editor.Row(
        "age", "年满21周岁", "第十四条", "form.id_number", "age", "between", "21", "59"
    )
    client.post(
        "/workbench/rules/new", {"code": "wyc", "name": "网约车", "group": "all", **_rows(row)}
    )
    version = RuleSetVersion.objects.get(rule_set__code="wyc")

    page = client.get(f"/workbench/rules/versions/{version.pk}/edit").content.decode()

    first = page.split("<fieldset")[1]
    assert "第 1 条<span data-clause-heading>：年满21周岁</span>" in first
    assert "判断：身份证号码（申请表）（按身份证号码计算的周岁） 介于（含两端） 21 — 59" in first
    assert "判断：尚未填写" in page.split("<fieldset")[2]  # the empty row below
    assert '<script src="/static/rules/clause_labels.js" defer></script>' in page
    # An unsaved row posted back with an error keeps its own heading.
    bad = editor.Row("exp", "驾龄满3年", "", "licence.since", "years_since", "ge", "三年")
    refused = client.post(
        f"/workbench/rules/versions/{version.pk}/edit", {"group": "all", **_rows(bad)}
    ).content.decode()
    assert "<span data-clause-heading>：驾龄满3年</span>" in refused
    assert "比较值应为数字" in refused


def test_the_version_page_names_outcomes_in_words_not_codes(client, author):
    client.force_login(author)
    row = editor.Row("exp", "驾龄满3年", "第十四条", "licence.since", "years_since", "ge", "3")
    client.post(
        "/workbench/rules/new", {"code": "drv", "name": "驾驶员", "group": "all", **_rows(row)}
    )
    version = RuleSetVersion.objects.get(rule_set__code="drv")
    for name, since in (("驾龄五年", "2021-01-01"), ("新手", "2026-01-01")):
        client.post(
            f"/workbench/rules/versions/{version.pk}/tests",
            {"name": name, "as_of": "2026-12-04", "expected": "pass", "fact__licence.since": since},
        )

    page = client.get(f"/workbench/rules/versions/{version.pk}/").content.decode()

    passing = page.split("驾龄五年")[1].split("</tr>")[0]
    failing = page.split("新手")[1].split("</tr>")[0]
    assert '<td data-outcome="pass">符合</td>' in passing
    assert '<td data-outcome="fail">不符合（第一个不满足的条款：exp 驾龄满3年）</td>' in failing
    assert ">pass<" not in page and ">fail<" not in page
