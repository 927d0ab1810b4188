"""The staff editor: a catalogue administrator creates a policy, edits it, runs the dry run and
publishes it through the pages; bad input keeps what was typed and names the field; another
department's administrator is refused."""

import pytest

from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.policies.actions import lifecycle
from tongban.policies.models import Policy
from tongban.testing import factories

NEW = "/workbench/policies/new"


@pytest.fixture
def author(demo_city):
    return factories.staff(core_demo.department("mz"), "mzpolicy", Role.CATALOGUE_ADMIN)


def _as_posted(response) -> dict:
    """What the page's form would post as shown (initial values, or what was typed)."""
    data = {}
    context = response.context
    for name in ("form", "group", "modes"):
        for field in context[name]:
            value = field.value()
            if value is not None:
                data[field.html_name] = value
    for name in ("clauses", "bands"):
        formset = context[name]
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.forms:
            for field in form:
                value = field.value()
                if value is not None:
                    data[field.html_name] = value
    return data


def _row(prefix, n, **values) -> dict:
    return {f"{prefix}-{n}-{key}": value for key, value in values.items()}


def _new_policy(**changes) -> dict:
    data = {
        "code": "MZ-BSLR",
        "name": "百岁老人长寿补贴",
        "document_number": "许民〔2026〕30号（示例）",
        "document_text": "第一条 百岁老人每月领取长寿补贴。",
        "summary": "95周岁及以上老人按月领取长寿补贴。",
        "target": "person",
        "cycle": "monthly",
        "budget_cap": "100000",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "delivery": "automatic",
        "service_item_code": "",
        "objection_days": "10",
        "group": "all",
        "eligibility_mode": "rows",
        "eligibility_json": "",
        "formula_mode": "rows",
        "formula_json": "",
        "otherwise": "0",
        "c-TOTAL_FORMS": "2",
        "c-INITIAL_FORMS": "0",
        "b-TOTAL_FORMS": "2",
        "b-INITIAL_FORMS": "0",
        **_row(
            "c",
            0,
            clause="age95",
            label="年满95周岁",
            basis="《长寿补贴办法》（示例）第二条",
            element="person.birth_date",
            transform="years_since",
            operator="ge",
            value="95",
        ),
        **_row(
            "b",
            0,
            clause="age95",
            label="95周岁及以上",
            element="person.birth_date",
            transform="years_since",
            operator="ge",
            value="95",
            amount="300",
        ),
    }
    data.update(changes)
    return data


def test_create_edit_dry_run_and_publish_through_the_pages(client, author):
    client.force_login(author)
    assert "新建政策" in client.get("/workbench/policies/").content.decode()
    page = client.get(NEW)
    assert page.status_code == 200 and "基本信息" in page.content.decode()

    response = client.post(NEW, _new_policy())
    policy = Policy.objects.get(code="MZ-BSLR")
    assert response.status_code == 302 and response.url == f"/workbench/policies/{policy.pk}/"
    assert (
        policy.status == Policy.Status.DRAFT
        and policy.department == author.staff_profile.department
    )
    age = {
        "op": "years_between",
        "args": [{"var": "person.birth_date"}, {"op": "as_of", "args": []}],
    }
    assert policy.eligibility == {
        "root": {
            "all": [
                {
                    "clause": "age95",
                    "label": "年满95周岁",
                    "basis": "《长寿补贴办法》（示例）第二条",
                    "test": {"op": "ge", "args": [age, 95]},
                }
            ]
        }
    }
    assert policy.amount_formula["bands"][0]["amount"] == 300
    detail = client.get(f"/workbench/policies/{policy.pk}/").content.decode()
    assert "年满95周岁" in detail and "95周岁及以上：300 元" in detail

    # Edit: the page shows the rows as saved; a second band and a new name are kept.
    edit = client.get(f"/workbench/policies/{policy.pk}/edit")
    data = _as_posted(edit)
    assert data["c-0-element"] == "person.birth_date" and data["b-0-amount"] == 300
    data.update(
        name="百岁老人长寿补贴（修订）",
        **_row(
            "b",
            1,
            clause="age100",
            label="100周岁及以上",
            element="person.birth_date",
            transform="years_since",
            operator="ge",
            value="100",
            amount="500",
        ),
    )
    # The 100+ band must come first to be reached: swap the two bands.
    for key in ("clause", "label", "value", "amount"):
        data[f"b-0-{key}"], data[f"b-1-{key}"] = data[f"b-1-{key}"], data[f"b-0-{key}"]
    assert client.post(f"/workbench/policies/{policy.pk}/edit", data).status_code == 302
    policy.refresh_from_db()
    assert policy.name == "百岁老人长寿补贴（修订）"
    assert [b["amount"] for b in policy.amount_formula["bands"]] == [500, 300]

    dry = client.post(f"/workbench/policies/{policy.pk}/dry-run")
    assert dry.status_code == 200 and dry.context["dry_run"]["subjects"] > 0
    assert "按现有数据" in dry.content.decode()

    assert client.post(f"/workbench/policies/{policy.pk}/publish").status_code == 302
    policy.refresh_from_db()
    assert policy.status == Policy.Status.PUBLISHED and policy.versions.count() == 1
    # Published: not edited any more until suspended.
    assert client.get(f"/workbench/policies/{policy.pk}/edit").status_code == 302


