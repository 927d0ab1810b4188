"""Citizen portal pages, elderly mode and the error pages."""

from django.http import HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tongban.core.middleware import RequestContextMiddleware

ONE_YEAR = 365 * 24 * 3600


def home(request):
    return render(request, "portal/home.html")


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
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # No request context: the page must render even when the database or a context processor is
    # what failed.
    from django.conf import settings

    page = loader.get_template("errors/500.html").render({"platform_name": settings.PLATFORM_NAME})
    return HttpResponseServerError(page)
