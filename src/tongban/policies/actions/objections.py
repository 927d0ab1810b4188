"""Objections: "I think I qualify" or "this is wrong", to the policy's department, answered
within the policy's deadline in statutory working days (core.workdays)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongban.core import audit, workdays
from tongban.core.statemachine import transition
from tongban.notify import actions as notify
from tongban.policies import states
from tongban.policies.actions import offers
from tongban.policies.actions.common import ANSWERERS, require_role
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import Match, Objection, Policy

OS = Objection.Status


@transaction.atomic
def raise_objection(*, user, policy: Policy, kind: str, text: str, match: Match | None = None):
    mine = offers.subject_index_of(user)
    if mine is None or mine[0] != policy.target:
        raise ValidationError(gettext("这项政策不面向您的账户类型"))
    if match is not None and (match.subject_kind, match.subject_index) != mine:
        raise ValidationError(gettext("只能对本人或本企业的认定提出异议"))
    errors = {}
    if kind not in Objection.Kind.values:
        errors["kind"] = [gettext("请选择异议类型")]
    if len(text.strip()) < 5:
        errors["text"] = [gettext("请写明理由（至少5个字）")]
    if errors:
        raise ValidationError(errors)
    if Objection.objects.filter(policy=policy, subject_index=mine[1], status=OS.OPEN).exists():
        raise ValidationError(gettext("您对这项政策已有待答复的异议，请等待答复"))
    objection = Objection.objects.create(
        policy=policy,
        match=match,
        user=user,
        subject_index=mine[1],
        kind=kind,
        text=text.strip()[:2000],
        due_date=workdays.add_working_days(timezone.localdate(), policy.objection_days),
    )
    audit.record(
        AuditAction.OBJECTION_RAISE, actor=user, obj=objection, detail={"policy": policy.code}
    )
    return objection


@transaction.atomic
def answer(*, actor, objection: Objection, text: str) -> Objection:
    objection = Objection.objects.select_for_update().select_related("policy").get(pk=objection.pk)
    require_role(
        actor,
        objection.policy.department,
        ANSWERERS,
        gettext("只有政策所属部门的工作人员可以答复异议"),
    )
    if len(text.strip()) < 5:
        raise ValidationError({"text": [gettext("请写明答复（至少5个字）")]})
    transition(
        objection,
        OS.ANSWERED,
        actor_kind=states.kind(actor, states.ANSWERER),
        machine=states.OBJECTION,
        message=gettext("该异议%(status)s，不能再答复"),
        save=False,
        write_audit=False,
    )
    objection.answer = text.strip()[:2000]
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    notify.send(
        objection.user,
        "policy.objection_answered",
        {"policy_name": objection.policy.name, "department": objection.policy.department.name},
        related=objection,
        link="/policies/",
    )
    audit.record(AuditAction.OBJECTION_ANSWER, actor=actor, obj=objection)
    return objection


def overdue(today=None):
    today = today or timezone.localdate()
    return Objection.objects.filter(status=OS.OPEN, due_date__lt=today)
