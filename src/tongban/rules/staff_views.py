"""Staff pages under /workbench/rules/: rule sets, the structured editor, test cases, publishing.

Every change goes through rules.actions; these views only turn forms into calls and errors into
messages on the page.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import can_act_for_department, role_required, staff_department_id
from tongban.accounts.roles import Role
from tongban.rules import actions, editor, grammar
from tongban.rules.models import DataElement, RuleSet, RuleSetVersion, RuleTestCase

authors_only = role_required(Role.CATALOGUE_ADMIN)
S = RuleSetVersion.Status


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _own_version(request, pk) -> RuleSetVersion:
    version = get_object_or_404(
        RuleSetVersion.objects.select_related("rule_set__department"), pk=pk
    )
    if not can_act_for_department(request.user, version.rule_set.department_id):
        raise PermissionDenied(_("只能管理本部门的规则"))
    return version


# --- forms -----------------------------------------------------------------------------------------


def _element_choices():
    return [("", "—— 请选择 ——")] + [
        (e.name, f"{e.label}（{e.get_source_display()}）") for e in DataElement.objects.all()
    ]


class ClauseForm(forms.Form):
    clause = forms.RegexField(
        label=_("条款编号"),
        regex=grammar.CLAUSE_ID,
        max_length=40,
        required=False,
        error_messages={"invalid": _("以字母开头，只含字母、数字和下划线")},
    )
    label = forms.CharField(label=_("条款说明"), max_length=200, required=False)
    basis = forms.CharField(label=_("法律依据"), max_length=300, required=False)
    element = forms.ChoiceField(label=_("数据项"), required=False)
    transform = forms.ChoiceField(
        label=_("计算"), choices=[(k, v[0]) for k, v in editor.TRANSFORMS.items()], required=False
    )
    operator = forms.ChoiceField(
        label=_("比较"), choices=[("", "——"), *editor.OPERATORS.items()], required=False
    )
    value = forms.CharField(label=_("值"), max_length=500, required=False)
    value2 = forms.CharField(label=_("上限"), max_length=100, required=False)

    def __init__(self, *args, element_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["element"].choices = element_choices

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(k) for k in ("clause", "label", "element", "operator", "value"))


ClauseFormSet = formset_factory(ClauseForm, extra=2, max_num=60, validate_max=True)


class GroupForm(forms.Form):
    group = forms.ChoiceField(
        label=_("条款之间的关系"),
        choices=[("all", _("全部满足")), ("any", _("满足其中任一"))],
    )


class NewRuleSetForm(forms.Form):
    code = forms.RegexField(
        label=_("规则集编码"),
        regex=r"^[a-z0-9][a-z0-9-]{1,59}$",
        error_messages={"invalid": _("小写字母、数字和连字符，2–60 个字符")},
    )
    name = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)


def _clause_formset(request, version, data=None):
    choices = _element_choices()
    shaped = editor.definition_to_rows(version.definition) if version else None
    initial = [row.__dict__ for row in shaped[1]] if shaped else []
    return (
        ClauseFormSet(data, initial=initial, prefix="c", form_kwargs={"element_choices": choices}),
        shaped,
    )


def _clause_headings(formset) -> list[tuple]:
    """Each clause form with the heading its fieldset shows: the clause's 条款说明 (or its number)
    and the judgement as one line, from what the form holds now (bound or initial). The page's
    script keeps both up to date as the clause is edited."""
    out = []
    for form in formset.forms:
        value = {name: form[name].value() or "" for name in ClauseForm.base_fields}
        element = (
            dict(form.fields["element"].choices).get(value["element"], "")
            if value["element"]
            else ""
        )
        judgement = editor.describe(
            str(element), value["transform"], value["operator"], value["value"], value["value2"]
        )
        out.append((form, value["label"] or value["clause"], judgement))
    return out


def _clauses_from(formset) -> tuple[list[dict], list[str]]:
    elements = actions.elements()
    clauses, problems = [], []
    for index, form in enumerate(formset.forms, 1):
        if form.is_blank():
            continue
        row = editor.Row(**{k: form.cleaned_data.get(k) or "" for k in editor.Row.__annotations__})
        try:
            clauses.append(editor.row_to_clause(row, elements))
        except editor.RowError as error:
            problems.append(_("第 %(n)s 条：%(e)s") % {"n": index, "e": error})
    return clauses, problems


# --- pages -------------------------------------------------------------------------------------------


@authors_only
def rule_set_list(request):
    rule_sets = RuleSet.objects.select_related("department").order_by("code")
    if not request.user.has_role(Role.PLATFORM_ADMIN):
        rule_sets = rule_sets.filter(department_id=staff_department_id(request.user))
    page = Paginator(rule_sets, 25).get_page(request.GET.get("page"))
    latest = {}
    for version in RuleSetVersion.objects.filter(rule_set__in=list(page.object_list)).order_by(
        "rule_set_id", "number"
    ):
        latest[version.rule_set_id] = version
    rows = [(rule_set, latest.get(rule_set.pk)) for rule_set in page.object_list]
    return render(request, "rules/staff/list.html", {"page": page, "rows": rows})


@authors_only
def new_rule_set(request):
    form = NewRuleSetForm(request.POST or None)
    group = GroupForm(request.POST or None)
    formset, _shaped = _clause_formset(request, None, request.POST or None)
    problems = []
    if request.method == "POST" and form.is_valid() and group.is_valid() and formset.is_valid():
        clauses, problems = _clauses_from(formset)
        if not problems:
            try:
                version = actions.create_rule_set(
                    actor=request.user,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    department=request.user.staff_profile.department,
                    definition=editor.build(group.cleaned_data["group"], clauses),
                )
            except ValidationError as error:
                problems = _errors(error)
            else:
                messages.success(request, _("规则集已保存为草稿。请添加测试用例后发布。"))
                return redirect("rules_staff:version", pk=version.pk)
    return render(
        request,
        "rules/staff/edit.html",
        {
            "form": form,
            "group": group,
            "formset": formset,
            "clauses": _clause_headings(formset),
            "no_value_operators": " ".join(sorted(editor.NO_VALUE)),
            "problems": problems,
            "new": True,
        },
    )


@authors_only
def version_detail(request, pk):
    version = _own_version(request, pk)
    shaped = editor.definition_to_rows(version.definition)
    results = actions.run_tests(version)
    others = version.rule_set.versions.order_by("-number")
    return render(
        request,
        "rules/staff/version.html",
        {
            "version": version,
            "shaped": shaped,
            "results": results,
            "all_pass": bool(results) and all(r.passed for r in results),
            "others": others,
            "events": version.events.select_related("actor"),
            "operators": editor.OPERATORS,
            "transforms": {k: v[0] for k, v in editor.TRANSFORMS.items()},
            "elements": {e.name: e.label for e in DataElement.objects.all()},
        },
    )


@authors_only
def edit_draft(request, pk):
    version = _own_version(request, pk)
    if version.status != S.DRAFT:
        messages.error(request, _("只能修改草稿版本"))
        return redirect("rules_staff:version", pk=version.pk)
    formset, shaped = _clause_formset(request, version, request.POST or None)
    if shaped is None:
        messages.error(request, _("此规则含嵌套条件组，不能在表格中编辑，请通过接口编辑。"))
        return redirect("rules_staff:version", pk=version.pk)
    group = GroupForm(request.POST or None, initial={"group": shaped[0]})
    problems = []
    if request.method == "POST" and group.is_valid() and formset.is_valid():
        clauses, problems = _clauses_from(formset)
        if not problems:
            definition = editor.build(
                group.cleaned_data["group"], clauses, version.definition.get("constants")
            )
            try:
                actions.update_draft(actor=request.user, version=version, definition=definition)
            except ValidationError as error:
                problems = _errors(error)
            else:
                messages.success(request, _("草稿已保存"))
                return redirect("rules_staff:version", pk=version.pk)
    return render(
        request,
        "rules/staff/edit.html",
        {
            "version": version,
            "group": group,
            "formset": formset,
            "clauses": _clause_headings(formset),
            "no_value_operators": " ".join(sorted(editor.NO_VALUE)),
            "problems": problems,
        },
    )


def _fact_fields(version) -> list[tuple[str, grammar.Element]]:
    used = list(
        dict.fromkeys(
            name
            for clause in grammar.clauses(version.definition["root"])
            for name in grammar.variables(clause["test"])
        )
    )
    known = actions.elements()
    return [(name, known[name]) for name in used if name in known]


class TestCaseForm(forms.Form):
    name = forms.CharField(label=_("用例名称"), max_length=200)
    as_of = forms.DateField(label=_("基准日"), widget=forms.DateInput(attrs={"type": "date"}))
    expected = forms.ChoiceField(label=_("预期结果"), choices=RuleTestCase.Expected.choices)
    expected_clause = forms.ChoiceField(label=_("预期不符合的条款"), required=False)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        clauses = grammar.clauses(version.definition["root"])
        self.fields["expected_clause"].choices = [("", _("（不指定）"))] + [
            (c["clause"], f"{c['clause']} {c.get('label', '')}") for c in clauses
        ]
        self.facts = _fact_fields(version)
        for name, element in self.facts:
            help_text = {
                grammar.DATE: _("日期，如 2026-01-01"),
                grammar.LIST: _("多个值用逗号分隔；留空表示没有"),
                grammar.BOOL: _("填“是”或“否”"),
            }.get(element.type, "")
            self.fields[f"fact__{name}"] = forms.CharField(
                label=element.label or name, required=False, help_text=help_text, max_length=300
            )

    def clean(self):
        data = super().clean()
        facts = {}
        for name, element in self.facts:
            raw = (data.get(f"fact__{name}") or "").strip()
            if element.type == grammar.LIST:
                facts[name] = [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
                continue
            if not raw:
                continue  # left empty: the datum is missing
            try:
                facts[name] = _typed(raw, element.type)
            except ValueError as error:
                self.add_error(f"fact__{name}", str(error))
        data["facts"] = facts
        return data


def _typed(raw: str, kind: str):
    if kind == grammar.NUMBER:
        try:
            return float(raw) if "." in raw else int(raw)
        except ValueError:
            raise ValueError(_("应为数字")) from None
    if kind == grammar.DATE:
        if grammar.parse_date(raw) is None:
            raise ValueError(_("应为日期，如 2026-01-01"))
        return raw
    if kind == grammar.BOOL:
        if raw not in ("是", "否"):
            raise ValueError(_("请填“是”或“否”"))
        return raw == "是"
    return raw


@authors_only
def test_cases(request, pk):
    version = _own_version(request, pk)
    form = TestCaseForm(
        request.POST or None, version=version, initial={"as_of": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_test_case(
                actor=request.user,
                version=version,
                name=form.cleaned_data["name"],
                facts=form.cleaned_data["facts"],
                as_of=form.cleaned_data["as_of"],
                expected=form.cleaned_data["expected"],
                expected_clause=form.cleaned_data["expected_clause"],
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("测试用例已添加"))
            return redirect("rules_staff:version", pk=version.pk)
    return render(request, "rules/staff/test_case.html", {"version": version, "form": form})


@authors_only
@require_POST
def remove_test_case(request, pk, case_pk):
    version = _own_version(request, pk)
    case = get_object_or_404(RuleTestCase, pk=case_pk, version=version)
    try:
        actions.remove_test_case(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return redirect("rules_staff:version", pk=version.pk)


@authors_only
@require_POST
def publish(request, pk):
    version = _own_version(request, pk)
    valid_from = request.POST.get("valid_from") or ""
    try:
        day = datetime.date.fromisoformat(valid_from) if valid_from else None
    except ValueError:
        messages.error(request, _("生效日期应为日期，如 2026-01-01"))
        return redirect("rules_staff:version", pk=version.pk)
    try:
        actions.publish(actor=request.user, version=version, valid_from=day)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, _("已发布，新的申请将按此版本判定"))
    return redirect("rules_staff:version", pk=version.pk)


@authors_only
@require_POST
def new_draft(request, pk):
    version = _own_version(request, pk)
    try:
        draft = actions.new_draft(
            actor=request.user, rule_set=version.rule_set, change_note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
        return redirect("rules_staff:version", pk=version.pk)
    return redirect("rules_staff:edit", pk=draft.pk)


@authors_only
@require_POST
def withdraw(request, pk):
    version = _own_version(request, pk)
    try:
        actions.withdraw(actor=request.user, version=version, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, _("该版本已废止"))
    return redirect("rules_staff:version", pk=version.pk)
