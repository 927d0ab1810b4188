"""The window's console (叫号、办理、转窗口、窗口代办 from the ticket) and the hall manager's live
board and reports. Thin: every change goes through hall.actions."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import role_required, serves_department
from tongban.accounts.roles import Role
from tongban.applications import actions as intake
from tongban.applications.models import Application
from tongban.core import audit
from tongban.core.models import ServiceHall, Window
from tongban.hall import monitor, reports
from tongban.hall.actions import queue
from tongban.hall.actions.common import local_now
from tongban.hall.audit_actions import AuditAction
from tongban.hall.codes import AT_WINDOW, WindowStatus
from tongban.hall.models import Ticket, WindowDesk, WindowGroup
from tongban.hall.policy import can_manage
from tongban.hall.states import WINDOW_DESK
from tongban.hall.views import error_text

CLERK = (Role.WINDOW_CLERK,)


def _window_of(request) -> Window:
    profile = getattr(request.user, "staff_profile", None)
    chosen = request.GET.get("window") or request.POST.get("window")
    if chosen and str(chosen).isdigit() and profile and profile.hall_id:
        window = Window.objects.filter(pk=chosen, hall_id=profile.hall_id).first()
        if window:
            return window
    if profile is None or profile.window_id is None:
        raise PermissionDenied("您的账户未分配窗口，请联系大厅管理员")
    return profile.window


@role_required(*CLERK)
def console(request):
    window = _window_of(request)
    desk, _ = WindowDesk.objects.select_related("current__group", "clerk").get_or_create(
        window=window
    )
    current = desk.current if desk.current_id and desk.current.status in AT_WINDOW else None
    groups = WindowGroup.objects.filter(windows=window, is_active=True)
    waiting = (
        queue.waiting_queue(groups).filter(day=local_now().date()).select_related("group")[:20]
    )
    return render(
        request,
        "hall/console.html",
        {
            "window": window,
            "desk": desk,
            "current": current,
            "waiting": waiting,
            "groups": groups,
            "other_groups": WindowGroup.objects.filter(hall=window.hall, is_active=True).exclude(
                pk__in=[g.pk for g in groups]
            ),
            "application": _ticket_application(current),
            "windows": Window.objects.filter(hall=window.hall),
            # the window's switches the machine allows from where the desk stands
            "desk_moves": WINDOW_DESK.targets(desk.status),
        },
    )


def _ticket_application(ticket: Ticket | None) -> Application | None:
    if ticket is None:
        return None
    if ticket.application_id:
        return ticket.application
    if ticket.appointment_id and ticket.appointment.application_id:
        return ticket.appointment.application
    return None


def _done(request, window) -> HttpResponse:
    return redirect(f"{_console_url()}?window={window.pk}")


def _console_url():
    from django.urls import reverse

    return reverse("hall_staff:console")


@require_POST
@role_required(*CLERK)
def window_act(request, move):
    window = _window_of(request)
    try:
        if move in WindowStatus.values:
            queue.set_window(actor=request.user, window=window, status=move)
        elif move in ("next", "call"):
            ticket = (
                queue.call_next(actor=request.user, window=window)
                if move == "next"
                else queue.call_ticket(
                    actor=request.user, window=window, code=request.POST.get("code", "")
                )
            )
            messages.success(request, f"请 {ticket.code} 号到 {window.number} 号窗口办理")
        else:
            raise ValidationError("未知操作")
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
    return _done(request, window)


@require_POST
@role_required(*CLERK)
def ticket_act(request, pk, move):
    ticket = get_object_or_404(Ticket.objects.select_related("window"), pk=pk)
    window = ticket.window or _window_of(request)
    simple = {"recall": queue.recall, "no_show": queue.mark_no_show, "start": queue.start_service}
    try:
        if move in simple:
            simple[move](actor=request.user, ticket=ticket)
        elif move == "finish":
            done = queue.finish_service(actor=request.user, ticket=ticket)
            messages.success(request, f"{done.code} 号已办结，请服务对象扫码评价")
            return redirect("ratings_staff:visit", done.visit_id)
        elif move == "transfer":
            group = WindowGroup.objects.filter(pk=request.POST.get("group") or 0).first()
            if group is None:
                raise ValidationError("请选择要转往的窗口分组")
            new = queue.transfer(
                actor=request.user, ticket=ticket, group=group, note=request.POST.get("note", "")
            )
            messages.success(request, f"已转至“{group.name}”，新号 {new.code}，保留原排队顺序")
        else:
            raise ValidationError("未知操作")
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
    return _done(request, window)


@require_POST
@role_required(*CLERK)
def proxy_from_ticket(request, pk):
    """窗口代办 from the ticket: the visitor's account and the ticket's item, nothing retyped."""
    ticket = get_object_or_404(
        Ticket.objects.select_related("visitor", "item", "window", "group"), pk=pk
    )
    window = ticket.window or _window_of(request)
    try:
        if ticket.status not in AT_WINDOW or ticket.clerk_id != request.user.pk:
            raise ValidationError("只能为本窗口正在办理的号代办")
        if ticket.visitor is None or ticket.visitor.kind != "citizen":
            raise ValidationError("该号没有实名账户，请先协助办事人注册后再代办")
        item = ticket.item or ticket.group.items.filter(pk=request.POST.get("item") or 0).first()
        if item is None:
            raise ValidationError("请选择要代办的事项")
        if not serves_department(request.user, item.department_id):
            raise ValidationError("该事项不属于本窗口受理的部门")
        application = intake.start_application(
            owner=ticket.visitor,
            service_item=item,
            channel=Application.Channel.WINDOW,
            window_staff=request.user,
        )
        Ticket.objects.filter(pk=ticket.pk, application=None).update(application=application)
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
        return _done(request, window)
    return redirect("applications:draft", application.public_id)


def _managed_hall(request, hall_id) -> ServiceHall:
    hall = get_object_or_404(ServiceHall, pk=hall_id)
    if not can_manage(request.user, hall):
        raise PermissionDenied("您不是本大厅的管理人员")
    return hall


@role_required()
def boards(request):
    halls = [
        h
        for h in ServiceHall.objects.filter(groups__isnull=False).distinct()
        if can_manage(request.user, h)
    ]
    if len(halls) == 1:
        return redirect("hall_staff:board", halls[0].pk)
    return render(request, "hall/boards.html", {"halls": halls})


@role_required()
def board(request, hall_id):
    hall = _managed_hall(request, hall_id)
    return render(request, "hall/board.html", {"hall": hall, "b": monitor.board(hall)})


@role_required()
def board_fragment(request, hall_id):
    hall = _managed_hall(request, hall_id)
    return render(request, "hall/board_fragment.html", {"hall": hall, "b": monitor.board(hall)})


@role_required()
def report(request, hall_id, period):
    hall = _managed_hall(request, hall_id)
    today = local_now().date()
    try:
        if period == "daily":
            day = datetime.date.fromisoformat(request.GET.get("day") or today.isoformat())
            start, end, label = day, day, f"{day:%Y%m%d}"
        else:
            month = request.GET.get("month") or f"{today:%Y-%m}"
            start = datetime.date.fromisoformat(f"{month}-01")
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            label = f"{start:%Y%m}"
    except ValueError:
        messages.error(request, "日期格式不正确")
        return redirect("hall_staff:board", hall.pk)
    content = reports.workbook(hall, start, end)
    audit.record(
        AuditAction.REPORT,
        actor=request.user,
        obj=hall,
        detail={"from": str(start), "to": str(end)},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="hall-{hall.pk}-{label}.xlsx"'
    return response
