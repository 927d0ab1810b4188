"""Invitations to rate: after a case is completed (办结), and at the hall's window (a QR code)."""

import logging
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.core import audit, pii
from tongban.ratings import policy
from tongban.ratings.actions.common import _later_sms
from tongban.ratings.audit_actions import AuditAction
from tongban.ratings.models import (
    HallVisit,
    RatingInvitation,
)

log = logging.getLogger(__name__)

# --- invitations ----------------------------------------------------------------------------------


def invite_after_completion(application: Application) -> RatingInvitation | None:
    """On case.completed, inside the completion's transaction: invite the applicant to rate
    (in the message centre, and by SMS with the 1–5 reply instruction)."""
    from tongban.notify import actions as notify

    owner = application.owner
    context = {
        "case_number": application.case_number,
        "item_name": application.item_version.name,
        "department": application.service_item.department.name,
    }
    link = reverse("ratings:case", args=[application.public_id])
    try:
        notify.send(
            owner, "rating.invitation", context, channels=["inapp"], related=application, link=link
        )
        if owner.phone:
            notify.send(
                owner,
                "rating.sms_invitation",
                context,
                channels=["sms"],
                related=application,
                link=link,
            )
    except notify.TemplateNotFound:
        log.warning("rating invitation templates missing; no invitation sent")
        return None
    if not owner.phone_index:
        return None
    return RatingInvitation.objects.create(
        application=application,
        rater=owner,
        phone_index=owner.phone_index,
        sent_at=timezone.now(),
    )


@transaction.atomic
def start_hall_visit(
    *, actor: User, visitor_phone: str = "", service_item=None, visitor: User | None = None
) -> HallVisit:
    """The window clerk records the service just given; the visitor rates it by the QR code, the
    hall tablet, or (when a phone is given) by replying to an SMS."""
    policy.require_start_hall_visit(actor)
    profile = actor.staff_profile
    if profile.hall_id is None:
        raise ValidationError(_("您的账户未设置所在大厅，请联系平台管理员"))
    phone = pii.normalise(visitor_phone)
    if phone and not re.fullmatch(r"1\d{10}", phone):
        raise ValidationError({"visitor_phone": [_("请输入11位手机号码")]})
    visit = HallVisit.objects.create(
        hall_id=profile.hall_id,
        window_id=profile.window_id,
        clerk=actor,
        department_id=profile.department_id,
        service_item=service_item,
        visitor=visitor,
        visitor_phone=phone,
        visitor_phone_index=pii.blind_index(phone, "phone") if phone else "",
        served_at=timezone.now(),
    )
    audit.record(AuditAction.HALL_VISIT, actor=actor, obj=visit)
    if phone:
        RatingInvitation.objects.create(
            visit=visit, phone_index=visit.visitor_phone_index, sent_at=timezone.now()
        )
        _later_sms(
            phone,
            f"感谢您到{visit.hall.name}办事。回复1-5评价：5非常满意…1非常不满意",
            "ratings.visit_invitation",
            visit,
        )
    return visit
