"""Submission (one by one or in one call), what still stands in its way, and withdrawal."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import EnterpriseProfile, User
from tongban.applications import formdefs, numbering, uploads
from tongban.applications.actions.common import (
    MAX_FILES_PER_MATERIAL,
    SUBMISSION_READ,
    May,
    check_editable,
    locked,
    move,
    required_materials,
)
from tongban.applications.actions.drafts import (
    _check_item_open,
    _check_realname_level,
    _type_in,
    start_application,
)
from tongban.applications.actions.materials import _store_checked, material_checklist
from tongban.applications.audit_actions import AuditAction
from tongban.applications.events import ApplicationResubmitted, ApplicationSubmitted
from tongban.applications.models import (
    Application,
    PipelineStep,
    TimelineEvent,
    UploadedFile,
)
from tongban.applications.states import EDITABLE, Status
from tongban.catalog.models import Material, ServiceItem
from tongban.core import audit, events
from tongban.core.identifiers import IdType
from tongban.credit import actions as credit
from tongban.exchange.actions import materials as exchange_materials


def submission_problems(
    application: Application, checklist: list[dict] | None = None
) -> dict[str, list[str]]:
    """Everything still wrong, by form field and by material, in Chinese. `checklist`: the
    application's material_checklist when the caller has it already."""
    form = application.form
    problems: dict[str, list[str]] = {
        name: [message]
        for name, message in formdefs.validate(form.schema, form.layout, application.data).items()
    }
    if checklist is None:
        checklist = material_checklist(application)
    missing = [row["material"].name for row in checklist if row["missing"]]
    if missing:
        problems["materials"] = [_("尚未上传：%(materials)s") % {"materials": "、".join(missing)}]
    if any(row["commitment"] for row in checklist):
        barred = credit.exclusion(credit.subject_of(application))
        if barred is not None:
            problems.setdefault("materials", []).append(credit.exclusion_message(barred))
    return problems


@transaction.atomic
def submit(*, application: Application, actor: User) -> Application:
    """Idempotent: a second submit of the same draft (double click, retry, second tab) returns the
    application as the first one left it. Submitting a case that is waiting for correction (补正)
    resubmits it: same case number, and the acceptance clock starts again from this receipt."""
    return _submit_locked(
        locked(application, actor, may=May.ANYTHING, related=SUBMISSION_READ), actor
    )


def _submit_locked(application: Application, actor: User) -> Application:
    """Submit an application whose row this transaction holds, read with what submitting uses."""
    if application.status not in EDITABLE:
        return application
    check_editable(application, actor)
    resubmission = application.status == Status.CORRECTION
    item = application.service_item  # read with the locked row, as fresh as a query of its own
    try:
        version = _check_item_open(item, application.channel)
    except ValidationError as exc:
        raise ValidationError(
            _("%(reason)s，不能提交。您填写的内容已保存在草稿中。") % {"reason": exc.messages[0]}
        ) from exc
    _check_realname_level(application, version)
    if application.agent_authorisation_id:
        authorisation = application.agent_authorisation
        authorisation.refresh_from_db()
        if not (
            authorisation.is_valid_on(timezone.localdate())
            and authorisation.covers(item.basic_item.basic_code)
        ):
            raise ValidationError(
                _(
                    "您对该企业的经办授权已被撤销或已过期，不能提交。草稿已保存，"
                    "请联系企业法定代表人重新授权。"
                )
            )
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)

    form, data = application.form, application.data
    application.data = formdefs.clean_for_submission(form.schema, form.layout, data)
    _record_applicant(application)
    now = timezone.now()
    application.received_at = now
    if not resubmission:
        application.case_number = numbering.next_case_number(
            item.implementation_code, timezone.localdate(now)
        )
        application.submitted_at = now
        exchange_materials.name_case(
            application_ref=application.pk, case_number=application.case_number
        )
    move(
        application,
        Status.SUBMITTED,
        actor,
        "staff" if actor.pk == application.window_staff_id else "applicant",
    )
    application.save()
    TimelineEvent.objects.create(
        application=application,
        department_id=item.department_id,
        action="补正后重新提交" if resubmission else "网上申报",
        opinion="您已按补正告知书补正材料，等待窗口工作人员重新受理审查。"
        if resubmission
        else "您的申请已提交，等待窗口工作人员受理。",
        actor_label=application.get_channel_display(),
    )
    if resubmission:
        audit.record(AuditAction.RESUBMIT, actor=actor, obj=application)
        events.publish(  # case handling marks its correction notice answered
            ApplicationResubmitted(
                application_id=application.pk, case_number=application.case_number
            )
        )
        return application
    # Due for the sweeper from the start: if this process dies between the commit and the
    # on_commit hook that queues the steps, the sweeper still finds them after the grace period.
    from tongban.applications import pipeline

    due = timezone.now() + pipeline.SWEEP_GRACE
    PipelineStep.objects.bulk_create(
        PipelineStep(application=application, kind=kind, next_attempt_at=due)
        for kind in PipelineStep.Kind.values
    )
    audit.record(
        AuditAction.SUBMIT,
        actor=actor,
        obj=application,
        detail={"case_number": application.case_number},
    )
    events.publish(
        ApplicationSubmitted(
            application_id=application.pk,
            case_number=application.case_number,
            service_item_id=item.pk,
            department_id=item.department_id,
            channel=application.channel,
        )
    )
    transaction.on_commit(lambda: pipeline.schedule(application.pk))
    return application


