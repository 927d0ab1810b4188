"""Workbench pages: the order list, one order with the moves its viewer may make, the 12345 operator
console, the grid worker's phone page, photos (checked access) and the statistics with the map."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import role_required, staff_department_id, staff_required
from tongban.accounts.roles import Role
from tongban.core import pii
from tongban.core.models import Department, Region
from tongban.workorders import policy, stats
from tongban.workorders.actions import closure, handling, intake, personal
from tongban.workorders.codes import (
    DEPARTMENT,
    DISPATCHER,
    FINAL,
    OPERATOR,
    SUPERVISOR,
    Channel,
    Kind,
    RequestStatus,
    Satisfaction,
    Status,
    Urgency,
)
from tongban.workorders.models import Category, KnowledgeArticle, Photo, WorkOrder
from tongban.workorders.policy import actor_kinds
from tongban.workorders.states import moves_from
from tongban.workorders.views import error_messages, report_from_post

PAGE_SIZE = 20
HOTLINE_ROLES = (Role.DISPATCHER, Role.HOTLINE_OPERATOR)


def _visible(user):
    """Dispatchers, operators and supervisors see every order; a department its own and those it
    is asked to help with."""
    orders = WorkOrder.objects.select_related("category", "department")
    if policy.sees_every_order(user):
        return orders
    department = staff_department_id(user)
    return orders.filter(
        Q(department_id=department) | Q(assists__department_id=department)
    ).distinct()


@staff_required
def order_list(request):
    orders = _visible(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        orders = orders.filter(status=status)
    warning = request.GET.get("warning", "")
    if warning in ("yellow", "red"):
        orders = orders.filter(warning=warning)
    callback = request.GET.get("callback", "")
    if callback in ("yellow", "red"):
        orders = orders.filter(status=Status.REPLIED, callback_warning=callback)
    elif callback == "waiting":
        orders = orders.filter(status=Status.REPLIED)
    page = Paginator(orders.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workorders/staff_list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "status": status,
            "callback": callback,
            "warning": warning,
            "callback_filters": CALLBACK_FILTERS,
        },
    )


CALLBACK_FILTERS = [
    ("waiting", _("待回访")),
    ("yellow", _("回访即将到期")),
    ("red", _("回访已超期")),
]


def _order_for(user, number) -> WorkOrder:
    order = get_object_or_404(_visible(user), number=number)
    return order


@staff_required
def order_detail(request, number):
    order = _order_for(request.user, number)
    kinds = actor_kinds(request.user, order)
    available = moves_from(order.status)
    context = {
        "order": order,
        "kinds": kinds,
        "moves": available,
        "history": order.history.select_related("actor", "department"),
        "photos": order.photos.all(),
        "extensions": order.extensions.all(),
        "assists": order.assists.select_related("department"),
        "merged": order.merged_orders.all(),
        "categories": Category.objects.filter(parent__isnull=False, is_active=True),
        "departments": Department.objects.filter(is_active=True).order_by("name"),
        "streets": Region.objects.filter(level__in=(4, 5), code__startswith="411").order_by("code"),
        "results": Satisfaction.choices,
        "pending_extension": order.extensions.filter(status=RequestStatus.PENDING).first(),
        "my_assists": order.assists.filter(
            department_id=staff_department_id(request.user), status=RequestStatus.PENDING
        ),
    }
    if DISPATCHER in kinds and order.status in closure.MERGEABLE:
        context["candidates"] = closure.duplicate_candidates(order)
    if OPERATOR in kinds or DISPATCHER in kinds:
        context["articles"] = knowledge_search(order.text[:30])
    context["is"] = {k: k in kinds for k in (DISPATCHER, OPERATOR, DEPARTMENT, SUPERVISOR)}
    return render(request, "workorders/staff_detail.html", context)


ACTIONS = {
    "dispatch": lambda r, o: handling.dispatch(
        o,
        actor=r.user,
        department_id=r.POST.get("department") or None,
        category_code=r.POST.get("category", ""),
        note=r.POST.get("note", ""),
    ),
    "reassign": lambda r, o: handling.reassign(
        o,
        actor=r.user,
        department_id=r.POST.get("department") or None,
        reason=r.POST.get("reason", ""),
        category_code=r.POST.get("category", ""),
    ),
    "accept": lambda r, o: handling.accept(o, actor=r.user),
    "return": lambda r, o: handling.return_order(o, actor=r.user, reason=r.POST.get("reason", "")),
    "hand_down": lambda r, o: handling.hand_down(
        o, actor=r.user, region_code=r.POST.get("region", ""), note=r.POST.get("note", "")
    ),
    "extension_request": lambda r, o: handling.request_extension(
        o, actor=r.user, hours=r.POST.get("hours"), reason=r.POST.get("reason", "")
    ),
    "extension_decide": lambda r, o: handling.decide_extension(
        get_object_or_404(o.extensions, pk=r.POST.get("extension")),
        actor=r.user,
        approve=r.POST.get("approve") == "1",
        note=r.POST.get("note", ""),
    ),
    "assist_request": lambda r, o: handling.request_assist(
        o,
        actor=r.user,
        department_id=r.POST.get("department") or None,
        request=r.POST.get("request", ""),
    ),
    "assist_reply": lambda r, o: handling.answer_assist(
        get_object_or_404(o.assists, pk=r.POST.get("assist")),
        actor=r.user,
        answer=r.POST.get("answer", ""),
    ),
    "reply": lambda r, o: handling.reply(
        o, actor=r.user, text=r.POST.get("reply", ""), photos=r.FILES.getlist("photos")
    ),
    "callback": lambda r, o: closure.callback(
        o,
        result=r.POST.get("result", ""),
        note=r.POST.get("note", ""),
        actor=r.user,
        as_kind=OPERATOR if OPERATOR in actor_kinds(r.user, o) else DISPATCHER,
    ),
    "answer": lambda r, o: closure.answer_on_call(
        o,
        actor=r.user,
        answer=r.POST.get("answer", ""),
        article=KnowledgeArticle.objects.filter(pk=r.POST.get("article") or None).first(),
    ),
    "merge": lambda r, o: closure.merge(
        o,
        list(WorkOrder.objects.filter(number__in=r.POST.getlist("duplicates"))),
        actor=r.user,
        note=r.POST.get("note", ""),
    ),
    "supervise": lambda r, o: handling.supervise(o, actor=r.user, note=r.POST.get("note", "")),
    "supervise_decide": lambda r, o: closure.supervise_decide(
        o, actor=r.user, redo=r.POST.get("redo") == "1", note=r.POST.get("note", "")
    ),
}


@require_POST
@staff_required
def order_act(request, number, move):
    if move not in ACTIONS:
        raise Http404
    order = _order_for(request.user, number)
    try:
        ACTIONS[move](request, order)
    except ValidationError as error:
        for problems in error_messages(error).values():
            for problem in problems:
                messages.error(request, problem)
    except PermissionDenied as error:
        messages.error(request, str(error) or "您无权执行此操作")
    else:
        messages.success(request, "操作已完成")
    return redirect("workorders_staff:detail", number=number)


@require_POST
@staff_required
def reveal_phone(request, number):
    """The reporter's full phone, once, audited with the purpose. Never in a URL: the purpose
    comes in the POST body, and the answer is not cached."""
    order = _order_for(request.user, number)
    context = {"order": order}
    try:
        context["value"] = personal.reveal_phone(
            order, actor=request.user, purpose=request.POST.get("purpose", "")
        )
    except ValidationError as error:
        context["error"] = "；".join(error.messages)
    except PermissionDenied as error:
        context["error"] = str(error)
    response = render(request, "workorders/revealed.html", context)
    add_never_cache_headers(response)
    return response


@staff_required
def photo(request, pk):
    item = get_object_or_404(Photo.objects.select_related("order"), pk=pk)
    _order_for(request.user, item.order.number)  # the same access as the order itself
    return FileResponse(item.file.open("rb"), content_type=item.content_type)


def knowledge_search(query: str, limit: int = 5) -> list:
    """Articles whose title or keywords share words with the query, most shared words first."""
    import jieba

    words = {w for w in jieba.cut_for_search(query or "") if len(w.strip()) >= 2}
    if not words:
        return []
    condition = Q()
    for word in list(words)[:12]:
        condition |= Q(title__icontains=word) | Q(keywords__icontains=word)
    found = list(KnowledgeArticle.objects.filter(condition, is_active=True)[:50])
    found.sort(key=lambda a: -sum(w in a.title or w in a.keywords for w in words))
    return found[:limit]


@role_required(*HOTLINE_ROLES)
def hotline(request):
    """The call-taker's console: the caller's earlier orders by phone, the knowledge base, and the
    form that registers the caller's words."""
    phone = request.GET.get("phone", "").strip()
    earlier = []
    if phone:
        earlier = WorkOrder.objects.filter(
            reporter_phone_index=pii.blind_index(phone, "phone")
        ).select_related("category")[:20]
    query = request.GET.get("q", "").strip()
    errors, values = {}, request.POST
    if request.method == "POST":
        try:
            order = intake.submit(report_from_post(request, Channel.HOTLINE), actor=request.user)
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(request, f"已登记工单 {order.number}")
            return redirect("workorders_staff:detail", number=order.number)
    return render(
        request,
        "workorders/hotline.html",
        {
            "phone": phone,
            "masked_phone": pii.mask_phone(phone) if phone else "",
            "earlier": earlier,
            "query": query,
            "articles": knowledge_search(query) if query else [],
            "errors": errors,
            "values": values,
            "kinds": Kind.choices,
            "urgencies": Urgency.choices,
        },
    )


