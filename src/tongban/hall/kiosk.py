"""The self-service kiosk (自助终端): a terminal opens /hall/kiosk/<key>/ full screen. A visitor
signs in by ID card (the id_card_reader plugin), takes a ticket or checks in a booking, prints
the ticket and guides, and is signed out after HALL_KIOSK_IDLE_SECONDS without a touch.

The kiosk never logs anyone into the portal: it keeps the card holder in its own session entry,
which only these pages read and which expires on inactivity (on the server too, not just in JS)."""

import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.accounts.models import CitizenProfile, User
from tongban.core import audit, pii, plugins
from tongban.hall import forms
from tongban.hall.actions import queue
from tongban.hall.actions.common import local_now
from tongban.hall.audit_actions import AuditAction
from tongban.hall.codes import AppointmentStatus, Source
from tongban.hall.models import Appointment, HallSettings, Ticket
from tongban.hall.plugins import SimulatedReader, card_reader
from tongban.hall.views import error_text, ticket_state
from tongban.ratings.views import svg_qr

SESSION_KEY = "hall_kiosk"
PAIR_KEY = "hall_kiosk_pair"
PAIR_SECONDS = 120  # how long the sign-in QR code on the kiosk screen stays valid


def _pair_cache_key(code: str) -> str:
    return f"hall:kiosk-pair:{code}"


def _new_pairing(request, setup) -> str:
    """A one-time code for signing in by scanning the kiosk's QR code with a signed-in phone."""
    code = secrets.token_urlsafe(18)
    cache.set(_pair_cache_key(code), {"hall": setup.hall_id, "user": None}, PAIR_SECONDS)
    request.session[PAIR_KEY] = code
    return code


def _setup(key) -> HallSettings:
    setup = HallSettings.objects.select_related("hall").filter(kiosk_key=key).first()
    if setup is None:
        raise Http404("未登记的自助终端")
    return setup


def _holder(request, setup) -> User | None:
    entry = request.session.get(SESSION_KEY)
    if not entry or entry.get("hall") != setup.hall_id:
        return None
    if time.time() - entry.get("at", 0) > settings.HALL_KIOSK_IDLE_SECONDS:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "您长时间未操作，已自动退出，请重新刷身份证")
        return None
    entry["at"] = time.time()
    request.session[SESSION_KEY] = entry
    return User.objects.filter(pk=entry["user"], is_active=True).select_related("citizen").first()


def home(request, key):
    setup = _setup(key)
    holder = _holder(request, setup)
    bookings = (
        Appointment.objects.filter(
            visitor=holder,
            group__hall=setup.hall,
            day=local_now().date(),
            status=AppointmentStatus.BOOKED,
        ).select_related("group")
        if holder
        else []
    )
    try:
        simulated = isinstance(card_reader(), SimulatedReader)
    except plugins.PluginError:
        simulated = False
    pair_qr = ""
    if holder is None:
        url = reverse("hall:pair", args=[_new_pairing(request, setup)])
        pair_qr = svg_qr(settings.SITE_URL.rstrip("/") + url)
    return render(
        request,
        "hall/kiosk.html",
        {
            "setup": setup,
            "hall": setup.hall,
            "holder": holder,
            "bookings": bookings,
            "groups": setup.hall.groups.filter(is_active=True).prefetch_related(
                "items__current_version"
            ),
            "elderly": holder is not None and queue.is_elderly(holder, local_now().date()),
            "closed": queue.hall_open_problem(setup.hall, local_now()),
            "idle_seconds": settings.HALL_KIOSK_IDLE_SECONDS,
            "pair_qr": pair_qr,
            "simulated_reader": simulated,
            "demo_cards": _demo_cards() if simulated else [],
        },
    )


def _demo_cards() -> list[tuple[str, str]]:
    """The simulated reader's cards: the demo people (masked names; fictional numbers)."""
    return [
        (profile.id_number, pii.mask_name(profile.real_name))
        for profile in CitizenProfile.objects.order_by("pk")[:5]
    ]


