"""Staff pages of 智能秒批: the per-item switch (事项管理员), the 事后抽查 queue and one instant
decision with its report, confirm and revoke forms (审核/批准人员). Every change is one call into
cases.instant."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import (
    can_act_for_department,
    departments_served,
    role_required,
    serves_department,
)
from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.cases import instant
from tongban.cases.models import InstantApprovalConfig, InstantDecision
from tongban.catalog.models import ServiceItem
from tongban.rules.models import RuleSet

CHECKERS = (Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR)


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for found in error.message_dict.values() for m in found]
    return error.messages


def _items_for(user):
    items = ServiceItem.objects.select_related("department", "current_version").order_by("pk")
    if not user.has_role(Role.PLATFORM_ADMIN):
        items = items.filter(department_id__in=departments_served(user))
    return items


@role_required(Role.CATALOGUE_ADMIN)
def settings_page(request):
    """Items of the admin's departments: those with 秒批 configured first, then any other item
    whose department has a rule set in force (an item can be switched on from here)."""
    departments = RuleSet.objects.values("department_id")
    items = _items_for(request.user).filter(department_id__in=departments)
    configs = {
        c.service_item_id: c
        for c in InstantApprovalConfig.objects.select_related("rule_set").filter(
            service_item__in=items
        )
    }
    page = Paginator(
        sorted(items, key=lambda item: (item.pk not in configs, item.pk)), 20
    ).get_page(request.GET.get("page"))
    rows = [
        {
            "item": item,
            "config": configs.get(item.pk),
            "rule_sets": list(instant.published_rule_sets(item.department_id)),
        }
        for item in page
    ]
    return render(request, "cases/instant/settings.html", {"rows": rows, "page": page})


@role_required(Role.CATALOGUE_ADMIN)
@require_POST
def configure(request, item_pk: int):
    item = get_object_or_404(ServiceItem, pk=item_pk)
    if not can_act_for_department(request.user, item.department_id):
        raise PermissionDenied(_("只能配置本部门的事项"))
    rule_set = RuleSet.objects.filter(pk=request.POST.get("rule_set") or 0).first()
    try:
        percent = int(request.POST.get("sample_percent", ""))
    except ValueError:
        percent = -1
    try:
        instant.configure(
            actor=request.user,
            service_item=item,
            enabled=request.POST.get("enabled") == "on",
            rule_set=rule_set,
            sample_percent=percent,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for text in _messages(error):
            messages.error(request, f"{item.current_version.name}：{text}")
    else:
        messages.success(
            request, _("已保存%(name)s的智能秒批设置") % {"name": item.current_version.name}
        )
    return redirect("cases:instant-settings")


@role_required(*CHECKERS)
def spot_checks(request):
    page = Paginator(instant.spot_check_queue(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "cases/instant/checks.html", {"page": page})


def _decision(request, public_id) -> InstantDecision:
    application = get_object_or_404(
        Application.objects.select_related("service_item", "item_version"), public_id=public_id
    )
    if not (
        request.user.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR)
        or serves_department(request.user, application.service_item.department_id)
    ):
        raise PermissionDenied(_("只能查看本部门的办件"))
    return get_object_or_404(
        InstantDecision.objects.select_related(
            "report__document", "rule_decision__version__rule_set", "checked_by"
        ),
        application=application,
    )


@role_required(*CHECKERS)
def spot_check(request, public_id):
    decision = _decision(request, public_id)
    trace = decision.rule_decision.trace if decision.rule_decision else {"clauses": []}
    return render(
        request,
        "cases/instant/check.html",
        {
            "decision": decision,
            "application": decision.application,
            "clauses": trace["clauses"],
            "can_revoke": request.user.has_role(Role.APPROVER)
            and decision.outcome == InstantDecision.Outcome.APPROVED
            and decision.spot_check != InstantDecision.Check.REVOKED,
        },
    )


@role_required(Role.REVIEWER, Role.APPROVER)
@require_POST
def confirm(request, public_id):
    decision = _decision(request, public_id)
    try:
        instant.confirm(
            application=decision.application, actor=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        for text in _messages(error):
            messages.error(request, text)
        return redirect("cases:instant-check", public_id)
    messages.success(request, _("已记录抽查结果：无误"))
    return redirect("cases:instant-checks")


@role_required(Role.APPROVER)
@require_POST
def revoke(request, public_id):
    decision = _decision(request, public_id)
    try:
        instant.revoke(
            application=decision.application,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            legal_basis=request.POST.get("legal_basis", ""),
        )
    except ValidationError as error:
        for text in _messages(error):
            messages.error(request, text)
        return redirect("cases:instant-check", public_id)
    messages.success(request, _("已撤销该许可，撤销决定书已签发并通知申请人"))
    return redirect("cases:instant-check", public_id)
