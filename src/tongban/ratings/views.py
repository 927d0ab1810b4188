"""Public and applicant pages: rate a completed case (一事一评) and 追评, rate a hall visit by its
one-time code (一次一评), the SMS gateway webhook and its simulator, and the public figures."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.accounts.models import User
from tongban.accounts.permissions import staff_required
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.ratings import actions, sms, stats
from tongban.ratings.codes import (
    ONLINE_INDICATORS,
    ONSITE_INDICATORS,
    WEB_CHANNELS,
    Channel,
    Level,
    stars,
)
from tongban.ratings.models import BadRatingCase, HallVisit, Rating


def error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for ms in error.message_dict.values() for m in ms)
    return "；".join(error.messages)


def web_channel(request) -> str:
    agent = request.headers.get("User-Agent", "")
    return Channel.MOBILE if ("Mobi" in agent or "Android" in agent) else Channel.PC


def _posted_scores(request, indicators: dict) -> dict:
    return {
        code: request.POST.get(f"score_{code}")
        for code in indicators
        if code != "overall" and request.POST.get(f"score_{code}")
    }


def svg_qr(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


# (code, name, stars): the form shows the name and the stars, as the public figures do.
LEVELS = [(value, label, stars(value)) for value, label in Level.choices]


@login_required
def rate_case(request, public_id):
    application = get_object_or_404(
        Application.objects.select_related("item_version", "service_item__department"),
        public_id=public_id,
        owner=request.user,  # someone else's case is simply not found
    )
    initial = (
        Rating.objects.filter(application=application, is_follow_up=False, channel__in=WEB_CHANNELS)
        .select_related("bad_case")
        .first()
    )
    other = Rating.objects.filter(application=application, is_follow_up=False).exclude(
        channel__in=WEB_CHANNELS
    )
    follow = initial.follow_ups.filter(about_rectification=False).first() if initial else None
    bad_cases = list(
        BadRatingCase.objects.filter(rating__application=application, rating__rater=request.user)
        .select_related("rating", "rectification_rating")
        .order_by("id")
    )
    if request.method == "POST":
        form = request.POST.get("form", "rate")
        scores = _posted_scores(request, ONLINE_INDICATORS)
        try:
            if form == "rate":
                actions.rate_case(
                    application=application,
                    rater=request.user,
                    level=request.POST.get("level"),
                    scores=scores,
                    text=request.POST.get("text", ""),
                    channel=web_channel(request),
                )
                messages.success(request, _("感谢您的评价！"))
            elif form == "follow_up" and initial:
                actions.follow_up(
                    rating=initial,
                    rater=request.user,
                    level=request.POST.get("level"),
                    scores=scores,
                    text=request.POST.get("text", ""),
                    channel=web_channel(request),
                )
                messages.success(request, _("追评已提交"))
            elif form == "rectification":
                bad_case = next(
                    (b for b in bad_cases if str(b.pk) == request.POST.get("bad_case")), None
                )
                if bad_case is None:
                    raise Http404("没有找到该差评")
                actions.rate_rectification(
                    bad_case=bad_case,
                    rater=request.user,
                    level=request.POST.get("level"),
                    text=request.POST.get("text", ""),
                    channel=web_channel(request),
                )
                messages.success(request, _("感谢您对整改结果的评价"))
            else:
                raise ValidationError(_("不支持的操作"))
        except ValidationError as error:
            messages.error(request, error_text(error))
        except PermissionDenied as error:
            messages.error(request, str(error))
        return redirect("ratings:case", public_id)
    follow_up_open = bool(
        initial and follow is None and timezone.now() <= actions.follow_up_open_until(initial)
    )
    return render(
        request,
        "ratings/rate_case.html",
        {
            "application": application,
            "completed": application.status == Status.COMPLETED,
            "initial": initial,
            "other_ratings": list(other),
            "follow": follow,
            "follow_up_open": follow_up_open,
            # 追评 is for later (the result used, the licence received): right after rating the
            # page offers a link to it, and the form only when the person asks for it.
            "follow_up_asked": follow_up_open and request.GET.get("follow_up") == "1",
            "follow_up_until": actions.follow_up_open_until(initial) if initial else None,
            "bad_cases": [(b, actions.rectification_rating_open(b)) for b in bad_cases],
            "levels": LEVELS,
            "indicators": [(c, n) for c, n in ONLINE_INDICATORS.items() if c != "overall"],
            "follow_up_days": actions.follow_up_days(),
        },
    )


def rate_visit(request, token):
    visit = HallVisit.objects.select_related("hall", "window", "department").filter(token=token)
    visit = visit.first()
    if visit is None:
        raise Http404("评价码无效")
    channel = Channel.TABLET if request.GET.get("via") == "tablet" else Channel.QR
    done = visit.token_used_at is not None
    if request.method == "POST" and not done:
        try:
            actions.rate_visit(
                token=token,
                level=request.POST.get("level"),
                scores=_posted_scores(request, ONSITE_INDICATORS),
                text=request.POST.get("text", ""),
                channel=channel,
                # a hall tablet may be signed in as staff: staff never become the rater
                rater=request.user
                if request.user.is_authenticated and request.user.kind != User.Kind.STAFF
                else None,
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("感谢您的评价！"))
        return redirect(f"{reverse('ratings:visit', args=[token])}?via={channel}")
    return render(
        request,
        "ratings/rate_visit.html",
        {
            "visit": visit,
            "done": done,
            "channel": channel,
            "levels": LEVELS,
            "indicators": [(c, n) for c, n in ONSITE_INDICATORS.items() if c != "overall"],
        },
    )


@csrf_exempt
@require_POST
def sms_inbound(request):
    status, payload = sms.handle(request.body, request.headers.get(sms.SIGNATURE_HEADER))
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


@staff_required
def sms_simulator(request):
    """An embedded stand-in for the SMS gateway: sends a signed reply through the real webhook
    check, and shows what the platform texted back (demo SMS outbox)."""
    from tongban.notify.models import SmsOutbox

    if not sms.simulator_enabled():
        raise Http404("已接入真实短信网关，模拟页面不可用")
    result = None
    if request.method == "POST":
        phone = request.POST.get("phone", "").strip()
        text = request.POST.get("text", "")
        body, signature = sms.build(phone, text)
        status, payload = sms.handle(body, signature)
        result = {"http": status, **payload}
    outbox = SmsOutbox.objects.only("masked_phone", "text", "created_at")[:10]
    return render(request, "ratings/sms_simulator.html", {"result": result, "outbox": outbox})


def public_stats(request):
    period = stats.Period.parse(request.GET.get("start"), request.GET.get("end"))
    return render(
        request,
        "ratings/public.html",
        {
            "period": period,
            "departments": stats.figures("department", period),
            "items": stats.figures("item", period),
            "indicators": list(stats.indicator_labels().items()),
            "platform_site": settings.SITE_URL,
        },
    )
