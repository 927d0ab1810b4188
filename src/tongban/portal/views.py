"""Citizen portal pages, elderly mode and the error pages."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.core import apierrors
from tongban.core.middleware import RequestContextMiddleware
from tongban.licences.actions import wallet
from tongban.notify.models import InboxMessage

ONE_YEAR = 365 * 24 * 3600
# A licence ending within this many days is flagged 即将到期 in 我的, with the way to renew it.
EXPIRING_DAYS = 60
HUB_ROWS = 5


def home(request):
    return render(request, "portal/home.html")


@login_required
def my(request):
    """我的: one place after signing in for what waits on the person (drafts, 待补正, 待评价), their
    licences (即将到期 first), messages, and for an enterprise the cases filed in its name by its
    agents, with who filed them. Every list is short, each row links to its own page."""
    user = request.user
    own = (
        Application.objects.filter(owner=user)
        .select_related("item_version")
        .only("public_id", "status", "case_number", "updated_at", "item_version__name")
    )
    drafts = list(own.filter(status=Status.DRAFT).order_by("-updated_at")[:HUB_ROWS])
    corrections = list(own.filter(status=Status.CORRECTION).order_by("-updated_at")[:HUB_ROWS])
    to_rate = list(
        own.filter(status=Status.COMPLETED, ratings__isnull=True)
        .order_by("-updated_at")
        .distinct()[:HUB_ROWS]
    )
    today = timezone.localdate()
    licences = list(wallet(user)[:20]) if user.kind != "staff" else []
    soon = today + datetime.timedelta(days=EXPIRING_DAYS)
    expiring = [
        licence
        for licence in licences
        if licence.is_usable and licence.valid_until and licence.valid_until <= soon
    ]
    for licence in expiring:
        licence.days_left = (licence.valid_until - today).days
    messages = list(
        InboxMessage.objects.filter(recipient=user, read_at__isnull=True)
        .order_by("-created_at", "-pk")
        .only("pk", "title", "created_at")[:3]
    )
    enterprise_cases = []
    profile = getattr(user, "enterprise", None) if user.kind == "enterprise" else None
    if profile is not None:  # the legal representative sees every case filed in its name
        enterprise_cases = list(
            Application.objects.filter(enterprise=profile)
            .exclude(status__in=(Status.DRAFT, Status.DISCARDED))
            .select_related("item_version", "owner")
            .only(
                "public_id",
                "status",
                "case_number",
                "updated_at",
                "item_version__name",
                "owner__display_name",
                "owner__login_name",
                "owner_id",
            )
            .order_by("-updated_at")[:10]
        )
    return render(
        request,
        "portal/my.html",
        {
            "drafts": drafts,
            "corrections": corrections,
            "to_rate": to_rate,
            "licences_count": len(licences),
            "expiring": expiring,
            "unread": messages,
            "enterprise_cases": enterprise_cases,
            "todo_count": len(corrections) + len(to_rate),
        },
    )


@require_POST
def toggle_elderly_mode(request):
    """Switch the large-text, high-contrast mode on or off; a long-lived cookie keeps the choice."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    turn_on = request.POST.get("on", "1" if not request.elderly_mode else "0") == "1"
    response.set_cookie(
        RequestContextMiddleware.ELDERLY_COOKIE,
        "1" if turn_on else "0",
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
    )
    return response


def error_403(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def error_404(request, exception=None):
    if apierrors.is_api(request):
        return apierrors.not_found_json()
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # No request context: the page must render even when the database or a context processor is
    # what failed.
    from django.conf import settings

    from tongban.core.logging import new_error_reference

    # The log line Django writes next carries the same reference (core.logging.ErrorReference).
    request.error_reference = reference = new_error_reference()
    if apierrors.is_api(request):
        return apierrors.server_error_json(reference)
    page = loader.get_template("errors/500.html").render(
        {"platform_name": settings.PLATFORM_NAME, "reference": reference}
    )
    return HttpResponseServerError(page)
