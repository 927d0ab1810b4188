"""The 好差评 service layer: invitations, ratings (online, hall, SMS reply), follow-ups, and the
handling of bad ratings (assign → verify with a callback → fix / ledger / explain / appeal).

Every move locks its row, checks the transition (ratings.codes.TRANSITIONS) and the actor's role and
department, writes in one transaction with a history row and an audit record, and notifies.
"""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.core import audit, pii, workdays
from tongban.ratings.codes import (
    CLASSIFICATION_TARGET,
    DEPARTMENT,
    ON_CLOCK,
    ONLINE_INDICATORS,
    ONSITE_INDICATORS,
    RESOLVED,
    SUPERVISOR,
    WEB_CHANNELS,
    BadStatus,
    Channel,
    Classification,
    Level,
    allowed,
    is_bad,
)
from tongban.ratings.models import (
    BadRatingCase,
    BadRatingHistory,
    HallVisit,
    Rating,
    RatingCallback,
    RatingInvitation,
)

log = logging.getLogger(__name__)

TEXT_MAX = 500
VISIT_TOKEN_DAYS = 7  # a hall-visit QR code can be used for a week
SMS_PROMPT = "请回复数字1-5：1非常满意 2满意 3基本满意 4不满意 5非常不满意"
SMS_THANKS = "感谢您的评价！"
DEPARTMENT_ROLES = (Role.HANDLER, Role.REVIEWER, Role.APPROVER)


def rectify_working_days() -> int:
    return getattr(settings, "RATING_RECTIFY_WORKING_DAYS", 10)


def follow_up_days() -> int:
    return getattr(settings, "RATING_FOLLOW_UP_DAYS", 15)


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
    profile = getattr(actor, "staff_profile", None)
    if not actor.has_role(Role.WINDOW_CLERK) or profile is None:
        raise PermissionDenied(_("只有窗口人员可以登记窗口服务"))
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
    audit.record("ratings.hall_visit", actor=actor, obj=visit)
    if phone:
        RatingInvitation.objects.create(
            visit=visit, phone_index=visit.visitor_phone_index, sent_at=timezone.now()
        )
        _later_sms(
            phone,
            f"感谢您到{visit.hall.name}办事。回复1-5评价：1非常满意…5非常不满意",
            "ratings.visit_invitation",
            visit,
        )
    return visit


# --- ratings ------------------------------------------------------------------------------------


def _create(rating: Rating) -> Rating:
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        raise ValidationError(_("您已评价过，不能重复评价")) from exc
    return rating


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
    if rater is None or application.owner_id != rater.pk:
        raise PermissionDenied(_("只有申请人本人可以评价本件"))
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
        "ratings.rate",
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
    audit.record("ratings.rate_visit", actor=rater, obj=rating, detail={"level": level})
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
    if rating.is_follow_up or rater is None or rating.rater_id != rater.pk:
        raise PermissionDenied(_("只有评价人本人可以追评"))
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
    audit.record("ratings.follow_up", actor=rater, obj=later, detail={"level": level})
    if is_bad(level) and not is_bad(rating.level):
        _open_bad_case(later)
    return later


def _digit(text: str) -> int | None:
    reply = (text or "").strip().translate(str.maketrans("１２３４５", "12345"))
    return int(reply) if re.fullmatch(r"[1-5]", reply) else None


