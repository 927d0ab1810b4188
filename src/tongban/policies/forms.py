"""The staff editor's forms: a policy's basic facts, its eligibility as rows of the rules app's
structured editor (rules.editor), and its amount formula as bands (a condition row → an amount).

A rule or a formula the rows cannot express (nested groups, a per-head product, constants in an
amount) is edited as JSON; the page says so and keeps the tree as it is.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from tongban.policies import data
from tongban.policies.models import Policy
from tongban.rules import editor
from tongban.rules.staff_views import ClauseForm

ROWS, JSON = "rows", "json"
MODES = [(ROWS, _("逐条填写")), (JSON, _("直接编写（规则格式 JSON）"))]
BASIC = [
    "name",
    "document_number",
    "document_text",
    "summary",
    "target",
    "cycle",
    "budget_cap",
    "valid_from",
    "valid_to",
    "delivery",
    "service_item_code",
    "objection_days",
]


def element_choices() -> list:
    """Every element a policy can read, grouped by target (a row names the one it compares)."""
    groups = [("", _("—— 请选择 ——"))]
    for target, label in Policy.Target.choices:
        groups.append(
            (label, [(e.name, f"{e.label}（{e.name}）") for e in data.elements(target).values()])
        )
    return groups


def all_elements() -> dict:
    return {**data.elements(data.PERSON), **data.elements(data.ENTERPRISE)}


class PolicyForm(forms.Form):
    """基本信息, the model's own fields. The code and the target are chosen once, when the policy
    is created; the service layer validates the policy as a whole (rule, formula, dates, code)."""

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(
            Policy,
            fields=BASIC,
            widgets={
                "document_text": forms.Textarea(attrs={"rows": 6}),
                "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            },
        )
        if creating:
            self.fields["code"] = forms.RegexField(
                label=_("政策编码"),
                regex=r"^[A-Za-z0-9][A-Za-z0-9-]{1,39}$",
                error_messages={"invalid": _("字母、数字和连字符，2–40 个字符，如 MZ-GLJT")},
                help_text=_("创建后不能修改"),
            )
        else:
            del fields["target"]
        self.fields.update(fields)
        self.fields["budget_cap"].validators.append(
            MinValueValidator(Decimal("0.01"), message=_("预算上限应大于0"))
        )

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in BASIC if name in self.fields}


class GroupForm(forms.Form):
    group = forms.ChoiceField(
        label=_("条款之间的关系"),
        choices=[("all", _("全部满足")), ("any", _("满足其中任一"))],
    )


class ModeForm(forms.Form):
    """How each part is written (rows or JSON), with the JSON when it is."""

    eligibility_mode = forms.ChoiceField(
        label=_("享受条件的编写方式"), choices=MODES, widget=forms.RadioSelect
    )
    eligibility_json = forms.CharField(
        label=_("享受条件（规则格式 JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"class": "policy-json", "spellcheck": "false"}),
    )
    formula_mode = forms.ChoiceField(
        label=_("金额公式的编写方式"),
        choices=[(ROWS, _("按档填写（条件 → 金额）")), (JSON, _("直接编写（规则格式 JSON）"))],
        widget=forms.RadioSelect,
    )
    formula_json = forms.CharField(
        label=_("金额公式（规则格式 JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"class": "policy-json", "spellcheck": "false"}),
    )
    otherwise = forms.DecimalField(
        label=_("都不符合时的金额（元）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        initial=0,
        help_text=_("通常为 0"),
    )

    def _json(self, name: str, mode_field: str):
        raw = (self.cleaned_data.get(name) or "").strip()
        if self.cleaned_data.get(mode_field) != JSON:
            return raw
        if not raw:
            raise forms.ValidationError(_("请填写 JSON"))
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("不是合法的 JSON：第 %(line)s 行第 %(col)s 列附近")
                % {"line": error.lineno, "col": error.colno}
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("应为一个对象（以 { 开头）"))
        return value

    def clean(self):
        data = super().clean()
        for name, mode in (
            ("eligibility_json", "eligibility_mode"),
            ("formula_json", "formula_mode"),
        ):
            if name in data:
                try:
                    data[name] = self._json(name, mode)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data


# The rules editor's labels, for the policy pages in English.
TRANSFORM_LABELS = {
    "value": _("数据本身"),
    "age": _("按身份证号码计算的周岁"),
    "years_since": _("距基准日的整年数"),
    "days_since": _("距基准日的天数"),
    "workdays_since": _("距基准日的工作日数"),
    "days_until": _("基准日距该日期的天数"),
    "count": _("条数"),
}
OPERATOR_LABELS = {
    "eq": _("等于"),
    "ne": _("不等于"),
    "lt": _("小于"),
    "le": _("不大于"),
    "gt": _("大于"),
    "ge": _("不小于"),
    "between": _("介于（含两端）"),
    "in": _("属于其中之一"),
    "not_in": _("不属于其中任何一个"),
    "starts_with": _("以…开头"),
    "any_in": _("含有其中任一"),
    "none_in": _("不含其中任何一个"),
    "exists": _("有数据"),
    "missing": _("没有数据"),
    "is_true": _("为“是”"),
    "is_false": _("为“否”"),
}
ROW_LABELS = {
    "clause": _("条款编号"),
    "label": _("条款说明"),
    "basis": _("法律依据"),
    "element": _("数据项"),
    "transform": _("计算"),
    "operator": _("比较"),
    "value": _("值"),
    "value2": _("上限"),
}


class RowForm(ClauseForm):
    """The rules editor's row, labelled in the page's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in ROW_LABELS.items():
            self.fields[name].label = label
        self.fields["clause"].error_messages["invalid"] = _("以字母开头，只含字母、数字和下划线")
        self.fields["transform"].choices = [
            (key, TRANSFORM_LABELS.get(key, label[0])) for key, label in editor.TRANSFORMS.items()
        ]
        self.fields["operator"].choices = [("", "——")] + [
            (key, OPERATOR_LABELS.get(key, label)) for key, label in editor.OPERATORS.items()
        ]


