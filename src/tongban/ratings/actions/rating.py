"""Ratings given online, at the hall and as a follow-up (追评). A bad rating opens its
rectification case."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.core import audit
from tongban.ratings import policy
from tongban.ratings.actions.common import (
    VISIT_TOKEN_DAYS,
    _clean,
    _create,
    follow_up_days,
    handling_staff,
)
from tongban.ratings.actions.rectification import _open_bad_case
from tongban.ratings.audit_actions import AuditAction
from tongban.ratings.codes import (
    ONLINE_INDICATORS,
    ONSITE_INDICATORS,
    WEB_CHANNELS,
    Channel,
    is_bad,
)
from tongban.ratings.models import (
    HallVisit,
    Rating,
    RatingInvitation,
)


@transaction.atomic
def rate_case(
    *,
    application: Application,
    rater: User,
    level,
    scores: dict | None = None,
    text: str = "",
    channel: str = Channel.PC,
) -> Rating:
    """一事一评: the applicant rates a completed case, once per channel (the web page counts as one)."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service_item__department", "item_version")
        .get(pk=application.pk)
    )
    policy.require_rate_case(rater, application)
    if application.status != Status.COMPLETED:
        raise ValidationError(_("办件办结后才能评价"))
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("评价渠道无效")]})
    level, scores, text = _clean(level, scores, text, ONLINE_INDICATORS)
    same = WEB_CHANNELS if channel in WEB_CHANNELS else (channel,)
    if Rating.objects.filter(
        application=application, is_follow_up=False, channel__in=same
    ).exists():
        raise ValidationError(_("您已评价过本件，不能重复评价；可在评价后进行追评"))
    case = getattr(application, "case", None)
    rating = _create(
        Rating(
            application=application,
            level=level,
            scores=scores,
            text=text,
            channel=channel,
            rater=rater,
            real_name=True,
            item=application.service_item,
            department=case.department if case else application.service_item.department,
            staff=handling_staff(application),
        )
    )
    audit.record(
        AuditAction.RATE,
        actor=rater,
        obj=rating,
        detail={"case_number": application.case_number, "level": level, "channel": channel},
    )
    if is_bad(level):
        _open_bad_case(rating)
    return rating


@transaction.atomic
def rate_visit(
    *,
    token: str,
    level,
    scores: dict | None = None,
    text: str = "",
    channel: str = Channel.QR,
    rater: User | None = None,
) -> Rating:
    """一次一评: the person served at the window rates by the visit's one-time token."""
    visit = (
        HallVisit.objects.select_for_update(of=("self",))
        .select_related("hall", "department")
        .filter(token=token or "")
        .first()
    )
    if visit is None:
        raise PermissionDenied(_("评价码无效"))
    if visit.token_used_at or Rating.objects.filter(visit=visit, is_follow_up=False).exists():
        raise ValidationError(_("本次服务已评价，不能重复评价"))
    if timezone.now() - visit.served_at > datetime.timedelta(days=VISIT_TOKEN_DAYS):
        raise ValidationError(_("评价码已过期"))
    if channel not in (Channel.QR, Channel.TABLET, Channel.SMS):
        raise ValidationError({"channel": [_("评价渠道无效")]})
    level, scores, text = _clean(level, scores, text, ONSITE_INDICATORS)
    rating = _create(
        Rating(
            visit=visit,
            level=level,
            scores=scores,
            text=text,
            channel=channel,
            rater=rater or visit.visitor,
            real_name=bool(rater or visit.visitor_id or visit.visitor_phone_index),
            item=visit.service_item,
            department=visit.department,
            hall=visit.hall,
            window=visit.window,
            staff=visit.clerk,
        )
    )
    visit.token_used_at = timezone.now()
    visit.save(update_fields=["token_used_at"])
    RatingInvitation.objects.filter(visit=visit, answered_at=None).update(
        answered_at=timezone.now(), rating=rating
    )
    audit.record(AuditAction.RATE_VISIT, actor=rater, obj=rating, detail={"level": level})
    if is_bad(level):
        _open_bad_case(rating)
    return rating


def follow_up_open_until(rating: Rating) -> datetime.datetime:
    return rating.created_at + datetime.timedelta(days=follow_up_days())


@transaction.atomic
def follow_up(
    *, rating: Rating, rater: User, level, scores=None, text: str = "", channel: str = Channel.PC
) -> Rating:
    """追评: the rater adds a later rating within RATING_FOLLOW_UP_DAYS of the first one."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    policy.require_follow_up(rater, rating)
    if timezone.now() > follow_up_open_until(rating):
        raise ValidationError(
            _("已超过追评期限（评价后%(days)s日内）") % {"days": follow_up_days()}
        )
    if rating.follow_ups.filter(about_rectification=False).exists():
        raise ValidationError(_("您已追评过，不能重复追评"))
    indicators = ONLINE_INDICATORS if rating.application_id else ONSITE_INDICATORS
    level, scores, text = _clean(level, scores, text, indicators)
    later = _create(
        Rating(
            application=rating.application,
            visit=rating.visit,
            level=level,
            scores=scores,
            text=text,
            channel=channel,
            rater=rater,
            real_name=rating.real_name,
            item=rating.item,
            department=rating.department,
            hall=rating.hall,
            window=rating.window,
            staff=rating.staff,
            is_follow_up=True,
            parent=rating,
        )
    )
    audit.record(AuditAction.FOLLOW_UP, actor=rater, obj=later, detail={"level": level})
    if is_bad(level) and not is_bad(rating.level):
        _open_bad_case(later)
    return later
