"""What the rating service modules share: limits, settings, the person who handled a case,
score checking and message contexts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.ratings import conf, policy
from tongban.ratings.codes import (
    Level,
)
from tongban.ratings.models import (
    Rating,
)

TEXT_MAX = 500
VISIT_TOKEN_DAYS = 7  # a hall-visit QR code can be used for a week
# The SMS scale is the stars' (5 = best), never the code table's (1 = best): codes.level_from_stars.
SMS_PROMPT = "请回复数字1-5：5非常满意 4满意 3基本满意 2不满意 1非常不满意"
SMS_THANKS = "感谢您的评价！"
DEPARTMENT_ROLES = policy.DEPARTMENT_ROLES


rectify_working_days = conf.rectify_working_days
follow_up_days = conf.follow_up_days


# --- helpers --------------------------------------------------------------------------------------


def handling_staff(application: Application) -> User | None:
    """谁办理: the person who handled the 承办 step, else the one who accepted the case."""
    from tongban.cases.models import ReviewStep

    step = (
        ReviewStep.objects.filter(
            case__application=application, role=Role.HANDLER, finished_at__isnull=False
        )
        .exclude(assignee=None)
        .select_related("assignee")
        .order_by("-finished_at")
        .first()
    )
    if step:
        return step.assignee
    case = getattr(application, "case", None)
    return case.accepted_by if case else None


def _clean(level, scores, text, indicators: dict) -> tuple[int, dict, str]:
    errors = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        errors["level"] = [_("请选择满意度（非常满意至非常不满意）")]
    clean_scores = {}
    for code, value in (scores or {}).items():
        if value in (None, ""):
            continue
        if code not in indicators:
            errors["scores"] = [_("未知的评价指标：%(code)s") % {"code": str(code)[:20]}]
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = 0
        if value not in Level.values:
            errors["scores"] = [_("“%(name)s”的评价应为1-5") % {"name": indicators[code]}]
            continue
        clean_scores[code] = value
    text = (text or "").replace("\x00", "").strip()
    if len(text) > TEXT_MAX:
        errors["text"] = [_("文字评价不能超过%(n)s字") % {"n": TEXT_MAX}]
    if errors:
        raise ValidationError(errors)
    clean_scores["overall"] = level
    return level, clean_scores, text


def _official(label) -> str:
    """A code's name as it goes into messages and the history: in the official language, whatever
    language the person acting has chosen for the interface."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label())


def _context_for(rating: Rating) -> dict:
    if rating.application_id:
        application = rating.application
        return {
            "case_number": application.case_number,
            "item_name": application.item_version.name,
            "department": rating.department.name,
        }
    return {
        "case_number": "",
        "item_name": f"{rating.hall.name if rating.hall else ''}窗口服务",
        "department": rating.department.name,
    }


def _later_sms(phone: str, text: str, code: str, related) -> None:
    """A short SMS to a phone that may have no account (hall visitors, SMS replies), through
    notify's normal delivery: logged, retried, sent after the rating change commits."""
    from tongban.notify import actions as notify

    notify.send_sms_to_phone(phone, text, code=code, related=related)


# --- ratings ------------------------------------------------------------------------------------


def _create(rating: Rating) -> Rating:
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        raise ValidationError(_("您已评价过，不能重复评价")) from exc
    return rating