def receive_sms(phone: str, text: str) -> dict:
    """短信二次评价: an inbound SMS reply. Matched by the phone's blind index to the latest invitation
    still awaiting a reply; a single digit 1–5 records the rating, anything else records nothing and
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


# --- bad ratings (差评) ----------------------------------------------------------------------------


def _department_people(department_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            staff_roles__role__in=[Role.APPROVER, Role.HANDLER, Role.SUPERVISOR],
            staff_profile__department_id=department_id,
        ).distinct()[:30]
    )


def _supervisors() -> list[User]:
    return list(
        User.objects.filter(is_active=True, staff_roles__role=Role.SUPERVISOR).distinct()[:30]
    )


def _notify_staff(people, template: str, bad_case: BadRatingCase, **extra) -> None:
    from tongban.notify import actions as notify

    context = {
        **_context_for(bad_case.rating),
        "level": _official(bad_case.rating.get_level_display),
        "due_date": f"{bad_case.deadline:%Y-%m-%d}",
        **extra,
    }
    link = reverse("ratings_staff:detail", args=[bad_case.pk])
    for person in people:
        notify.send(person, template, context, channels=["inapp"], related=bad_case, link=link)


def _history(bad_case, event, *, actor=None, before="", after="", note="") -> None:
    BadRatingHistory.objects.create(
        bad_case=bad_case,
        from_status=before,
        to_status=after,
        event=event,
        note=note[:2000],
        actor=actor,
    )


def _open_bad_case(rating: Rating) -> BadRatingCase:
    deadline = workdays.Calendar().add_working_days(timezone.localdate(), rectify_working_days())
    bad_case = BadRatingCase.objects.create(
        rating=rating, department=rating.department, deadline=deadline
    )
    _history(bad_case, "差评自动分派", after=BadStatus.ASSIGNED, note=f"整改期限 {deadline}")
    audit.record(
        "ratings.bad_assigned",
        obj=bad_case,
        detail={"department": rating.department_id, "deadline": deadline.isoformat()},
    )
    people = {p.pk: p for p in _department_people(rating.department_id)}
    people.pop(rating.staff_id, None)  # the person rated does not handle it
    _notify_staff(people.values(), "rating.bad_assigned", bad_case)
    return bad_case


def _locked(bad_case: BadRatingCase) -> BadRatingCase:
    return (
        BadRatingCase.objects.select_for_update(of=("self",))
        .select_related("rating__application__item_version", "rating__hall", "department")
        .get(pk=bad_case.pk)
    )


def can_handle(actor: User, bad_case: BadRatingCase) -> bool:
    return (
        actor.has_role(*DEPARTMENT_ROLES)
        and serves_department(actor, bad_case.department_id)
        and (actor.pk != bad_case.rating.staff_id or actor.has_role(Role.PLATFORM_ADMIN))
    )


def _require_department(actor: User, bad_case: BadRatingCase) -> None:
    if not can_handle(actor, bad_case):
        raise PermissionDenied(
            _("您的角色或所属部门无权处理此差评（被评价人不能处理针对本人的差评）")
        )


def _move(bad_case, target: str, actor, kind: str, event: str, note: str = "") -> None:
    if not allowed(bad_case.status, target, kind):
        raise ValidationError(
            _("当前状态（%(status)s）不能执行此操作") % {"status": bad_case.get_status_display()}
        )
    before = bad_case.status
    bad_case.status = target
    if target in RESOLVED or target == BadStatus.UPHELD:
        bad_case.resolved_at, bad_case.warning = timezone.now(), ""
    bad_case.save()
    _history(bad_case, event, actor=actor, before=before, after=target, note=note)
    audit.record(
        f"ratings.bad_{target}",
        actor=actor,
        obj=bad_case,
        detail={"from": before, "to": target},
    )


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value[: TEXT_MAX * 4]


@transaction.atomic
def record_callback(
    *,
    bad_case: BadRatingCase,
    actor: User,
    summary: str,
    called_at: datetime.datetime | None = None,
    reached: bool = True,
) -> RatingCallback:
    """回访: the department calls the rater back and records when, who and what was said."""
    bad_case = _locked(bad_case)
    _require_department(actor, bad_case)
    summary = _required(summary, "summary", _("请填写回访内容"))
    called_at = called_at or timezone.now()
    if called_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"called_at": [_("回访时间不能晚于现在")]})
    if called_at < bad_case.assigned_at - datetime.timedelta(minutes=5):
        raise ValidationError({"called_at": [_("回访时间不能早于差评分派时间")]})
    callback = RatingCallback.objects.create(
        bad_case=bad_case, called_at=called_at, called_by=actor, reached=reached, summary=summary
    )
    if reached and bad_case.first_callback_at is None:
        bad_case.first_callback_at = called_at
        bad_case.save(update_fields=["first_callback_at"])
    _history(bad_case, "回访" if reached else "回访未联系上", actor=actor, note=summary)
    audit.record("ratings.callback", actor=actor, obj=bad_case, detail={"reached": reached})
    return callback


@transaction.atomic
def verify(*, bad_case: BadRatingCase, actor: User, finding: str) -> BadRatingCase:
    """核实: record what was found. A real-name bad rating needs a callback first (回访率 100%)."""
    bad_case = _locked(bad_case)
    _require_department(actor, bad_case)
    finding = _required(finding, "finding", _("请填写核实情况"))
    if bad_case.rating.real_name and bad_case.first_callback_at is None:
        raise ValidationError(_("实名差评须先回访评价人并记录回访情况"))
    bad_case.verification = finding
    _move(bad_case, BadStatus.VERIFIED, actor, DEPARTMENT, "核实", finding)
    return bad_case


@transaction.atomic
def classify(
    *, bad_case: BadRatingCase, actor: User, classification: str, text: str
) -> BadRatingCase:
    """分类处理: fix at once, ledger with the deadline, explain, or appeal to the supervisor."""
    bad_case = _locked(bad_case)
    _require_department(actor, bad_case)
    if classification not in Classification.values:
        raise ValidationError({"classification": [_("请选择处理类型")]})
    target = CLASSIFICATION_TARGET[Classification(classification)]
    text = _required(text, "text", _("请填写整改措施、解释内容或申诉理由"))
    if not allowed(bad_case.status, target, DEPARTMENT):
        raise ValidationError(
            _("当前状态（%(status)s）不能执行此操作") % {"status": bad_case.get_status_display()}
        )
    bad_case.classification = classification
    if target in (BadStatus.APPEALED, BadStatus.LEDGER):
        bad_case.plan = text
    else:
        bad_case.result = text
    _move(bad_case, target, actor, DEPARTMENT, Classification(classification).label, text)
    if target == BadStatus.APPEALED:
        _notify_staff(_supervisors(), "rating.appeal", bad_case)
    elif target in RESOLVED:
        _tell_rater(bad_case)
    return bad_case


@transaction.atomic
def rectify(*, bad_case: BadRatingCase, actor: User, result: str) -> BadRatingCase:
    """台账整改完成: record what was changed; the rater is told and may rate it."""
    bad_case = _locked(bad_case)
    _require_department(actor, bad_case)
    bad_case.result = _required(result, "result", _("请填写整改结果"))
    _move(bad_case, BadStatus.RECTIFIED, actor, DEPARTMENT, "整改完成", bad_case.result)
    _tell_rater(bad_case)
    return bad_case


@transaction.atomic
def decide_appeal(
    *, bad_case: BadRatingCase, actor: User, uphold: bool, opinion: str
) -> BadRatingCase:
    """The supervisor decides an appeal: upheld → the rating no longer counts; not upheld → the
    department must fix, rectify or explain."""
    bad_case = _locked(bad_case)
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("只有效能监察人员可以裁定申诉"))
    bad_case.appeal_opinion = _required(opinion, "opinion", _("请填写裁定意见"))
    target = BadStatus.UPHELD if uphold else BadStatus.OVERTURNED
    _move(
        bad_case,
        target,
        actor,
        SUPERVISOR,
        "申诉成立" if uphold else "申诉不成立",
        bad_case.appeal_opinion,
    )
    if uphold:
        Rating.objects.filter(pk=bad_case.rating_id).update(voided=True)
        bad_case.result = f"经核实并由监察部门裁定，该评价不计入统计：{bad_case.appeal_opinion}"
        bad_case.save(update_fields=["result"])
        _tell_rater(bad_case)
    else:
        _notify_staff(
            [p for p in _department_people(bad_case.department_id) if p.pk != actor.pk],
            "rating.bad_assigned",
            bad_case,
        )
    return bad_case


def _tell_rater(bad_case: BadRatingCase) -> None:
    from tongban.notify import actions as notify

    rating = bad_case.rating
    outcome = _official(bad_case.get_status_display)
    if rating.rater_id:
        link = (
            reverse("ratings:case", args=[rating.application.public_id])
            if rating.application_id
            else ""
        )
        notify.send(
            rating.rater,
            "rating.rectification_result",
            {**_context_for(rating), "outcome": outcome, "result": bad_case.result[:300]},
            related=bad_case,
            link=link,
        )
    elif rating.visit_id and rating.visit.visitor_phone:
        _later_sms(
            rating.visit.visitor_phone,
            f"您对{rating.hall.name if rating.hall else ''}窗口服务的评价已处理：{outcome}。",
            "ratings.rectification_result",
            bad_case,
        )


def rectification_rating_open(bad_case: BadRatingCase) -> bool:
    return (
        bad_case.status in RESOLVED
        and bad_case.rectification_rating_id is None
        and bad_case.resolved_at is not None
        and timezone.now() <= bad_case.resolved_at + datetime.timedelta(days=follow_up_days())
    )


@transaction.atomic
def rate_rectification(
    *, bad_case: BadRatingCase, rater: User, level, text: str = "", channel: str = Channel.PC
) -> Rating:
    """The rater rates how the bad rating was handled (once, within RATING_FOLLOW_UP_DAYS)."""
    bad_case = _locked(bad_case)
    original = bad_case.rating
    if rater is None or original.rater_id != rater.pk:
        raise PermissionDenied(_("只有评价人本人可以评价整改结果"))
    if bad_case.rectification_rating_id:
        raise ValidationError(_("您已评价过整改结果，不能重复评价"))
    if not rectification_rating_open(bad_case):
        raise ValidationError(_("当前不能评价整改结果（尚未整改完成或已超过评价期限）"))
    level, scores, text = _clean(level, {}, text, ONLINE_INDICATORS)
    rating = _create(
        Rating(
            application=original.application,
            visit=original.visit,
            level=level,
            scores=scores,
            text=text,
            channel=channel,
            rater=rater,
            real_name=original.real_name,
            item=original.item,
            department=original.department,
            hall=original.hall,
            window=original.window,
            staff=original.staff,
            is_follow_up=True,
            about_rectification=True,
            parent=original,
        )
    )
    bad_case.rectification_rating = rating
    bad_case.save(update_fields=["rectification_rating"])
    _history(bad_case, "评价人评价整改结果", actor=rater, note=_official(rating.get_level_display))
    audit.record("ratings.rate_rectification", actor=rater, obj=bad_case, detail={"level": level})
    return rating


# --- warnings -----------------------------------------------------------------------------------


def days_left(bad_case: BadRatingCase, today: datetime.date, calendar=None) -> int:
    """Working days left to the deadline; negative when overdue."""
    calendar = calendar or workdays.Calendar()
    if today <= bad_case.deadline:
        return calendar.working_days_between(today, bad_case.deadline)
    return -max(1, calendar.working_days_between(bad_case.deadline, today))


YELLOW_WORKING_DAYS = 2
WARNING_EVENTS = {"yellow": "黄色预警", "red": "红色预警（已超期）"}


def raise_rectification_warnings(today: datetime.date | None = None) -> dict[str, int]:
    """Scheduled job: yellow when ≤ 2 working days are left, red once the deadline has passed;
    each level is recorded and notified once (department and supervisors)."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    counts = {"yellow": 0, "red": 0}
    candidates = BadRatingCase.objects.filter(status__in=ON_CLOCK).only("pk")
    for candidate in candidates.iterator():
        with transaction.atomic():
            bad_case = _locked(candidate)
            if bad_case.status not in ON_CLOCK:
                continue
            left = days_left(bad_case, today, calendar)
            level = (
                "red"
                if today > bad_case.deadline
                else "yellow"
                if left <= YELLOW_WORKING_DAYS
                else ""
            )
            if level == bad_case.warning:
                continue
            bad_case.warning = level
            bad_case.save(update_fields=["warning"])
            event = WARNING_EVENTS.get(level)
            if not level or bad_case.history.filter(event=event).exists():
                continue
            _history(bad_case, event, note=f"剩余{left}个工作日")
            audit.record(f"ratings.warning_{level}", obj=bad_case, detail={"days_left": left})
            counts[level] += 1
            people = {p.pk: p for p in _department_people(bad_case.department_id)}
            people.update({p.pk: p for p in _supervisors()})
            _notify_staff(
                people.values(),
                "rating.rectify_warning",
                bad_case,
                warning="已超期" if level == "red" else "即将到期",
                days_left=left,
            )
    return counts
