"""Staff pages of 一件事: the bundles in handling (members side by side, 一窗受理, joint deadline),
and the bundle types for catalogue administrators (edit, publish, withdraw, problems). Thin."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import departments_served, role_required
from tongban.accounts.roles import Role
from tongban.bundles import editor
from tongban.bundles import statistics as stats
from tongban.bundles.actions import joint, types, window
from tongban.bundles.models import Bundle, BundleApplication, BundleVersion
from tongban.bundles.states import BundleStatus
from tongban.core import workdays
from tongban.core.models import Department
from tongban.core.paging import ShortListPaginator

CASE_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR)
EDITORS = (Role.CATALOGUE_ADMIN,)


def _sees_all(user) -> bool:
    return user.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR)


def _visible(user):
    bundles = BundleApplication.objects.select_related("version")
    if _sees_all(user):
        return bundles
    return bundles.filter(
        members__application__service_item__department_id__in=departments_served(user)
    ).distinct()


@role_required(*CASE_ROLES)
def applications(request):
    status = request.GET.get("status", "")
    rows = _visible(request.user).order_by("-submitted_at")
    if status in BundleStatus.values:
        rows = rows.filter(status=status)
    if request.GET.get("warning") in ("yellow", "red"):
        rows = rows.filter(warning=request.GET["warning"])
    page = ShortListPaginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "bundles/staff/applications.html",
        {"page": page, "status": status, "statuses": BundleStatus.choices},
    )


@role_required(*CASE_ROLES)
def detail(request, public_id):
    bundle = get_object_or_404(_visible(request.user), public_id=public_id)
    calendar = workdays.Calendar()
    served = departments_served(request.user)
    results = [joint.member_result(r) for r in joint.memberships(bundle)]
    can_accept = request.user.has_role(Role.WINDOW_CLERK) and any(
        r["row"].application.status == "submitted"
        and r["row"].application.item_version.handling_type != "1"  # 即办件: its own window
        and (
            request.user.has_role(Role.PLATFORM_ADMIN)
            or r["row"].application.service_item.department_id in served
        )
        for r in results
    )
    return render(
        request,
        "bundles/staff/detail.html",
        {
            "bundle": bundle,
            "results": results,
            "days_left": joint.days_left(bundle, calendar, timezone.localdate()),
            "can_accept": can_accept,
            "timeline": joint.timeline(bundle),
        },
    )


@role_required(Role.WINDOW_CLERK)
@require_POST
def accept_all(request, public_id):
    bundle = get_object_or_404(_visible(request.user), public_id=public_id)
    try:
        numbers = window.accept_all(
            bundle=bundle, actor=request.user, opinion=request.POST.get("opinion", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已一窗受理 %(n)s 个事项：%(numbers)s")
            % {"n": len(numbers), "numbers": "、".join(numbers)},
        )
    return redirect(reverse("bundles_staff:detail", args=[bundle.public_id]))


# --- bundle types ----------------------------------------------------------------------------------


@role_required(*EDITORS)
def types_(request):
    bundles = Bundle.objects.prefetch_related("versions").order_by("code")
    rows = []
    for bundle in bundles:
        versions = sorted(bundle.versions.all(), key=lambda v: -v.version)
        current = next((v for v in versions if v.status == "published"), None)
        draft = next((v for v in versions if v.status == "draft"), None)
        rows.append(
            {
                "bundle": bundle,
                "current": current,
                "draft": draft,
                "problems": types.problems(current) if current else [],
                "versions": versions,
            }
        )
    return render(request, "bundles/staff/types.html", {"rows": rows})


@role_required(*EDITORS)
def new_type(request):
    departments = Department.objects.order_by("name")
    errors = {}
    if request.method == "POST":
        department = departments.filter(pk=request.POST.get("lead_department") or 0).first()
        try:
            if department is None:
                raise ValidationError({"lead_department": [_("请选择牵头部门")]})
            version = types.create_bundle(
                actor=request.user,
                code=(request.POST.get("code") or "").strip(),
                name=request.POST.get("name", ""),
                theme=request.POST.get("theme", ""),
                lead_department=department,
                description=request.POST.get("description", ""),
            )
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            return redirect(reverse("bundles_staff:edit_type", args=[version.pk]))
    return render(
        request,
        "bundles/staff/new_type.html",
        {
            "departments": departments,
            "errors": errors,
            "themes": BundleVersion.Theme.choices,
            "post": request.POST,
        },
        status=400 if errors else 200,
    )


@role_required(*EDITORS)
def edit_type(request, version_id: int):
    version = get_object_or_404(
        BundleVersion.objects.select_related("bundle", "lead_department"), pk=version_id
    )
    errors: list[str] = []
    members, questions = types.structure_of(version)
    if request.method == "POST":
        members, questions, errors = editor.specs_from(request.POST)
        try:
            if errors:
                raise ValidationError({"members": errors})
            types.update_draft(
                actor=request.user,
                version=version,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                theme=request.POST.get("theme", version.theme),
            )
            types.set_structure(
                actor=request.user, version=version, members=members, questions=questions
            )
        except PermissionDenied as exc:
            errors = [str(exc)]
        except ValidationError as exc:
            errors = (
                [m for ms in exc.message_dict.values() for m in ms]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
        else:
            messages.success(request, _("草稿已保存"))
            return redirect(reverse("bundles_staff:edit_type", args=[version.pk]))
        version.refresh_from_db()
    member_rows, question_rows = editor.rows(members, questions)
    return render(
        request,
        "bundles/staff/edit_type.html",
        {
            "version": version,
            "errors": errors,
            "member_rows": member_rows,
            "question_rows": question_rows,
            "member_choices": [(m.code, m.name) for m in member_rows if m.code],
            "themes": BundleVersion.Theme.choices,
            "problems": types.problems(version) if version.members.exists() else [],
            "editable": version.status == "draft",
        },
        status=400 if errors else 200,
    )


def _version_action(request, version_id, action, done: str):
    version = get_object_or_404(BundleVersion, pk=version_id)
    try:
        result = action(version)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for message in (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        ):
            messages.error(request, message)
    else:
        messages.success(request, done)
        return redirect(reverse("bundles_staff:edit_type", args=[result.pk]))
    return redirect(reverse("bundles_staff:edit_type", args=[version.pk]))


@role_required(*EDITORS)
@require_POST
def publish(request, version_id: int):
    return _version_action(
        request, version_id, lambda v: types.publish(actor=request.user, version=v), _("已发布")
    )


@role_required(*EDITORS)
@require_POST
def withdraw(request, version_id: int):
    return _version_action(
        request,
        version_id,
        lambda v: types.withdraw(
            actor=request.user, version=v, reason=request.POST.get("reason", "")
        ),
        _("已停用"),
    )


@role_required(*EDITORS)
@require_POST
def new_draft(request, version_id: int):
    return _version_action(
        request,
        version_id,
        lambda v: types.new_draft(
            actor=request.user, bundle=v.bundle, change_note=request.POST.get("change_note", "")
        ),
        _("已新建草稿版本"),
    )


@role_required(Role.SUPERVISOR, Role.CATALOGUE_ADMIN)
def statistics(request):
    return render(request, "bundles/staff/statistics.html", {"rows": stats.monthly()})
