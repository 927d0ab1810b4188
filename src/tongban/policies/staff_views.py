"""Staff pages under /workbench/policies/: policies of the department with their figures (eligible,
confirmed, paid, budget used, objections), writing and the dry run, publishing, matching runs,
payment batches with their exports and reconciliation, objections. Thin: actions do the work."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import role_required, staff_department_id
from tongban.accounts.roles import Role
from tongban.core import audit, pii
from tongban.policies import forms
from tongban.policies.actions import lifecycle, matching, objections, payments
from tongban.policies.actions.common import (
    ANSWERERS,
    AUTHORS,
    PAYERS,
    require_role,
    staff_may_see,
)
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import (
    Match,
    MatchRun,
    Objection,
    PaymentBatch,
    PaymentLine,
    Policy,
)
from tongban.rules import editor

staff_only = role_required(*AUTHORS, *PAYERS, *ANSWERERS, Role.SUPERVISOR)
authors_only = role_required(*AUTHORS)


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _fail(request, exc) -> None:
    for message in _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, message)


def _own(request, pk) -> Policy:
    policy = get_object_or_404(Policy.objects.select_related("department"), pk=pk)
    if not staff_may_see(request.user, policy.department):
        raise PermissionDenied(_("只能查看本部门的政策"))
    return policy


def _figures(policy: Policy) -> dict:
    matches = Match.objects.filter(policy=policy)
    counts = matches.aggregate(
        eligible=Count("id", filter=Q(eligible=True)),
        confirmed=Count("id", filter=Q(status__in=[Match.Status.CONFIRMED])),
        automatic=Count("id", filter=Q(status=Match.Status.AUTOMATIC)),
        offered=Count("id", filter=Q(status=Match.Status.OFFERED)),
    )
    lines = PaymentLine.objects.filter(policy=policy)
    paid = lines.filter(status=PaymentLine.Status.PAID).aggregate(n=Count("id"), s=Sum("amount"))
    used = payments.budget_used(policy)
    return {
        **counts,
        "paid_count": paid["n"],
        "paid_total": paid["s"] or 0,
        "failed": lines.filter(status=PaymentLine.Status.FAILED).count(),
        "suspended": lines.filter(status=PaymentLine.Status.SUSPENDED).count(),
        "budget_used": used,
        "budget_percent": round(float(used) * 100 / float(policy.budget_cap), 1),
        "objections_open": policy.objections.filter(status=Objection.Status.OPEN).count(),
    }


@staff_only
def policy_list(request):
    policies = Policy.objects.select_related("department").order_by("status", "code")
    if not request.user.has_role(Role.PLATFORM_ADMIN):
        policies = policies.filter(department_id=staff_department_id(request.user))
    rows = [(p, _figures(p)) for p in policies]
    return render(
        request,
        "policies/staff/list.html",
        {
            "rows": rows,
            "runs": MatchRun.objects.all()[:5],
            "may_write": request.user.has_role(*AUTHORS),
        },
    )


@staff_only
def policy_detail(request, pk, dry_run=None):
    policy = _own(request, pk)
    return render(
        request,
        "policies/staff/detail.html",
        {
            "policy": policy,
            "figures": _figures(policy),
            "versions": policy.versions.all()[:5],
            "events": policy.events.select_related("actor").order_by("-id")[:10],
            "batches": policy.batches.all()[:12],
            "objections": policy.objections.order_by("status", "due_date")[:50],
            "dry_run": dry_run,
            "eligibility_json": json.dumps(policy.eligibility, ensure_ascii=False, indent=2),
            "formula_json": json.dumps(policy.amount_formula, ensure_ascii=False, indent=2),
            "editable": policy.status in lifecycle.EDITABLE and request.user.has_role(*AUTHORS),
            "rule_rows": forms.eligibility_rows(policy.eligibility),
            "formula_rows": forms.formula_rows(policy.amount_formula),
        },
    )


@staff_only
@require_POST
def dry_run(request, pk):
    policy = _own(request, pk)
    try:
        result = lifecycle.dry_run(policy)
    except ValidationError as exc:
        _fail(request, exc)
        return redirect("policies_staff:detail", pk=pk)
    return policy_detail(request, pk, dry_run=result)


def _editor_forms(data, policy: Policy | None):
    """The editor's forms, bound to `data` on a POST, else filled from the policy (or blank)."""
    creating = policy is None
    eligibility = policy.eligibility if policy else {}
    formula = policy.amount_formula if policy else {}
    shaped = forms.eligibility_rows(eligibility) if policy else ("all", [])
    bands = forms.formula_rows(formula) if policy else ([], 0)
    initial = {}
    if policy is not None:
        initial = {name: getattr(policy, name) for name in forms.BASIC}
    modes = {
        "eligibility_mode": forms.ROWS if shaped else forms.JSON,
        "eligibility_json": json.dumps(eligibility, ensure_ascii=False, indent=2),
        "formula_mode": forms.ROWS if bands else forms.JSON,
        "formula_json": json.dumps(formula, ensure_ascii=False, indent=2),
        "otherwise": bands[1] if bands else 0,
    }
    choices = forms.element_choices()
    return {
        "form": forms.PolicyForm(data, creating=creating, initial=initial),
        "group": forms.GroupForm(data, initial={"group": shaped[0] if shaped else "all"}),
        "modes": forms.ModeForm(data, initial=modes),
        "clauses": forms.ClauseFormSet(
            data,
            initial=shaped[1] if shaped else [],
            prefix="c",
            form_kwargs={"element_choices": choices},
        ),
        "bands": forms.BandFormSet(
            data,
            initial=bands[0] if bands else [],
            prefix="b",
            form_kwargs={"element_choices": choices},
        ),
        "rows_fit": shaped is not None,
        "bands_fit": bands is not None,
    }


