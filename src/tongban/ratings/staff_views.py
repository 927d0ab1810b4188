"""Workbench pages: the department's bad-rating desk (list, detail with the allowed moves), the
supervisor's 督办 view, a staff member's own ratings, and recording a hall visit with its QR code."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import departments_served, role_required, staff_required
from tongban.accounts.roles import Role
from tongban.catalog.models import ServiceItem
from tongban.core import audit, pii, workdays
from tongban.ratings import actions, policy, stats
from tongban.ratings.audit_actions import AuditAction
from tongban.ratings.codes import (
    CLASSIFICATION_TARGET,
    DEPARTMENT,
    ON_CLOCK,
    OPEN,
    BadStatus,
    Classification,
    Level,
    stars,
)
from tongban.ratings.models import BadRatingCase, HallVisit, Rating
from tongban.ratings.states import BAD_CASE
from tongban.ratings.views import error_text, svg_qr

PAGE_SIZE = 20
DESK_ROLES = (Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR)
TABS = {
    "open": gettext_lazy("待处理"),
    "yellow": gettext_lazy("预警"),
    "red": gettext_lazy("超期"),
    "closed": gettext_lazy("已办结"),
    "all": gettext_lazy("全部"),
}


_sees_all = policy.sees_all_bad_ratings


def _visible(user):
    base = BadRatingCase.objects.select_related(
        "rating__application__item_version", "rating__hall", "department"
    )
    if _sees_all(user):
        return base
    return base.filter(department_id__in=departments_served(user))


@role_required(*DESK_ROLES)
def bad_list(request):
    tab = request.GET.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    queryset = _visible(request.user)
    if tab == "open":
        queryset = queryset.filter(status__in=OPEN)
    elif tab in ("yellow", "red"):
        queryset = queryset.filter(status__in=ON_CLOCK, warning=tab)
    elif tab == "closed":
        queryset = queryset.exclude(status__in=OPEN)
    page = Paginator(queryset.order_by("deadline", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today, calendar = timezone.localdate(), workdays.Calendar()
    rows = [
        (b, actions.days_left(b, today, calendar) if b.status in ON_CLOCK else None)
        for b in page.object_list
    ]
    return render(
        request,
        "ratings/staff_list.html",
        {"tabs": TABS, "tab": tab, "page": page, "rows": rows},
    )


def _bad_case(request, pk) -> BadRatingCase:
    bad_case = _visible(request.user).filter(pk=pk).first()
    if bad_case is None:
        raise Http404("没有找到该差评")
    return bad_case


def _moves(user, bad_case) -> set[str]:
    moves = set()
    if policy.can_handle(user, bad_case):
        if bad_case.status in OPEN:
            moves.add("callback")
        if BAD_CASE.allows(bad_case.status, BadStatus.VERIFIED, DEPARTMENT):
            moves.add("verify")
        if any(
            BAD_CASE.allows(bad_case.status, t, DEPARTMENT) for t in CLASSIFICATION_TARGET.values()
        ):
            moves.add("classify")
        if BAD_CASE.allows(bad_case.status, BadStatus.RECTIFIED, DEPARTMENT):
            moves.add("rectify")
    if policy.can_decide_appeal(user) and bad_case.status == BadStatus.APPEALED:
        moves.add("decide")
    return moves


@role_required(*DESK_ROLES)
def bad_detail(request, pk):
    bad_case = _bad_case(request, pk)
    rating = bad_case.rating
    rater_phone = ""
    if rating.rater_id:
        rater_phone = rating.rater.phone
    elif rating.visit_id:
        rater_phone = rating.visit.visitor_phone
    revealed = ""
    if (
        request.GET.get("reveal") == "phone"
        and rater_phone
        and policy.can_handle(request.user, bad_case)
    ):
        audit.record(
            AuditAction.REVEAL_PHONE,
            actor=request.user,
            obj=bad_case,
            purpose="差评回访",
        )
        revealed = rater_phone
    moves = _moves(request.user, bad_case)
    classes = [
        (c.value, c.label)
        for c in Classification
        if BAD_CASE.allows(bad_case.status, CLASSIFICATION_TARGET[c], DEPARTMENT)
    ]
    return render(
        request,
        "ratings/staff_detail.html",
        {
            "bad_case": bad_case,
            "rating": rating,
            "rater_name": rating.rater.masked_name if rating.rater_id else _("匿名"),
            "masked_phone": pii.mask_phone(rater_phone) if rater_phone else "",
            "revealed_phone": revealed,
            "callbacks": bad_case.callbacks.select_related("called_by"),
            "history": bad_case.history.select_related("actor"),
            "moves": moves,
            "classes": classes,
            "days_left": actions.days_left(bad_case, timezone.localdate())
            if bad_case.status in ON_CLOCK
            else None,
            "stars": stars(rating.level),
            "scores": _scores(rating),
            "why_no_action": _why_no_action(request.user, bad_case, moves),
        },
    )


def _scores(rating: Rating) -> list[tuple[str, str, int]]:
    """Each indicator as (name, level name, stars), the overall one first: never the bare code,
    which counts the other way from the stars the public page shows (1 = 非常满意)."""
    labels = stats.indicator_labels()
    ordered = sorted(rating.scores.items(), key=lambda pair: pair[0] != "overall")
    return [
        (labels.get(code, code), Level(value).label, stars(value))
        for code, value in ordered
        if value in Level.values
    ]


def _why_no_action(user, bad_case: BadRatingCase, moves: set[str]) -> str:
    """Why the page offers this person nothing to do on an open bad rating ("" when it does)."""
    if moves or bad_case.status not in OPEN:
        return ""
    reason = policy.why_cannot_handle(user, bad_case)
    if reason:
        return reason
    if bad_case.status == BadStatus.APPEALED:
        return _("部门已提出申诉，待效能监察人员裁定；裁定前无需办理。")
    return ""


def _called_at(raw: str):
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise ValidationError({"called_at": [_("回访时间格式有误")]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@role_required(*DESK_ROLES)
@require_POST
def bad_act(request, pk, move):
    bad_case = _bad_case(request, pk)
    post, user = request.POST, request.user
    try:
        if move == "callback":
            actions.record_callback(
                bad_case=bad_case,
                actor=user,
                summary=post.get("summary", ""),
                called_at=_called_at(post.get("called_at", "")),
                reached=post.get("reached", "1") == "1",
            )
        elif move == "verify":
            actions.verify(bad_case=bad_case, actor=user, finding=post.get("finding", ""))
        elif move == "classify":
            actions.classify(
                bad_case=bad_case,
                actor=user,
                classification=post.get("classification", ""),
                text=post.get("text", ""),
            )
        elif move == "rectify":
            actions.rectify(bad_case=bad_case, actor=user, result=post.get("result", ""))
        elif move == "decide":
            actions.decide_appeal(
                bad_case=bad_case,
                actor=user,
                uphold=post.get("uphold") == "1",
                opinion=post.get("opinion", ""),
            )
        else:
            raise Http404("不支持的操作")
    except ValidationError as error:
        messages.error(request, error_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已保存"))
    return redirect("ratings_staff:detail", bad_case.pk)


@role_required(Role.SUPERVISOR)
def supervision(request):
    today = timezone.localdate()
    on_clock = BadRatingCase.objects.filter(status__in=ON_CLOCK)
    per_department = (
        BadRatingCase.objects.filter(status__in=OPEN)
        .values("department__name")
        .annotate(
            total=Count("id"),
            yellow=Count("id", filter=Q(warning="yellow")),
            red=Count("id", filter=Q(warning="red")),
        )
        .order_by("-red", "-total")[:100]
    )
    overdue = Paginator(
        on_clock.filter(Q(warning__in=["yellow", "red"]) | Q(deadline__lt=today))
        .select_related("rating__application__item_version", "department")
        .order_by("deadline", "id"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    appeals = (
        BadRatingCase.objects.filter(status=BadStatus.APPEALED)
        .select_related("rating__application__item_version", "department")
        .order_by("assigned_at")[:50]
    )
    real_name_bad = BadRatingCase.objects.filter(rating__real_name=True, rating__voided=False)
    total = real_name_bad.count()
    called = real_name_bad.exclude(first_callback_at=None).count()
    missing = (
        real_name_bad.filter(first_callback_at=None)
        .select_related("rating__application", "department")
        .order_by("assigned_at")[:100]
    )
    return render(
        request,
        "ratings/supervision.html",
        {
            "per_department": per_department,
            "overdue": overdue,
            "appeals": appeals,
            "callback_total": total,
            "callback_done": called,
            "callback_rate": round(called * 100 / total, 1) if total else None,
            "missing": missing,
            "today": today,
        },
    )


@staff_required
def mine(request):
    period = stats.Period.parse(request.GET.get("start"), request.GET.get("end"))
    own = Rating.objects.filter(staff=request.user)
    page = Paginator(
        own.filter(period.filter())
        .select_related("application", "hall")
        .only(
            "level",
            "channel",
            "text",
            "created_at",
            "is_follow_up",
            "about_rectification",
            "voided",
            "application__case_number",
            "hall__name",
        )
        .order_by("-created_at"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/mine.html",
        {
            "period": period,
            "summary": stats.summary(period, own),
            "page": page,
            "indicators": stats.indicator_labels(),
        },
    )


@role_required(Role.WINDOW_CLERK)
def visit_new(request):
    if request.method == "POST":
        item = None
        code = request.POST.get("item", "").strip()
        if code:
            item = ServiceItem.objects.filter(implementation_code=code).first()
        try:
            visit = actions.start_hall_visit(
                actor=request.user,
                visitor_phone=request.POST.get("phone", ""),
                service_item=item,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            return redirect("ratings_staff:visit", visit.pk)
    return render(request, "ratings/visit_new.html", {})


def _own_visit(request, pk) -> HallVisit:
    visit = get_object_or_404(HallVisit.objects.select_related("hall", "window"), pk=pk)
    policy.require_see_visit(request.user, visit)
    return visit


@role_required(Role.WINDOW_CLERK)
def visit_show(request, pk):
    visit = _own_visit(request, pk)
    from django.conf import settings

    url = settings.SITE_URL.rstrip("/") + reverse("ratings:visit", args=[visit.token])
    expired = timezone.now() - visit.served_at > datetime.timedelta(days=actions.VISIT_TOKEN_DAYS)
    return render(
        request,
        "ratings/visit_show.html",
        {
            "visit": visit,
            "url": url,
            "qr_svg": svg_qr(url) if not (visit.token_used_at or expired) else "",
            "tablet_url": reverse("ratings:visit", args=[visit.token]) + "?via=tablet",
        },
    )


@role_required(Role.WINDOW_CLERK)
def visit_qr(request, pk):
    visit = _own_visit(request, pk)
    from django.conf import settings

    url = settings.SITE_URL.rstrip("/") + reverse("ratings:visit", args=[visit.token])
    return HttpResponse(svg_qr(url), content_type="image/svg+xml")
