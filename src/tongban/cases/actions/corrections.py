"""补正: the one correction notice (一次性告知), its answer, and closing the unanswered ones."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications import actions as intake
from tongban.applications.models import Application
from tongban.applications.states import STAFF, SYSTEM, Status
from tongban.cases import conf, notices, policy
from tongban.cases.audit_actions import AuditAction
from tongban.cases.events import CaseCorrectionRequested
from tongban.cases.handling import (
    case_for,
    header,
    issue,
    locked,
    move,
    notify_applicant,
    record_event,
    require,
)
from tongban.cases.models import (
    Case,
    CorrectionNotice,
)
from tongban.cases.policy import Refused
from tongban.core import audit, events, workdays


def _material_items(application: Application, materials: dict[int, str]) -> list[str]:
    """The ticked materials (pk → what is wrong, may be empty) as the notice's items, in the
    order the application lists them: "<material name>：<problem>" or the name alone. The name
    leads, so the applicant's correction page finds and marks the material it names."""
    if not materials:
        return []
    own = {m.pk: m for m in intake.required_materials(application)}
    unknown = [pk for pk in materials if pk not in own]
    if unknown:
        raise ValidationError({"materials": [_("所选材料不是本申请的材料，请刷新页面后重新勾选")]})
    items = []
    for pk, material in own.items():
        if pk in materials:
            problem = (materials[pk] or "").strip()
            items.append(f"{material.name}：{problem}" if problem else material.name)
    return items


@transaction.atomic
def request_correction(
    *,
    application: Application,
    actor: User,
    items: list[str] = (),
    materials: dict[int, str] | None = None,
) -> CorrectionNotice:
    """补正: one notice listing everything to correct (一次性告知); the applicant corrects online and
    acceptance starts again from the corrected submission. `materials`: the application's
    materials ticked on the case page (pk → the problem, may be empty); `items`: anything else,
    in free text. An empty request is refused."""
    items = [
        *_material_items(application, materials or {}),
        *(i.strip() for i in items if i and i.strip()),
    ]
    if not items:
        raise ValidationError({"items": [_("请勾选需要补正的材料，或填写其他需要补正的内容")]})
    application = locked(application)
    require(actor, application.service_item.department_id, *policy.ACCEPTING)
    _refuse_second_correction(application)
    move(application, Status.CORRECTION, actor, STAFF, "；".join(items))
    case = case_for(application)
    respond_by = workdays.add_working_days(timezone.localdate(), conf.correction_working_days())
    notice = CorrectionNotice.objects.create(
        case=case, items=items, issued_by=actor, respond_by=respond_by
    )
    document = issue(
        case,
        "correction_notice",
        "补正告知书",
        [
            *header(application),
            *notices.correction_sections(items, respond_by, application.applicant_name),
        ],
        actor,
    )
    notice.document_number = document.document.number
    notice.save(update_fields=["document_number"])
    record_event(
        application,
        "一次性告知补正",
        notices.correction_event(items, respond_by),
        actor=actor,
    )
    audit.record(
        AuditAction.REQUEST_CORRECTION,
        actor=actor,
        obj=application,
        detail={"items": items, "materials": sorted(materials or {})},
    )
    notify_applicant(
        application,
        "application.correction_needed",
        reason="；".join(items)[:60],
        due_date=f"{respond_by:%Y-%m-%d}",
    )
    events.publish(  # a 一件事 bundle tells its applicant once, for all its members
        CaseCorrectionRequested(
            application_id=application.pk,
            case_number=application.case_number,
            department_id=case.department_id,
            respond_by=respond_by.isoformat(),
        )
    )
    return notice


def _refuse_second_correction(application: Application) -> None:
    """一次性告知 (art. 32 (4)): the one notice lists everything. After the applicant resubmits,
    the organ accepts, or refuses acceptance for what the notice listed and was not corrected
    (RefusalGround.NOT_CORRECTED); it never asks again."""
    earlier = CorrectionNotice.objects.filter(case__application=application).first()
    if earlier is not None:
        raise Refused(
            notices.second_correction_refused(
                timezone.localtime(earlier.issued_at).date(), earlier.document_number
            )
        )


def has_correction_notice(application: Application) -> bool:
    return CorrectionNotice.objects.filter(case__application=application).exists()


def resolve_corrections(application_id: int) -> None:
    """The applicant resubmitted (event application.resubmitted): the open notice is answered."""
    CorrectionNotice.objects.filter(case__application_id=application_id, resolved_at=None).update(
        resolved_at=timezone.now()
    )


def open_correction(application: Application) -> CorrectionNotice | None:
    """The correction notice the applicant has still to answer, shown on the draft's pages."""
    if application.status != Status.CORRECTION:
        return None
    return CorrectionNotice.objects.filter(case__application=application, resolved_at=None).last()


def close_unanswered_corrections(today: datetime.date | None = None) -> list[str]:
    """Daily job: an application whose 补正告知书 was not answered by its deadline counts as
    abandoned, as the notice said ("逾期未补正的，视为放弃申请"): the system ends it with 办结 result
    5 补交逾期办结. Safe to run again: only applications still 待补正 are touched."""
    today = today or timezone.localdate()
    overdue = CorrectionNotice.objects.filter(
        resolved_at=None,
        respond_by__lt=today,
        case__application__status=Status.CORRECTION,
    ).values_list("case__application_id", flat=True)
    done = []
    for application_id in list(overdue):
        with transaction.atomic():
            application = locked(Application(pk=application_id))
            notice = (
                CorrectionNotice.objects.select_for_update()
                .filter(case__application=application, resolved_at=None)
                .first()
            )
            if application.status != Status.CORRECTION or notice is None:
                continue
            if notice.respond_by >= today:
                continue
            _abandon(application, notice)
        done.append(application.case_number)
    return done


def _abandon(application: Application, notice: CorrectionNotice) -> None:
    reason = notices.abandon_reason(notice.respond_by)
    move(application, Status.COMPLETED, None, SYSTEM, reason)
    case = notice.case
    case.completed_at = timezone.now()
    case.completion_result = Case.CompletionResult.CORRECTION_OVERDUE
    case.decision_reason = reason
    case.save(update_fields=["completed_at", "completion_result", "decision_reason"])
    record_event(
        application,
        "视为放弃申请",
        notices.abandon_event(notice.document_number, notice.respond_by),
    )
    audit.record(
        AuditAction.CORRECTION_ABANDONED,
        obj=application,
        detail={"notice": notice.document_number, "respond_by": notice.respond_by.isoformat()},
    )
    notify_applicant(
        application, "case.correction_abandoned", due_date=f"{notice.respond_by:%Y-%m-%d}"
    )
