"""The clock: 特别程序 (suspensions, art. 45) and the one extension (art. 42)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.cases import conf, deadlines, notices, policy
from tongban.cases.audit_actions import AuditAction
from tongban.cases.events import CaseSuspensionEnded
from tongban.cases.handling import (
    locked,
    notify_applicant,
    record_event,
    require,
)
from tongban.cases.models import (
    Case,
    Extension,
    Suspension,
)
from tongban.cases.policy import Refused
from tongban.core import audit, events, workdays


def handling_case(application: Application, actor: User) -> Case:
    if application.status != Status.ACCEPTED:
        raise Refused(
            _("当前状态（%(status)s）不能执行此操作") % {"status": application.get_status_display()}
        )
    case = Case.objects.select_for_update().get(application=application)
    require(actor, case.department_id, *policy.HANDLING)
    return case


def refresh_due(case: Case, today: datetime.date | None = None) -> deadlines.Deadlines:
    result = deadlines.compute(case, workdays.Calendar(), today or timezone.localdate())
    case.effective_due_date, case.suspended = result.promised_due, result.suspended
    case.save(update_fields=["effective_due_date", "suspended"])
    return result


@transaction.atomic
def start_suspension(
    *, application: Application, actor: User, kind: str, reason: str, started_on: datetime.date
) -> Suspension:
    application = locked(application)
    case = handling_case(application, actor)
    errors = {}
    if kind not in Suspension.Kind.values:
        errors["kind"] = [_("请选择特别程序种类")]
    if not (reason or "").strip():
        errors["reason"] = [_("请写明启动理由或依据")]
    if started_on is None or started_on < case.accepted_on or started_on > timezone.localdate():
        errors["started_on"] = [_("开始日期应在受理日期之后且不晚于今天")]
    if errors:
        raise ValidationError(errors)
    if case.suspensions.filter(ended_on=None).exists():
        raise Refused(_("已有正在进行的特别程序，请先结束"))
    suspension = Suspension.objects.create(
        case=case, kind=kind, reason=reason.strip(), started_on=started_on, started_by=actor
    )
    refresh_due(case)
    label = suspension.get_kind_display()
    record_event(
        application,
        f"特别程序开始：{label}",
        notices.suspension_started(
            label=label,
            reason=reason.strip(),
            started_on=started_on,
            stops_clock=suspension.stops_clock,
        ),
        actor=actor,
    )
    audit.record(AuditAction.START_SUSPENSION, actor=actor, obj=application, detail={"kind": kind})
    if suspension.stops_clock:
        notify_applicant(
            application, "case.suspended", procedure=label, started_on=f"{started_on:%Y-%m-%d}"
        )
    return suspension


@transaction.atomic
def end_suspension(
    *, application: Application, actor: User, ended_on: datetime.date, result: str
) -> Suspension:
    application = locked(application)
    case = handling_case(application, actor)
    suspension = case.suspensions.select_for_update().filter(ended_on=None).first()
    if suspension is None:
        raise Refused(_("没有正在进行的特别程序"))
    if ended_on is None or ended_on < suspension.started_on:
        raise ValidationError({"ended_on": [_("结束日期不能早于开始日期")]})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": [_("结束日期不能晚于今天")]})
    if not (result or "").strip():
        raise ValidationError({"result": [_("请填写特别程序结果")]})
    suspension.ended_on, suspension.ended_by, suspension.result = ended_on, actor, result.strip()
    suspension.working_days = (
        deadlines.stopped_working_days(
            workdays.Calendar(), suspension.started_on, ended_on, ended_on
        )
        if suspension.stops_clock
        else 0
    )
    suspension.save()
    due = refresh_due(case)
    record_event(
        application,
        f"特别程序结束：{suspension.get_kind_display()}",
        notices.suspension_ended(
            result=suspension.result,
            working_days=suspension.working_days,
            due=due.promised_due,
            stops_clock=suspension.stops_clock,
        ),
        actor=actor,
    )
    audit.record(
        AuditAction.END_SUSPENSION,
        actor=actor,
        obj=application,
        detail={"working_days": suspension.working_days},
    )
    events.publish(
        CaseSuspensionEnded(
            application_id=application.pk,
            case_number=application.case_number,
            department_id=case.department_id,
            working_days=suspension.working_days,
        )
    )
    if not suspension.stops_clock:
        return suspension
    notify_applicant(
        application,
        "case.resumed",
        procedure=suspension.get_kind_display(),
        due_date=f"{due.promised_due:%Y-%m-%d}",
    )
    return suspension


@transaction.atomic
def extend(*, application: Application, actor: User, reason: str) -> Extension:
    """延长审批: once, by the configured working days (art. 42: 10), approved by the head."""
    application = locked(application)
    if application.status != Status.ACCEPTED:
        raise Refused(
            _("当前状态（%(status)s）不能延长审批") % {"status": application.get_status_display()}
        )
    case = Case.objects.select_for_update().get(application=application)
    require(actor, case.department_id, *policy.EXTENDING)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请写明延长理由，理由将告知申请人")]})
    if Extension.objects.filter(case=case).exists():
        raise Refused(_("本件已经延长过审批期限，依法只能延长一次"))
    days = conf.extension_working_days()
    extension = Extension.objects.create(
        case=case, working_days=days, reason=reason.strip(), approved_by=actor
    )
    due = refresh_due(case)
    record_event(
        application,
        "延长审批期限",
        notices.extension_event(days=days, due=due.promised_due, reason=reason.strip()),
        actor=actor,
    )
    audit.record(AuditAction.EXTEND, actor=actor, obj=application, detail={"days": days})
    notify_applicant(
        application,
        "case.extended",
        days=days,
        reason=reason.strip()[:40],
        due_date=f"{due.promised_due:%Y-%m-%d}",
    )
    return extension