def apply_in_one(
    *,
    owner: User,
    service_item: ServiceItem,
    channel: str,
    values: dict,
    files: dict[int, list],
    idempotency_key: str,
    answers: dict[int, int] | None = None,
    enterprise: EnterpriseProfile | None = None,
    entrusted: bool = False,
    idempotency_fingerprint: str = "",
) -> Application:
    """A whole application in one call, as department systems and self-service kiosks send it
    (POST /api/v1/applications/submit/): created, filled, documented and submitted in one
    transaction, so it is either submitted whole or leaves nothing behind. `values`: every field
    the applicant types, over all pages; `files`: material id → uploaded files.

    Uploads are checked before the transaction begins (reading a PDF is the slow part), and the
    audit records (start, each file, submit, as for the same steps one by one) are appended
    together at its end, so the audit chain's lock is held for the transaction's tail only."""
    checked = {
        material_id: [uploads.check_upload(f) for f in uploaded]
        for material_id, uploaded in files.items()
    }
    written: list[UploadedFile] = []
    try:
        with transaction.atomic(), audit.gathered():
            application = start_application(
                owner=owner,
                service_item=service_item,
                channel=channel,
                answers=answers,
                enterprise=enterprise,
                entrusted=entrusted,
                idempotency_key=idempotency_key,
                idempotency_fingerprint=idempotency_fingerprint,
            )
            _fill_whole_form(application, values)
            materials = {m.pk: m for m in required_materials(application)}
            _check_files_fit(materials, checked)
            for material_id, contents in checked.items():
                for content in contents:
                    written.append(
                        _store_checked(application, materials[material_id], owner, content)
                    )
            # Inserted by this transaction, so no one else can see the row, let alone change
            # it: submitted as it stands, without reading it again under a lock.
            return _submit_locked(application, owner)
    except BaseException:
        for stored in written:  # their rows are rolled back; the files must not outlive them
            stored.file.delete(save=False)
        raise


def _fill_whole_form(application: Application, values: dict) -> None:
    """Type every page at once. A field the form does not have is refused, so a misspelt name
    never loses a value silently; whether the form is complete is submit's to say, with the
    materials, in one answer."""
    form = application.form
    unknown = sorted(set(values) - set(form.schema.get("properties", {})))
    if unknown:
        message = _("申请表中没有这些字段：%(fields)s") % {"fields": "、".join(unknown)}
        raise ValidationError({"values": [message]})
    _type_in(application, [name for section in form.sections for name in section["fields"]], values)
    application.save(update_fields=["data", "updated_at"])


def _check_files_fit(materials: dict[int, Material], checked: dict[int, list]) -> None:
    strangers = sorted(str(material_id) for material_id in checked if material_id not in materials)
    if strangers:
        message = _("材料编号 %(ids)s 不属于本次申请（按情形引导的回答）") % {
            "ids": "、".join(strangers)
        }
        raise ValidationError({"materials": [message]})
    crowded = [materials[m].name for m, f in checked.items() if len(f) > MAX_FILES_PER_MATERIAL]
    if crowded:
        message = _("每项材料最多上传 %(count)s 个文件：%(materials)s") % {
            "count": MAX_FILES_PER_MATERIAL,
            "materials": "、".join(crowded),
        }
        raise ValidationError({"materials": [message]})


def _record_applicant(application: Application) -> None:
    data = application.data
    if application.enterprise_id:
        application.set_applicant_identity(
            name=application.enterprise.name,
            id_type=IdType.USCC,
            id_number=application.enterprise.uscc,
            phone=data.get("agent_phone") or "",
        )
    else:
        application.set_applicant_identity(
            name=data.get("applicant_name") or "",
            id_type=IdType.CITIZEN_ID,
            id_number=data.get("applicant_id_number") or "",
            phone=data.get("applicant_phone") or "",
        )


@transaction.atomic
def withdraw(*, application: Application, actor: User, reason: str) -> Application:
    application = locked(application, actor, may=May.ANYTHING)
    if actor.pk != application.owner_id:
        raise ValidationError(_("只有申请人本人可以撤回申请"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写撤回原因")]})
    move(application, Status.WITHDRAWN, actor, "applicant", note=reason[:300])
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    TimelineEvent.objects.create(
        application=application,
        department=application.service_item.department,
        action="申请人撤回",
        opinion=f"撤回原因：{reason[:200]}",
        actor_label="申请人",
    )
    audit.record(
        AuditAction.WITHDRAW, actor=actor, obj=application, detail={"reason": reason[:300]}
    )
    return application
