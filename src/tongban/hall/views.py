"""Visitor pages: the halls, booking a slot (phone and PC), my bookings, taking a ticket by the
hall's QR code, the live ticket page, and the hall's TV display."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.applications.models import Application
from tongban.core.models import ServiceHall
from tongban.hall import forms, live
from tongban.hall.actions import booking, queue
from tongban.hall.actions.common import local_now
from tongban.hall.codes import AppointmentStatus, Source
from tongban.hall.models import Appointment, Ticket
from tongban.hall.snapshot import snapshot
from tongban.ratings.views import svg_qr


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or "无权操作"
    return "；".join(error.messages)


def halls(request):
    found = ServiceHall.objects.filter(groups__is_active=True).distinct().order_by("region_id")
    return render(request, "hall/halls.html", {"halls": found})


def _own_application(request):
    number = (request.POST.get("case_number") or request.GET.get("case") or "").strip()
    if not number:
        return None
    found = Application.objects.filter(case_number=number, owner=request.user).first()
    if found is None:
        raise ValidationError("未找到您名下该办件编号的申请")
    return found


@login_required
def book(request, hall_id):
    hall = get_object_or_404(ServiceHall, pk=hall_id)
    groups = list(hall.groups.filter(is_active=True).prefetch_related("items"))
    days = booking.booking_days(hall)
    chosen = {"group": request.GET.get("group", ""), "day": request.GET.get("day", "")}
    error = ""
    if request.method == "POST":
        try:
            group = forms.group_of(hall, request.POST.get("group"))
            day, start = forms.parse_slot(request.POST.get("slot"))
            appointment = booking.book(
                visitor=request.user,
                group=group,
                day=day,
                start=start,
                application=_own_application(request),
            )
        except (ValidationError, PermissionDenied) as problem:
            error = error_text(problem)
            chosen = {"group": request.POST.get("group", ""), "day": request.POST.get("day", "")}
        else:
            messages.success(request, "预约成功，前一天将短信提醒您")
            return redirect("hall:booking", appointment.reference)
    group = next((g for g in groups if str(g.pk) == chosen["group"]), groups[0] if groups else None)
    day = next((d for d in days if d.isoformat() == chosen["day"]), days[0] if days else None)
    slots = booking.slots(group, day) if group and day else []
    return render(
        request,
        "hall/book.html",
        {
            "hall": hall,
            "groups": groups,
            "group": group,
            "days": days,
            "day": day,
            "slots": slots,
            "error": error,
            "case": request.POST.get("case_number") or request.GET.get("case", ""),
        },
        status=400 if error else 200,
    )


@login_required
def my_bookings(request):
    rows = (
        Appointment.objects.filter(visitor=request.user)
        .select_related("group__hall")
        .order_by("-day", "-start")[:50]
    )
    return render(request, "hall/my_bookings.html", {"bookings": rows})


def _my_booking(request, reference) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("group__hall", "application", "item"),
        reference=reference,
        visitor=request.user,
    )


@login_required
def booking_detail(request, reference):
    appointment = _my_booking(request, reference)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel":
                booking.cancel(appointment=appointment, actor=request.user)
                messages.success(request, "预约已取消")
            elif action == "reschedule":
                day, start = forms.parse_slot(request.POST.get("slot"))
                booking.reschedule(
                    appointment=appointment, actor=request.user, day=day, start=start
                )
                messages.success(request, "已改约")
            elif action == "check_in":
                ticket = queue.check_in(appointment=appointment, actor=request.user)
                return redirect("hall:ticket", ticket.token)
            else:
                raise ValidationError("未知操作")
        except (ValidationError, PermissionDenied) as problem:
            error = error_text(problem)
        else:
            return redirect("hall:booking", appointment.reference)
    other_slots = []
    if appointment.status == AppointmentStatus.BOOKED:
        for day in booking.booking_days(appointment.group.hall):
            other_slots += [s for s in booking.slots(appointment.group, day) if s.bookable]
    ticket = Ticket.objects.filter(appointment=appointment).first()
    return render(
        request,
        "hall/booking.html",
        {"b": appointment, "other_slots": other_slots, "error": error, "ticket": ticket},
        status=400 if error else 200,
    )


def take(request, hall_id):
    """Scanning the hall's QR code: take a ticket on the phone (signed in, or with a phone number)."""
    hall = get_object_or_404(ServiceHall, pk=hall_id)
    groups = list(hall.groups.filter(is_active=True))
    error = ""
    if request.method == "POST":
        visitor = request.user if request.user.is_authenticated else None
        try:
            ticket = queue.take_ticket(
                group=forms.group_of(hall, request.POST.get("group")),
                source=Source.PHONE,
                visitor=visitor,
                phone="" if visitor else request.POST.get("phone", ""),
                green=request.POST.get("green", ""),
            )
        except (ValidationError, PermissionDenied) as problem:
            error = error_text(problem)
        else:
            return redirect("hall:ticket", ticket.token)
    bookings_today = (
        Appointment.objects.filter(
            visitor=request.user,
            group__hall=hall,
            day=local_now().date(),
            status=AppointmentStatus.BOOKED,
        )
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "hall/take.html",
        {
            "hall": hall,
            "groups": groups,
            "error": error,
            "closed": queue.hall_open_problem(hall, local_now()),
            "bookings_today": bookings_today,
        },
        status=400 if error else 200,
    )


def hall_qr(request, hall_id):
    hall = get_object_or_404(ServiceHall, pk=hall_id)
    url = settings.SITE_URL.rstrip("/") + reverse("hall:take", args=[hall.pk])
    return HttpResponse(svg_qr(url), content_type="image/svg+xml")


def _ticket_by_token(token) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related("hall", "group", "window", "visit"), token=token
    )


def ticket_state(ticket: Ticket) -> dict:
    current = live.version(ticket.hall_id)
    state = snapshot(ticket.hall_id, current).ticket_state(ticket.pk)
    if not state["status"]:  # a ticket of another day, or one the snapshot has not seen yet
        state.update(status=ticket.status, status_label=str(ticket.get_status_display()))
    return state


def ticket(request, token):
    found = _ticket_by_token(token)
    return render(
        request,
        "hall/ticket.html",
        {
            "t": found,
            "state": ticket_state(found),
            "rate_url": reverse("ratings:visit", args=[found.visit.token]) if found.visit else "",
        },
    )


def ticket_json(request, token):
    return JsonResponse(ticket_state(_ticket_by_token(token)))


@require_POST
def ticket_cancel(request, token):
    found = _ticket_by_token(token)
    try:
        queue.cancel_ticket(ticket=found, token=token)
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
    else:
        messages.success(request, "已取消排队")
    return redirect("hall:ticket", token)


def display(request, hall_id):
    hall = get_object_or_404(ServiceHall, pk=hall_id)
    current = snapshot(hall.pk, live.version(hall.pk))
    return render(
        request,
        "hall/display.html",
        {"hall": hall, "snap": current.display(), "groups": current.groups.values()},
    )
