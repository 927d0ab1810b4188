"""Uploaded materials: attaching (a re-upload replaces the material's file), removing, the deferred
material of a 容缺受理 supplied after acceptance, and the checklist a materials page and the
submission read."""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongban.accounts.models import User
from tongban.applications import uploads
from tongban.applications.actions.commitments import commitment_options
from tongban.applications.actions.common import (
    MAX_FILES_PER_MATERIAL,
    May,
    locked,
    required_materials,
)
from tongban.applications.audit_actions import AuditAction
from tongban.applications.models import (
    Application,
    MaterialCommitment,
    ReplacedFile,
    TimelineEvent,
    UploadedFile,
)
from tongban.applications.states import (
    APPLICANT,
    COMMITMENT,
    EDITABLE,
    CommitmentState,
    Status,
)
from tongban.catalog.models import Material
from tongban.core import audit, statemachine
from tongban.ocr import actions as ocr


@transaction.atomic
def attach_file(
    *,
    application: Application,
    actor: User,
    material_id: int,
    uploaded,
    replaces: int | None = None,
) -> UploadedFile:
    """Add a file to the material, or, with `replaces` (the id of one of the material's current
    files), put the new file in its place: the old one is no longer part of the application (no
    page, count or submission sees it) but is kept as a ReplacedFile and in the audit record."""
    application = locked(application, actor)
    material = next((m for m in required_materials(application) if m.pk == material_id), None)
    if material is None:
        raise ValidationError(gettext("该材料不属于本次申请"))
    if replaces is None:
        stored = _store_upload(application, material, actor, uploaded)
    else:
        old = application.files.filter(pk=replaces, material=material).first()
        if old is None:
            raise ValidationError(gettext("要替换的文件已不在该材料中，请刷新页面后重新上传"))
        stored = _store_checked(
            application, material, actor, uploads.check_upload(uploaded), replacing=old
        )
    application.commitments.filter(material=material).delete()  # the material itself is here now
    return stored


def _replace(old: UploadedFile, new: UploadedFile, actor: User) -> None:
    """The old file leaves the application's current materials for their history: its stored
    file stays (the history row points at it), its row goes."""
    ReplacedFile.objects.create(
        application_id=old.application_id,
        material_id=old.material_id,
        file=old.file.name,
        original_name=old.original_name,
        content_type=old.content_type,
        size=old.size,
        pages=old.pages,
        sha256=old.sha256,
        uploaded_at=old.uploaded_at,
        uploaded_by_id=old.uploaded_by_id,
        replaced_by=actor,
        replacement_sha256=new.sha256,
    )
    old.delete()


def _store_upload(application: Application, material: Material, actor: User, uploaded):
    if application.files.filter(material=material).count() >= MAX_FILES_PER_MATERIAL:
        raise ValidationError(
            gettext("每项材料最多上传 %(count)s 个文件") % {"count": MAX_FILES_PER_MATERIAL}
        )
    return _store_checked(application, material, actor, uploads.check_upload(uploaded))