class BandForm(RowForm):
    """One amount band: the condition as an eligibility row, and the amount it gives."""

    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )

    def is_blank(self) -> bool:
        return super().is_blank() and self.cleaned_data.get("amount") is None


ClauseFormSet = forms.formset_factory(RowForm, extra=2, max_num=60, validate_max=True)
BandFormSet = forms.formset_factory(BandForm, extra=2, max_num=30, validate_max=True)


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def rows_of(formset, *, bands: bool) -> tuple[list[dict], list[str]]:
    """The clauses (or bands) the filled rows make; each bad row's reason goes on the row too."""
    elements = all_elements()
    clauses, problems = [], []
    for index, form in enumerate(formset.forms, 1):
        if form.is_blank():
            continue
        row = editor.Row(**{k: form.cleaned_data.get(k) or "" for k in editor.Row.__annotations__})
        row.transform = row.transform or "value"
        try:
            clause = editor.row_to_clause(row, elements)
            if bands:
                if form.cleaned_data.get("amount") is None:
                    raise editor.RowError(_("请填写这一档的金额"))
                clause["amount"] = _number(form.cleaned_data["amount"])
        except editor.RowError as error:
            form.add_error(None, str(error))
            what = _("第 %(n)s 档") if bands else _("第 %(n)s 条")
            problems.append(f"{what % {'n': index}}：{error}")
            continue
        clauses.append(clause)
    return clauses, problems


def _faithful(row: editor.Row, clause: dict) -> bool:
    """The row turns back into the very same test (a comparison with the reference date or
    another datum would otherwise come back as a text value)."""
    try:
        return editor.row_to_clause(row, all_elements())["test"] == clause["test"]
    except editor.RowError:
        return False


def formula_rows(formula) -> tuple[list[dict], object] | None:
    """(rows, otherwise) for a formula of bands the rows can show, else None."""
    if not isinstance(formula, dict) or set(formula) - {"bands", "otherwise"}:
        return None
    rows = []
    for band in formula.get("bands") or []:
        amount = band.get("amount") if isinstance(band, dict) else None
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            return None
        try:
            row = editor.clause_to_row(band)
        except (KeyError, IndexError, TypeError):
            row = None
        if row is None or not _faithful(row, band):
            return None
        rows.append(row.__dict__ | {"amount": amount})
    return rows, formula.get("otherwise", 0)


def eligibility_rows(eligibility) -> tuple[str, list[dict]] | None:
    if not isinstance(eligibility, dict):
        return None
    try:
        shaped = editor.definition_to_rows(eligibility)
    except (KeyError, IndexError, TypeError):
        return None
    if shaped is None:
        return None
    root = eligibility["root"]
    nodes = [root] if "clause" in root else root[shaped[0]]
    if not all(_faithful(row, node) for row, node in zip(shaped[1], nodes, strict=True)):
        return None
    return shaped[0], [row.__dict__ for row in shaped[1]]
