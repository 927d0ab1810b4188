"""Pages of supervision (thin: figures come from figures/monitor, changes go through actions and
cases.actions.supervise)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import staff_required
from tongban.core.models import Department, Region
from tongban.supervision import actions, exports, figures, monitor, summary
from tongban.supervision.filters import FilterError, parse, sees_all, threshold
from tongban.supervision.models import Finding, MonthlyReport, ScreenToken

SCREEN_CACHE_SECONDS = 30


def _choices(user) -> dict:
    if not sees_all(user):
        return {"departments": [], "regions": []}
    return {
        "departments": Department.objects.filter(is_active=True).order_by("region_id", "pk"),
        "regions": Region.objects.filter(level__lte=Region.Level.COUNTY).order_by("code"),
    }


def _filters_or_error(request):
    try:
        return parse(request.GET, request.user), None
    except FilterError as exc:
        return None, str(exc)


def _form(request, filters, error) -> dict:
    """What the filter form shows: the checked filters, or what was typed when they were bad."""
    if filters is None:
        return {
            "filters": None,
            "error": error,
            "form": {k: request.GET.get(k, "") for k in ("start", "end", "department", "region")},
        }
    return {
        "filters": filters,
        "error": error,
        "form": {
            "start": filters.start.isoformat(),
            "end": filters.end.isoformat(),
            "department": str(filters.department.pk) if filters.department else "",
            "region": filters.region.code if filters.region else "",
        },
    }


@staff_required
def dashboard(request):
    filters, error = _filters_or_error(request)
    context = {"threshold": threshold(), "cross": sees_all(request.user), "kinds": None}
    context.update(_choices(request.user), **_form(request, filters, error))
    if filters is not None:
        sections = figures.sections_for(filters, context["cross"])
        context.update(
            filters=filters,
            overview=figures.overview(filters),
            sections=[
                {
                    "section": s,
                    "table": s.table(),
                    "chart": s.chart_data(),
                    "chart_id": f"chart-{s.key}",
                }
                for s in sections
            ],
            folded_at=summary.last_folded_at(),
        )
    return render(request, "supervision/dashboard.html", context, status=400 if error else 200)


@staff_required
def export(request, key: str = ""):
    filters, error = _filters_or_error(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    cross = sees_all(request.user)
    if key:
        if key not in figures.SECTIONS or (key in figures.CITY_ONLY and not cross):
            raise Http404(_("没有这个统计表"))
        sections = [figures.SECTIONS[key](filters)]
    else:
        sections = figures.sections_for(filters, cross)
    data = exports.workbook(sections, filters.label)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"supervision-{key or 'all'}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _findings(filters):
    found = Finding.objects.filter(open=True).select_related(
        "department", "service_item__basic_item"
    )
    if filters.department:
        found = found.filter(department=filters.department)
    if filters.region:
        found = found.filter(region_code__startswith=filters.region_prefix)
    return found


@staff_required
def findings(request):
    filters, error = _filters_or_error(request)
    context = {"cross": sees_all(request.user), "kinds": Finding.Kind.choices, "kind": ""}
    context.update(_choices(request.user), **_form(request, filters, error))
    if filters is not None:
        kind = request.GET.get("kind", "")
        found = _findings(filters)
        if kind:
            if kind not in Finding.Kind.values:
                context["error"] = _("监测类型不正确，请从列表中选择")
            else:
                found = found.filter(kind=kind)
        context.update(
            filters=filters,
            findings=found[:200],
            kinds=Finding.Kind.choices,
            kind=kind,
            steps=monitor.step_times(filters),
            can_supervise=request.user.has_role("supervisor"),
        )
    return render(
        request,
        "supervision/findings.html",
        context,
        status=400 if context["error"] else 200,
    )


@require_POST
@staff_required
def supervise(request, finding_id: int):
    from tongban.applications.models import Application
    from tongban.cases import actions as cases

    finding = get_object_or_404(Finding, pk=finding_id)
    if not sees_all(request.user):
        raise PermissionDenied(_("只有效能监察人员可以督办"))
    application = get_object_or_404(Application, pk=finding.application_id)
    message = (
        request.POST.get("message", "").strip() or f"监测发现：{finding.reason}。请核实并加快办理。"
    )
    try:
        cases.supervise(application=application, actor=request.user, message=message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("督办通知已发送：{number}").format(number=finding.case_number))
    return redirect(request.POST.get("next") or reverse("supervision:findings"))


# --- big screen ------------------------------------------------------------------------------------


def screen_cache_key() -> str:
    return f"supervision:screen:{get_language()}"


def screen_figures() -> dict:
    """The city figures of the big screen, cached for SCREEN_CACHE_SECONDS (per language: the
    chart labels are translated)."""
    key = screen_cache_key()
    data = cache.get(key)
    if data is None:
        from tongban.supervision.filters import Filters

        today = timezone.localdate()
        month = Filters(today.replace(day=1), today)
        year = Filters(today.replace(month=1, day=1), today)
        data = {
            "updated": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            "month": figures.overview(month),
            "year": figures.overview(year),
            "status": figures.cases_by_status(month).chart_data(),
            "channel": figures.cases_by_channel(month).chart_data(),
            "timeliness": figures.timeliness(month).chart_data(),
            "findings": Finding.objects.filter(open=True).count(),
        }
        cache.set(key, data, SCREEN_CACHE_SECONDS)
    return data


def _screen_token(secret):
    token = actions.screen_token(secret)
    if token is None:
        raise Http404(_("大屏令牌无效或已吊销"))
    return token


def screen(request, secret: str):
    token = _screen_token(secret)
    return render(
        request,
        "supervision/screen.html",
        {
            "token": token,
            "data": screen_figures(),
            "data_url": reverse("supervision:screen-data", args=[secret]),
        },
    )


def screen_data(request, secret: str):
    _screen_token(secret)
    response = JsonResponse(screen_figures(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def screens(request):
    if not sees_all(request.user):
        raise PermissionDenied(_("只有效能监察和领导可以管理大屏令牌"))
    secret = None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                actions.revoke_screen_token(
                    actor=request.user, token_id=int(request.POST["revoke"])
                )
                messages.success(request, _("大屏令牌已吊销"))
                return redirect("supervision:screens")
            _token, secret = actions.issue_screen_token(
                actor=request.user, name=request.POST.get("name", "")
            )
        except (ValidationError, ValueError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [_("请求不正确")])))
    return render(
        request,
        "supervision/screens.html",
        {
            "tokens": ScreenToken.objects.select_related("issued_by")[:100],
            "secret": secret,
            "screen_url": request.build_absolute_uri(reverse("supervision:screen", args=[secret]))
            if secret
            else "",
        },
    )


# --- monthly reports -------------------------------------------------------------------------------


def _visible_reports(user):
    from tongban.accounts.permissions import staff_department_id

    found = MonthlyReport.objects.select_related("department", "document")
    if not sees_all(user):
        found = found.filter(department_id=staff_department_id(user))
    return found


@staff_required
def reports(request):
    return render(
        request, "supervision/reports.html", {"reports": _visible_reports(request.user)[:200]}
    )


@staff_required
def report_file(request, report_id: int, kind: str):
    report = get_object_or_404(_visible_reports(request.user), pk=report_id)
    stored = report.pdf if kind == "pdf" else report.xlsx
    return FileResponse(
        stored.open("rb"),
        as_attachment=kind != "pdf",
        filename=f"{report.month:%Y%m}-{report.department_id or 'city'}.{kind}",
    )