def _store_checked(
    application: Application,
    material: Material,
    actor: User,
    checked: uploads.CheckedFile,
    replacing: UploadedFile | None = None,
    *,
    recognition=None,
) -> UploadedFile:
    """Store a checked file for the material. `recognition`: the file was read already (a clerk's
    scan at the window), so that reading goes with it instead of a new one."""
    stored = UploadedFile(
        application=application,
        material=material,
        original_name=checked.display_name,
        content_type=checked.content_type,
        size=len(checked.content),
        pages=checked.pages,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    stored.file.save(
        f"{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content), save=False
    )
    if recognition is not None:
        stored.recognition = recognition
    elif material.document_kind and application.status in EDITABLE:
        # 智能免填: the worker reads it; the form is offered what it says, never changed by it.
        stored.recognition = ocr.request_recognition(
            actor=actor,
            kind=material.document_kind,
            content=checked.content,
            content_type=checked.content_type,
            extension=checked.extension,
        )
    stored.save()
    detail = {"material": material.name, "sha256": checked.sha256}
    if replacing is not None:
        _replace(replacing, stored, actor)
        detail["replaced_sha256"] = replacing.sha256
    audit.record(
        AuditAction.REPLACE_FILE if replacing is not None else AuditAction.ATTACH_FILE,
        actor=actor,
        obj=application,
        detail=detail,
    )
    return stored


@transaction.atomic
def remove_file(*, application: Application, actor: User, file_id: int) -> None:
    application = locked(application, actor)
    stored = application.files.filter(pk=file_id).first()
    if stored is None:
        raise ValidationError(gettext("文件不存在或已删除"))
    name = stored.file.name
    stored.delete()
    transaction.on_commit(lambda: stored.file.storage.delete(name))
    audit.record(
        AuditAction.REMOVE_FILE, actor=actor, obj=application, detail={"sha256": stored.sha256}
    )


@transaction.atomic
def supply_deferred_material(
    *, application: Application, actor: User, material_id: int, uploaded
) -> UploadedFile:
    """容缺后补: after acceptance the applicant uploads the material promised, by the deadline."""
    application = locked(application, actor, may=May.ACT)
    commitment = (
        application.commitments.select_for_update()
        .filter(material_id=material_id, kind=MaterialCommitment.Kind.DEFERRED)
        .select_related("material")
        .first()
    )
    if commitment is None:
        raise ValidationError(gettext("该材料不是容缺材料"))
    refusal = gettext("该容缺材料%(state)s，不能再补交") % {"state": commitment.get_state_display()}
    COMMITMENT.check(commitment.state, CommitmentState.SUPPLIED, APPLICANT, message=refusal)
    if application.status != Status.ACCEPTED:
        raise ValidationError(
            gettext("该申请%(status)s，不能补交材料") % {"status": application.get_status_display()}
        )
    stored = _store_upload(application, commitment.material, actor, uploaded)
    commitment.closed_at, commitment.closed_by = timezone.now(), actor
    statemachine.transition(
        commitment,
        CommitmentState.SUPPLIED,
        actor=actor,
        actor_kind=APPLICANT,
        machine=COMMITMENT,
        message=refusal,
        update_fields=["closed_at", "closed_by"],
        audit_action=AuditAction.COMMITMENT_SUPPLIED,
        audit_detail={"material": commitment.material.name},
    )
    TimelineEvent.objects.create(
        application=application,
        department=application.service_item.department,
        action="补交容缺材料",
        opinion=f"已补交：{commitment.material.name}",
        actor_label="申请人",
    )
    return stored


def material_checklist(application: Application) -> list[dict]:
    from tongban.applications.shared_data import checklist_shared
    from tongban.licences.actions import checklist_licences

    files_by_material: dict[int, list[UploadedFile]] = {}
    for stored in application.files.select_related("material", "recognition"):
        files_by_material.setdefault(stored.material_id, []).append(stored)
    materials = required_materials(application)
    licences = checklist_licences(application, materials)  # 免证可办: use recorded / on offer
    shared = checklist_shared(application, materials)  # 免证可办 through the data exchange
    commitments = {c.material_id: c for c in application.commitments.all()}
    return [
        {
            "material": m,
            "files": files_by_material.get(m.pk, []),
            "licence_use": licences[m.pk]["use"],
            "licence_offer": licences[m.pk]["offer"],
            "shared_use": shared[m.pk]["use"],
            "shared_offer": shared[m.pk]["offer"],
            "commitment": commitments.get(m.pk),
            "commitment_options": [] if m.pk in commitments else commitment_options(application, m),
            "missing": m.required
            and not files_by_material.get(m.pk)
            and not licences[m.pk]["use"]
            and not shared[m.pk]["use"]
            and m.pk not in commitments,
        }
        for m in materials
    ]