@require_POST
def sign_in(request, key):
    setup = _setup(key)
    try:
        read = card_reader().read(request.POST.dict())
        profile = CitizenProfile.objects.filter(
            id_index=pii.blind_index(read.id_number, "citizen_id")
        ).first()
        if profile is None or not profile.user.is_active:
            raise ValidationError("该身份证尚未在本平台实名注册，请到咨询台或用手机扫码取号")
    except (ValidationError, plugins.PluginError) as problem:
        messages.error(
            request,
            error_text(problem)
            if isinstance(problem, ValidationError)
            else "读卡器未配置，请联系大厅工作人员",
        )
        return redirect("hall:kiosk", key)
    _sign_in(request, setup, profile.user, "自助终端刷身份证")
    return redirect("hall:kiosk", key)


@require_POST
def sign_out(request, key):
    _setup(key)
    request.session.pop(SESSION_KEY, None)
    return redirect("hall:kiosk", key)


@require_POST
def take_ticket(request, key):
    setup = _setup(key)
    holder = _holder(request, setup)
    try:
        ticket = queue.take_ticket(
            group=forms.group_of(setup.hall, request.POST.get("group")),
            source=Source.KIOSK,
            visitor=holder,
            phone="" if holder else request.POST.get("phone", ""),
            green=request.POST.get("green", ""),
        )
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
        return redirect("hall:kiosk", key)
    request.session.pop(SESSION_KEY, None)  # the next person starts afresh
    return redirect("hall:kiosk-print", key, ticket.token)


@require_POST
def check_in(request, key, reference):
    setup = _setup(key)
    holder = _holder(request, setup)
    if holder is None:
        messages.error(request, "请先刷身份证")
        return redirect("hall:kiosk", key)
    appointment = get_object_or_404(Appointment, reference=reference, visitor=holder)
    try:
        ticket = queue.check_in(appointment=appointment, actor=holder)
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, error_text(problem))
        return redirect("hall:kiosk", key)
    request.session.pop(SESSION_KEY, None)
    return redirect("hall:kiosk-print", key, ticket.token)


def print_ticket(request, key, token):
    setup = _setup(key)
    ticket = get_object_or_404(
        Ticket.objects.select_related("group", "item__current_version"),
        token=token,
        hall=setup.hall,
    )
    return render(
        request,
        "hall/kiosk_print.html",
        {"setup": setup, "hall": setup.hall, "t": ticket, "state": ticket_state(ticket)},
    )


def _sign_in(request, setup, user: User, how: str) -> None:
    request.session[SESSION_KEY] = {"user": user.pk, "hall": setup.hall_id, "at": time.time()}
    audit.record(AuditAction.KIOSK_SIGN_IN, actor=user, obj=setup.hall, purpose=how)


def pair_status(request, key):
    """Polled by the kiosk screen: has a phone confirmed the QR code shown here?"""
    setup = _setup(key)
    code = request.session.get(PAIR_KEY, "")
    entry = cache.get(_pair_cache_key(code)) if code else None
    if entry and entry["user"] and entry["hall"] == setup.hall_id:
        cache.delete(_pair_cache_key(code))
        request.session.pop(PAIR_KEY, None)
        user = User.objects.filter(pk=entry["user"], is_active=True).first()
        if user is not None:
            _sign_in(request, setup, user, "自助终端扫码登录")
            return JsonResponse({"signed_in": True})
    return JsonResponse({"signed_in": False, "expired": entry is None})


@login_required
def pair(request, code):
    """The phone side: the signed-in visitor confirms signing in at the kiosk whose code it read."""
    entry = cache.get(_pair_cache_key(code))
    error = "" if entry else "二维码已过期，请在自助终端上重新扫码"
    if entry and request.user.kind == User.Kind.STAFF:
        error = "工作人员账户不能在自助终端登录"
    done = False
    if request.method == "POST" and not error:
        entry["user"] = request.user.pk
        cache.set(_pair_cache_key(code), entry, PAIR_SECONDS)
        done = True
    return render(
        request,
        "hall/kiosk_pair.html",
        {"error": error, "done": done},
        status=400 if error else 200,
    )
