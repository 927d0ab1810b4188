"""Citizen pages: report a problem (text, photos, location) and follow it by number + phone tail,
including the reporter's own 回访 (满意 / 基本满意 / 不满意) once it is replied."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tongban.core import ratelimit
from tongban.core.request_context import client_ip
from tongban.workorders.actions import closure, intake
from tongban.workorders.codes import REPORTER, Channel, Kind, Satisfaction, Status
from tongban.workorders.models import WorkOrder, WorkOrderHistory

TRACK_LIMIT_PER_HOUR = 30
REPORT_LIMIT_PER_HOUR = 30


def error_messages(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def report_from_post(request, channel: str) -> intake.Report:
    post = request.POST
    user = request.user if request.user.is_authenticated else None
    return intake.Report(
        text=post.get("text", ""),
        kind=post.get("kind", Kind.COMPLAINT),
        channel=channel,
        urgency=post.get("urgency", "normal"),
        address=post.get("address", ""),
        lng=post.get("lng") or None,
        lat=post.get("lat") or None,
        reporter_name=post.get("name", ""),
        reporter_phone=post.get("phone", ""),
        reporter=user if user and user.kind != "staff" else None,
        photos=request.FILES.getlist("photos"),
        category_code=post.get("category", ""),
        grid_code=post.get("grid_code", ""),
    )


def report(request):
    errors, values = {}, {}
    if request.method == "POST":
        values = request.POST
        if ratelimit.exceeded(
            f"workorders-report:{client_ip(request)}", REPORT_LIMIT_PER_HOUR, 3600
        ):
            errors = {"__all__": [_("提交过于频繁，请一小时后再试")]}
        else:
            try:
                order = intake.submit(report_from_post(request, Channel.WEB))
            except ValidationError as error:
                errors = error_messages(error)
            else:
                request.session["workorder_submitted"] = order.number
                return redirect("workorders:submitted")
    return render(
        request,
        "workorders/report.html",
        {"errors": errors, "values": values, "kinds": Kind.choices},
    )


def submitted(request):
    number = request.session.get("workorder_submitted")
    if not number:
        return redirect("workorders:report")
    return render(request, "workorders/submitted.html", {"number": number})


def _public_history(order):
    return WorkOrderHistory.objects.filter(order=order, public=True).order_by("at", "pk")


def track(request):
    order, error = None, ""
    number = request.POST.get("number") or request.GET.get("number", "")
    if request.method == "POST":
        if ratelimit.exceeded(f"workorders-track:{client_ip(request)}", TRACK_LIMIT_PER_HOUR, 3600):
            error = _("查询过于频繁，请一小时后再试")
        else:
            order, error = closure.track(number, request.POST.get("phone_tail", ""))
            if order is not None and request.POST.get("result"):
                error = _rate(request, order)
                order.refresh_from_db()
    context = {"order": order, "error": error, "number": number}
    if order is not None:
        context.update(_progress(order), phone_tail=request.POST.get("phone_tail", ""))
    return render(request, "workorders/track.html", context)


def _progress(order) -> dict:
    """What the reporter sees of an order (merged orders show the primary's handling)."""
    shown = order.merged_into or order
    return {
        "order": order,
        "shown": shown,
        "history": _public_history(shown),
        "photos": shown.photos.filter(stage="reply"),
        "can_rate": order.status == Status.REPLIED,
        "results": Satisfaction.choices,
    }


MINE_PAGE_SIZE = 20


@login_required
def mine(request):
    """我的工单: the orders the signed-in citizen reported (the links in 我的消息 lead here)."""
    orders = WorkOrder.objects.filter(reporter=request.user).only(
        "number", "status", "text", "created_at"
    )
    page = Paginator(orders.order_by("-created_at"), MINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "workorders/mine.html", {"page": page})


@login_required
def mine_detail(request, number):
    """One of my orders: its progress, the reply, and my 回访 once it is replied. Somebody
    else's order is "not found", the same as a number that does not exist."""
    order = get_object_or_404(
        WorkOrder.objects.select_related("department", "merged_into"),
        number=number,
        reporter=request.user,
    )
    error = notice = ""
    if request.method == "POST":
        error = _rate(request, order)
        order.refresh_from_db()
        notice = "" if error else _("感谢您的评价")
    context = _progress(order)
    context.update(mine=True, error=error, notice=notice)
    return render(request, "workorders/mine_detail.html", context)


def _rate(request, order) -> str:
    try:
        closure.callback(
            order,
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
            actor=None,
            as_kind=REPORTER,
        )
    except (ValidationError, PermissionDenied) as error:
        return "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return ""
