"""差评整改: assign → verify with a callback → fix / ledger / explain / appeal, each move through
the bad case's state machine (ratings.states.BAD_CASE), and the rater's rating of the result."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.core import audit, statemachine, workdays
from tongban.ratings import policy
from tongban.ratings.actions.common import (
    TEXT_MAX,
    _clean,
    _context_for,
    _create,
    _later_sms,
    _official,
    follow_up_days,
    rectify_working_days,
)
from tongban.ratings.audit_actions import AuditAction
from tongban.ratings.codes import (
    CLASSIFICATION_TARGET,
    DEPARTMENT,
    ONLINE_INDICATORS,
    RESOLVED,
    SUPERVISOR,
    BadStatus,
    Channel,
    Classification,
)
from tongban.ratings.models import (
    BadRatingCase,
    BadRatingHistory,
    Rating,
    RatingCallback,
)
from tongban.ratings.states import BAD_CASE

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
        AuditAction.BAD_ASSIGNED,
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


can_handle = policy.can_handle
_require_department = policy.require_handle


REFUSED = "当前状态（%(status)s）不能执行此操作"


def _move(bad_case, target: str, actor, kind: str, event: str, note: str = "") -> None:
    BAD_CASE.check(bad_case.status, target, kind, message=_(REFUSED))
    if target in RESOLVED or target == BadStatus.UPHELD:
        bad_case.resolved_at, bad_case.warning = timezone.now(), ""
    statemachine.transition(
        bad_case,
        target,
        actor=actor,
        actor_kind=kind,
        machine=BAD_CASE,
        message=_(REFUSED),
        update_fields=None,
        reason=note,
        history={"event": event},
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
    audit.record(AuditAction.CALLBACK, actor=actor, obj=bad_case, detail={"reached": reached})
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
    BAD_CASE.check(bad_case.status, target, DEPARTMENT, message=_(REFUSED))
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
    policy.require_decide_appeal(actor)
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
    policy.require_rate_rectification(rater, bad_case)
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
    audit.record(AuditAction.RATE_RECTIFICATION, actor=rater, obj=bad_case, detail={"level": level})
    return rating