def _field_report(request, channel: str) -> tuple[dict, bool]:
    """A report from a field worker's phone page: (errors by field, whether it was filed)."""
    if request.method != "POST":
        return {}, False
    try:
        order = intake.submit(report_from_post(request, channel), actor=request.user)
    except ValidationError as error:
        return error_messages(error), False
    messages.success(request, f"已上报，工单编号 {order.number}")
    return {}, True


@role_required(Role.GRID_WORKER)
def grid_report(request):
    """The grid worker's phone page: a photo, the GPS position and a few words."""
    errors, done = _field_report(request, Channel.GRID)
    if done:
        return redirect("workorders_staff:grid")
    values = request.POST
    mine = WorkOrder.objects.filter(created_by=request.user).select_related("department")[:10]
    return render(
        request,
        "workorders/grid.html",
        {"errors": errors, "values": values, "kinds": Kind.choices, "mine": mine},
    )


PATROL_PAGE_SIZE = 10


@role_required(Role.CITY_PATROLLER)
def patrol_report(request):
    """The 数字城管 patroller's phone page: photo, GPS position or grid cell, the category of
    城市管理 and a few words; below, their own reports with status, department and deadline."""
    errors, done = _field_report(request, Channel.PATROL)
    if done:
        return redirect("workorders_staff:patrol")
    values = request.POST
    mine = (
        WorkOrder.objects.filter(created_by=request.user, channel=Channel.PATROL)
        .select_related("department", "category", "grid_cell")
        .order_by("-created_at")
    )
    status = request.GET.get("status", "")
    if status == "open":
        mine = mine.exclude(status__in=FINAL)
    elif status == "closed":
        mine = mine.filter(status__in=FINAL)
    page = Paginator(mine, PATROL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workorders/patrol.html",
        {
            "errors": errors,
            "values": values,
            "page": page,
            "status": status,
            "categories": Category.objects.filter(
                parent__code=intake.PATROL_CATEGORY_ROOT, is_active=True
            ),
        },
    )


@staff_required
def statistics(request):
    period = stats.Period.parse(request.GET.get("start"), request.GET.get("end"))
    return render(
        request,
        "workorders/stats.html",
        {"period": period, "figures": stats.figures(period), "map": stats.hotspot_map(period)},
    )