def _rule_and_formula(parts, policy: Policy | None) -> tuple[dict, dict, dict[str, list[str]]]:
    """The eligibility and the formula the page describes, and the rows that cannot be turned
    into either (by part)."""
    modes = parts["modes"].cleaned_data
    found: dict[str, list[str]] = {}
    if modes["eligibility_mode"] == forms.JSON:
        eligibility = modes["eligibility_json"]
    else:
        clauses, problems = forms.rows_of(parts["clauses"], bands=False)
        if problems:
            found["eligibility"] = problems
        constants = (policy.eligibility or {}).get("constants") if policy else None
        eligibility = editor.build(parts["group"].cleaned_data["group"], clauses, constants)
    if modes["formula_mode"] == forms.JSON:
        formula = modes["formula_json"]
    else:
        bands, problems = forms.rows_of(parts["bands"], bands=True)
        if problems:
            found["amount_formula"] = problems
        otherwise = modes.get("otherwise") or 0
        formula = {
            "bands": bands,
            "otherwise": int(otherwise) if otherwise == int(otherwise) else float(otherwise),
        }
    return eligibility, formula, found


def _place(parts, error: ValidationError) -> dict[str, list[str]]:
    """The service layer's reasons next to the fields they name; the rule's and the formula's
    next to their sections (returned)."""
    if not hasattr(error, "error_dict"):
        parts["form"].add_error(None, error)
        return {}
    sections = {}
    for name, reasons in error.message_dict.items():
        if name in ("eligibility", "amount_formula"):
            sections[name] = reasons
        elif name in parts["form"].fields:
            parts["form"].add_error(name, reasons)
        else:
            parts["form"].add_error(None, reasons)
    return sections


def _editor(request, policy: Policy | None):
    parts = _editor_forms(request.POST if request.method == "POST" else None, policy)
    sections: dict[str, list[str]] = {}
    if request.method == "POST" and all(
        parts[name].is_valid() for name in ("group", "modes", "clauses", "bands")
    ):
        eligibility, formula, sections = _rule_and_formula(parts, policy)
        if parts["form"].is_valid() and not sections:
            values = parts["form"].values()
            try:
                if policy is None:
                    policy = lifecycle.create_policy(
                        actor=request.user,
                        department=request.user.staff_profile.department,
                        code=parts["form"].cleaned_data["code"],
                        eligibility=eligibility,
                        amount_formula=formula,
                        **values,
                    )
                    messages.success(request, _("政策已保存为草稿。试算无误后即可发布。"))
                else:
                    policy = lifecycle.update_policy(
                        actor=request.user,
                        policy=policy,
                        eligibility=eligibility,
                        amount_formula=formula,
                        **values,
                    )
                    messages.success(request, _("已保存"))
            except ValidationError as error:
                sections = _place(parts, error)
            else:
                return redirect("policies_staff:detail", pk=policy.pk)
    return render(
        request,
        "policies/staff/edit.html",
        {"policy": policy, "sections": sections, "new": policy is None, **parts},
    )


@authors_only
def new_policy(request):
    return _editor(request, None)


@authors_only
def edit(request, pk):
    policy = _own(request, pk)
    require_role(request.user, policy.department, AUTHORS, _("只有本部门的事项管理员可以修改政策"))
    if policy.status not in lifecycle.EDITABLE:
        messages.error(request, _("已发布的政策不能直接修改，请先暂停"))
        return redirect("policies_staff:detail", pk=pk)
    return _editor(request, policy)