def test_bad_input_keeps_what_was_typed_and_names_the_field(client, author):
    client.force_login(author)
    data = _new_policy(
        name="",
        valid_to="2025-12-31",
        **_row("c", 1, clause="since", element="person.birth_date", operator="ge", value="老"),
    )
    response = client.post(NEW, data)
    page = response.content.decode()
    assert response.status_code == 200 and not Policy.objects.filter(code="MZ-BSLR").exists()
    assert "政策名称：该字段是必填项。" in page
    assert "许民〔2026〕30号（示例）" in page and "第一条 百岁老人每月领取长寿补贴。" in page
    # The row that is wrong is named with its reason, and keeps what was typed.
    assert "第 2 条：比较值应为日期，如 2026-01-01" in page and 'value="老"' in page

    # The row mended: the service layer's reason (失效 before 生效) goes next to its field.
    data.update(name="百岁老人长寿补贴", **_row("c", 1, value="2000-01-01", operator="le"))
    response = client.post(NEW, data)
    assert response.context["form"].errors["valid_to"] == ["失效日期不能早于生效日期"]

    # An enterprise element in a policy for people: the rule's problem next to the rule.
    data.update(
        valid_to="", **_row("c", 1, element="insurance.headcount", transform="value", value="5")
    )
    response = client.post(NEW, data)
    assert "insurance.headcount" in " ".join(response.context["sections"]["eligibility"])

    # JSON that does not parse names the field and keeps the text.
    data.update(formula_mode="json", formula_json='{"bands": [')
    page = client.post(NEW, data).content.decode()
    assert "金额公式（规则格式 JSON）：不是合法的 JSON" in page and "{&quot;bands&quot;: [" in page
    assert not Policy.objects.filter(code="MZ-BSLR").exists()


def test_a_formula_the_rows_cannot_show_is_edited_as_json_and_kept(client, demo_city):
    admin = factories.staff(core_demo.department("rs"), "rspolicy", Role.CATALOGUE_ADMIN)
    client.force_login(admin)
    policy = Policy.objects.get(code="RS-WGFH")
    formula = policy.amount_formula
    lifecycle.suspend(actor=admin, policy=policy, reason="调整标准")
    page = client.get(f"/workbench/policies/{policy.pk}/edit")
    data = _as_posted(page)
    assert data["formula_mode"] == "json" and "按人数计算" in page.content.decode()
    data["budget_cap"] = "400000"
    assert client.post(f"/workbench/policies/{policy.pk}/edit", data).status_code == 302
    policy.refresh_from_db()
    assert policy.amount_formula == formula and policy.budget_cap == 400000


def test_another_departments_administrator_is_refused(client, author, demo_city):
    policy = Policy.objects.get(code="MZ-GLJT")
    lifecycle.suspend(actor=author, policy=policy, reason="调整标准")
    other = factories.staff(core_demo.department("rs"), "rsother", Role.CATALOGUE_ADMIN)
    client.force_login(other)
    assert client.get(f"/workbench/policies/{policy.pk}/edit").status_code == 403
    assert client.post(f"/workbench/policies/{policy.pk}/edit", {}).status_code == 403
    handler = factories.staff(core_demo.department("mz"), "mzhandler", Role.HANDLER)
    client.force_login(handler)
    assert client.get(NEW).status_code == 403
    assert client.get(f"/workbench/policies/{policy.pk}/edit").status_code == 403
