"""The SMS channel: a rater answers the invitation text with a digit (the gateway's webhook)."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import pii
from tongban.ratings.actions.common import SMS_PROMPT, SMS_THANKS, _later_sms, follow_up_days
from tongban.ratings.actions.rating import rate_case, rate_visit
from tongban.ratings.codes import Channel, level_from_stars
from tongban.ratings.models import (
    RatingInvitation,
)


def _digit(text: str) -> int | None:
    """The level a reply means: one digit 1–5 counted like the stars (5 非常满意 … 1 非常不满意,
    as the invitation says), turned into the code table's level (1 非常满意 … 5 非常不满意)."""
    reply = (text or "").strip().translate(str.maketrans("１２３４５", "12345"))
    return level_from_stars(int(reply)) if re.fullmatch(r"[1-5]", reply) else None


def receive_sms(phone: str, text: str) -> dict:
    """短信二次评价: an inbound SMS reply. Matched by the phone's blind index to the latest invitation
    still awaiting a reply; a single digit 1–5 (5 = 非常满意, like the stars) records the rating, anything else records nothing and
    asks again. Returns {"status": "recorded" | "ignored", "reason": …}."""
    phone = re.sub(r"^\+?86(1\d{10})$", r"\1", pii.normalise(phone))  # gateways may add +86
    if not phone:
        return {"status": "ignored", "reason": "no_sender"}
    cutoff = timezone.now() - datetime.timedelta(days=follow_up_days())
    with transaction.atomic():
        invitation = (
            RatingInvitation.objects.select_for_update(of=("self",))
            .select_related("application", "visit", "rater")
            .filter(
                phone_index=pii.blind_index(phone, "phone"),
                answered_at=None,
                sent_at__gte=cutoff,
            )
            .order_by("-sent_at", "-id")
            .first()
        )
        if invitation is None:
            return {"status": "ignored", "reason": "no_pending_invitation"}
        level = _digit(text)
        if level is None:
            _later_sms(phone, SMS_PROMPT, "ratings.sms_prompt", invitation)
            return {"status": "ignored", "reason": "not_a_digit"}
        try:
            with transaction.atomic():
                if invitation.application_id:
                    rating = rate_case(
                        application=invitation.application,
                        rater=invitation.rater,
                        level=level,
                        channel=Channel.SMS,
                    )
                else:
                    rating = rate_visit(
                        token=invitation.visit.token, level=level, channel=Channel.SMS
                    )
        except (ValidationError, PermissionDenied) as exc:
            invitation.answered_at = timezone.now()
            invitation.save(update_fields=["answered_at"])
            return {"status": "ignored", "reason": "already_rated", "detail": str(exc)[:100]}
        invitation.answered_at, invitation.rating = timezone.now(), rating
        invitation.save(update_fields=["answered_at", "rating"])
        _later_sms(phone, SMS_THANKS, "ratings.sms_thanks", invitation)
    return {"status": "recorded", "reason": "ok", "level": level}