@staff_only
@require_POST
def move(request, pk, action):
    policy = _own(request, pk)
    try:
        if action == "publish":
            version = lifecycle.publish(actor=request.user, policy=policy)
            messages.success(request, _("已发布第 %(n)s 版，正在匹配") % {"n": version.number})
        elif action == "suspend":
            lifecycle.suspend(
                actor=request.user, policy=policy, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已暂停"))
        elif action == "expire":
            lifecycle.expire(actor=request.user, policy=policy, note=request.POST.get("reason", ""))
            messages.success(request, _("已终止"))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("policies_staff:detail", pk=pk)


@staff_only
@require_POST
def start_run(request):
    if not request.user.has_role(*AUTHORS):
        raise PermissionDenied(_("只有事项管理员可以发起匹配"))
    kind = request.POST.get("kind", MatchRun.Kind.INCREMENTAL)
    if kind not in MatchRun.Kind.values:
        kind = MatchRun.Kind.INCREMENTAL
    run = matching.start_run(actor=request.user, kind=kind)
    messages.success(request, _("匹配批次 %(n)s 已开始") % {"n": run.pk})
    return redirect("policies_staff:list")


@staff_only
def matches_csv(request, pk):
    """The policy's matches (names and ID numbers masked): for the department's own checks."""
    policy = _own(request, pk)
    rows = ["区划,名称,证件号码,状态,金额,符合"]
    for match in Match.objects.filter(policy=policy).order_by("region", "id"):
        rows.append(
            ",".join(
                [
                    match.region,
                    pii.mask_name(match.subject_name),
                    pii.mask_id_number(pii.decrypt(match.subject_ref)),
                    match.get_status_display(),
                    f"{match.amount:.2f}",
                    "是" if match.eligible else "否",
                ]
            )
        )
    audit.record(AuditAction.MATCHES_EXPORT, actor=request.user, obj=policy)
    response = HttpResponse("\ufeff" + "\n".join(rows) + "\n", content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{policy.code}-matches.csv"'
    return response


@staff_only
@require_POST
def prepare_batch(request, pk):
    policy = _own(request, pk)
    try:
        batch = payments.prepare_batch(actor=request.user, policy=policy)
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
        return redirect("policies_staff:detail", pk=pk)
    suspended = batch.lines.filter(status=PaymentLine.Status.SUSPENDED).count()
    if suspended:
        messages.warning(
            request, _("%(n)s 笔超出预算上限，已暂缓发放，请调整预算后更正。") % {"n": suspended}
        )
    return redirect("policies_staff:batch", pk=batch.pk)


def _own_batch(request, pk) -> PaymentBatch:
    batch = get_object_or_404(PaymentBatch.objects.select_related("policy__department"), pk=pk)
    if not staff_may_see(request.user, batch.policy.department):
        raise PermissionDenied(_("只能查看本部门的发放批次"))
    return batch


@staff_only
def batch_detail(request, pk):
    batch = _own_batch(request, pk)
    lines = batch.lines.select_related("match").order_by("line_no")
    return render(
        request,
        "policies/staff/batch.html",
        {
            "batch": batch,
            "lines": lines,
            "failed": [line for line in lines if line.status == PaymentLine.Status.FAILED],
            "last_import": batch.imports.first(),
        },
    )


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_only
def export(request, pk, kind):
    batch = _own_batch(request, pk)
    try:
        if kind == "csv":
            content = payments.export_csv(actor=request.user, batch=batch)
            return _download(content, f"{batch.number}.csv", "text/csv; charset=utf-8")
        if kind == "xlsx":
            content = payments.export_xlsx(actor=request.user, batch=batch)
            return _download(
                content,
                f"{batch.number}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
        return redirect("policies_staff:batch", pk=pk)
    if batch.cover_sheet is None:
        raise PermissionDenied(_("该批次没有签章封面"))
    return _download(bytes(batch.cover_sheet), f"{batch.number}-cover.pdf", "application/pdf")


@staff_only
@require_POST
def reconcile(request, pk):
    batch = _own_batch(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择对账文件"))
        return redirect("policies_staff:batch", pk=pk)
    if upload.size > 10 * 1024 * 1024:
        messages.error(request, _("对账文件不能超过10MB"))
        return redirect("policies_staff:batch", pk=pk)
    try:
        record = payments.import_reconciliation(
            actor=request.user, batch=batch, content=upload.read(), file_name=upload.name
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
        return redirect("policies_staff:batch", pk=pk)
    messages.success(
        request,
        _("对账完成：成功 %(paid)s 笔，失败 %(failed)s 笔，拒绝 %(refused)s 行")
        % {"paid": record.paid, "failed": record.failed, "refused": len(record.refused)},
    )
    return redirect("policies_staff:batch", pk=pk)


@staff_only
@require_POST
def correct(request, pk):
    line = get_object_or_404(PaymentLine.objects.select_related("batch__policy__department"), pk=pk)
    if not staff_may_see(request.user, line.batch.policy.department):
        raise PermissionDenied
    try:
        payments.correct_line(actor=request.user, line=line, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("第 %(n)s 笔已重新列入发放") % {"n": line.line_no})
    return redirect("policies_staff:batch", pk=line.batch_id)


@staff_only
@require_POST
def answer(request, pk):
    objection = get_object_or_404(Objection.objects.select_related("policy__department"), pk=pk)
    if not staff_may_see(request.user, objection.policy.department):
        raise PermissionDenied
    try:
        objections.answer(
            actor=request.user, objection=objection, text=request.POST.get("text", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已答复"))
    return redirect("policies_staff:detail", pk=objection.policy_id)
