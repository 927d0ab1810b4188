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
from tongban.policies.actions import lifecycle, matching, objections, payments
from tongban.policies.actions.common import ANSWERERS, AUTHORS, PAYERS, staff_may_see
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import (
    Match,
    MatchRun,
    Objection,
    PaymentBatch,
    PaymentLine,
    Policy,
)

staff_only = role_required(*AUTHORS, *PAYERS, *ANSWERERS, Role.SUPERVISOR)


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
        {"rows": rows, "runs": MatchRun.objects.all()[:5]},
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
            "editable": policy.status in lifecycle.EDITABLE,
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


@staff_only
@require_POST
def edit(request, pk):
    policy = _own(request, pk)
    try:
        eligibility = json.loads(request.POST.get("eligibility", ""))
        formula = json.loads(request.POST.get("amount_formula", ""))
    except json.JSONDecodeError:
        messages.error(request, _("享受条件和金额公式应为合法的 JSON"))
        return redirect("policies_staff:detail", pk=pk)
    try:
        lifecycle.update_policy(
            actor=request.user, policy=policy, eligibility=eligibility, amount_formula=formula
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("已保存"))
    return redirect("policies_staff:detail", pk=pk)


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
