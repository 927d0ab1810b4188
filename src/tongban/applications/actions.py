"""The intake service layer: start, save, attach, submit, withdraw. Views and the API call these.

Each function checks who may act and whether the move is allowed, writes in one transaction, keeps
history (StatusChange, TimelineEvent) and the audit record. Typed data is never thrown away: a save
keeps what was typed even when it is invalid, and a refused submission leaves the draft as it was.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.accounts import actions as accounts
from tongban.accounts.models import EnterpriseProfile, User
from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.applications import formdefs, formlib, numbering, prefill, uploads
from tongban.applications.events import ApplicationResubmitted, ApplicationSubmitted
from tongban.applications.models import (
    Application,
    ApplicationForm,
    MaterialCommitment,
    PipelineStep,
    StatusChange,
    TimelineEvent,
    UploadedFile,
    pinned_guide_texts,
)
from tongban.applications.states import EDITABLE, Status, allowed
from tongban.catalog import actions as catalog
from tongban.catalog.models import ItemVersion, Material, ServiceItem
from tongban.core import audit, events
from tongban.credit import actions as credit

MAX_FILES_PER_MATERIAL = 10
PERSON_OBJECT = "1"
ORGANISATION_OBJECTS = {"2", "3", "4", "6"}


# --- forms -------------------------------------------------------------------------------------------


def published_form(service_item: ServiceItem) -> ApplicationForm:
    """The item's published form; an item without one gets the standard form as version 1."""
    form = service_item.forms.filter(status=ApplicationForm.Status.PUBLISHED).first()
    if form is None:
        schema, layout = formlib.standard_definition()
        form = publish_form(actor=None, service_item=service_item, schema=schema, layout=layout)
    return form


@transaction.atomic
def publish_form(
    *, actor, service_item: ServiceItem, schema: dict, layout: dict
) -> ApplicationForm:
    """A new form version becomes the published one; the previous one is retired, not changed
    (applications made under it keep pointing at it)."""
    formdefs.check_definition(schema, layout)
    ServiceItem.objects.select_for_update().filter(pk=service_item.pk).get()
    last = service_item.forms.order_by("-version").first()
    service_item.forms.filter(status=ApplicationForm.Status.PUBLISHED).update(
        status=ApplicationForm.Status.RETIRED
    )
    form = ApplicationForm.objects.create(
        service_item=service_item,
        version=(last.version + 1) if last else 1,
        schema=schema,
        layout=layout,
        status=ApplicationForm.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    audit.record(
        "applications.publish_form",
        actor=actor,
        obj=form,
        detail={"item": service_item.implementation_code, "version": form.version},
    )
    return form


# --- who may apply -----------------------------------------------------------------------------------


def _check_item_open(item: ServiceItem, channel: str) -> ItemVersion:
    version = item.current_version
    today = timezone.localdate()
    if version is None or version.status != ItemVersion.Status.PUBLISHED:
        raise ValidationError("该事项已停止办理")
    if (version.valid_from and version.valid_from > today) or (
        version.valid_to and version.valid_to < today
    ):
        raise ValidationError("该事项当前不在办理有效期内")
    if not version.is_online and channel not in (
        Application.Channel.WINDOW,
        Application.Channel.KIOSK,
    ):
        raise ValidationError("该事项暂不支持网上办理，请到办事窗口办理")
    return version


def _check_applicant(
    owner: User, version: ItemVersion, item: ServiceItem, enterprise: EnterpriseProfile | None
):
    """Returns the agent authorisation used, if any. Raises when this account may not apply."""
    objects = set(filter(None, version.service_object.split(",")))
    if enterprise is None:
        if owner.kind != User.Kind.CITIZEN:
            raise ValidationError("请使用个人账户办理个人事项")
        if PERSON_OBJECT not in objects:
            raise ValidationError("该事项的服务对象是法人，请以企业身份办理")
        return None
    if not objects & ORGANISATION_OBJECTS:
        raise ValidationError("该事项的服务对象是自然人，不能以企业身份办理")
    if owner.kind == User.Kind.ENTERPRISE and getattr(owner, "enterprise", None) == enterprise:
        return None
    authorisation = accounts.active_authorisation(owner, enterprise, item.basic_item.basic_code)
    if authorisation is None:
        raise ValidationError("您没有该企业办理此事项的有效授权，请联系企业法定代表人授权")
    return authorisation


def _check_editable(application: Application, actor: User) -> None:
    if actor.pk not in (application.owner_id, application.window_staff_id):
        raise ValidationError("您无权修改该申请")
    if application.status not in EDITABLE:
        raise ValidationError(f"该申请{application.get_status_display()}，不能再修改")


# --- drafts ------------------------------------------------------------------------------------------


@transaction.atomic
def start_application(
    *,
    owner: User,
    service_item: ServiceItem,
    channel: str,
    answers: dict[int, int] | None = None,
    enterprise: EnterpriseProfile | None = None,
    entrusted: bool = False,
    window_staff: User | None = None,
    idempotency_key: str | None = None,
    idempotency_fingerprint: str = "",
) -> Application:
    """A new draft. With an idempotency key (the API's, scoped to the account), a second draft with
    the same key raises IntegrityError: the caller answers with the first one."""
    version = _check_item_open(service_item, channel)
    authorisation = _check_applicant(owner, version, service_item, enterprise)
    guidance = catalog.resolve_situation(catalog.version_structure(version), answers or {})
    if guidance.invalid:
        raise ValidationError({"answers": guidance.invalid})
    if guidance.unanswered:
        raise ValidationError(
            "请先回答情形引导问题：" + "；".join(q.text for q in guidance.unanswered)
        )
    form = published_form(service_item)
    context = prefill.PrefillContext(
        owner=owner, enterprise=enterprise, entrusted=entrusted and not enterprise
    )
    application = Application.objects.create(
        service_item=service_item,
        item_version=version,
        handling_item=guidance.handling_item,
        form=form,
        situation_answers={str(k): v for k, v in (answers or {}).items()},
        data=prefill.from_exchange(form.schema, context, prefill.apply(form.schema, context, {})),
        owner=owner,
        applicant_kind=Application.ApplicantKind.ENTERPRISE
        if enterprise
        else Application.ApplicantKind.PERSON,
        enterprise=enterprise,
        agent_authorisation=authorisation,
        entrusted=entrusted and not enterprise,
        window_staff=window_staff,
        channel=channel,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=idempotency_fingerprint,
    )
    audit.record(
        "applications.start",
        actor=window_staff or owner,
        obj=application,
        detail={"item": service_item.implementation_code, "channel": channel},
    )
    return application


def _relock(application: Application, actor: User) -> Application:
    """The application read again with its row locked for this transaction. The acting account,
    when it is the owner, and the form and pinned item version the caller already loaded (neither
    is edited once published) are carried over rather than read again: each is a query on every
    page save and upload."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if actor is not None and actor.pk == locked.owner_id:
        locked.owner = actor
    if Application.form.is_cached(application) and application.form_id == locked.form_id:
        locked.form = application.form
    if (
        Application.item_version.is_cached(application)
        and application.item_version_id == locked.item_version_id
    ):
        locked.item_version = application.item_version
    return locked


def prefill_context(application: Application) -> prefill.PrefillContext:
    return prefill.PrefillContext(
        owner=application.owner, enterprise=application.enterprise, entrusted=application.entrusted
    )


def prefilled_fields(application: Application) -> set[str]:
    """Fields whose value the platform knows: shown read-only, never typed."""
    known = prefill.prefill_values(prefill_context(application))
    return {
        name
        for name, prop in application.form.schema.get("properties", {}).items()
        if prop.get("x-prefill") in known
    }


def required_materials(application: Application) -> list[Material]:
    """The exact materials of the pinned version for the answers given (情形引导)."""
    answers = {int(k): v for k, v in application.situation_answers.items()}
    pinned = (
        application.item_version
        if Application.item_version.is_cached(application)
        else application.item_version_id
    )
    return catalog.resolve_situation(catalog.version_structure(pinned), answers).materials


@transaction.atomic
def save_section(*, application: Application, actor: User, section: int, raw) -> dict[str, str]:
    """Save one page of the form as typed; return that page's problems (empty when it is complete).
    Draft saves are content edits by the owner, not status moves: they are not audited one by one
    (submission is), so typing never contends for the audit chain."""
    application = _relock(application, actor)
    _check_editable(application, actor)
    sections = application.form.sections
    if not 0 <= section < len(sections):
        raise ValidationError("表单页码无效")
    _type_in(application, sections[section]["fields"], raw)
    application.current_section = section
    application.save(update_fields=["data", "current_section", "updated_at"])
    return formdefs.validate(
        application.form.schema,
        application.form.layout,
        application.data,
        only=sections[section]["fields"],
    )


def _type_in(application: Application, names, raw) -> None:
    """Put the typed values of the fields `names` into the application's data (not saved)."""
    schema = application.form.schema
    data = prefill.apply(schema, prefill_context(application), application.data)
    locked = prefilled_fields(application)
    for name in names:
        if name in locked:
            continue  # known by the platform: shown, never typed
        data[name] = formdefs.coerce(schema["properties"][name], raw.get(name))
    application.data = data


@transaction.atomic
def attach_file(
    *, application: Application, actor: User, material_id: int, uploaded
) -> UploadedFile:
    application = _relock(application, actor)
    _check_editable(application, actor)
    material = next((m for m in required_materials(application) if m.pk == material_id), None)
    if material is None:
        raise ValidationError("该材料不属于本次申请")
    stored = _store_upload(application, material, actor, uploaded)
    application.commitments.filter(material=material).delete()  # the material itself is here now
    return stored


def _store_upload(application: Application, material: Material, actor: User, uploaded):
    if application.files.filter(material=material).count() >= MAX_FILES_PER_MATERIAL:
        raise ValidationError(f"每项材料最多上传 {MAX_FILES_PER_MATERIAL} 个文件")
    return _store_checked(application, material, actor, uploads.check_upload(uploaded))


def _store_checked(
    application: Application, material: Material, actor: User, checked: uploads.CheckedFile
) -> UploadedFile:
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
    stored.save()
    audit.record(
        "applications.attach_file",
        actor=actor,
        obj=application,
        detail={"material": material.name, "sha256": checked.sha256},
    )
    return stored


@transaction.atomic
def remove_file(*, application: Application, actor: User, file_id: int) -> None:
    application = _relock(application, actor)
    _check_editable(application, actor)
    stored = application.files.filter(pk=file_id).first()
    if stored is None:
        raise ValidationError("文件不存在或已删除")
    name = stored.file.name
    stored.delete()
    transaction.on_commit(lambda: stored.file.storage.delete(name))
    audit.record(
        "applications.remove_file", actor=actor, obj=application, detail={"sha256": stored.sha256}
    )


# --- 告知承诺 and 容缺: a signed commitment instead of the material now --------------------------


def commitment_statement(application: Application, material: Material, kind: str) -> str:
    """The text the applicant agrees to: obligations and liability in writing (国办发〔2020〕42号)."""
    organ = application.service_item.department.name
    item = application.item_version.name
    if kind == MaterialCommitment.Kind.COMMITMENT:
        return (
            f"本人（本单位）已知晓{organ}告知的办理“{item}”的全部条件、标准和要求，"
            f"承诺已经符合“{material.name}”所证明的条件，以本承诺代替该证明材料。"
            "所承诺内容真实、准确、完整，愿意接受受理机关的事后核查。"
            "如承诺不实，愿意承担撤销许可、记入信用记录等法律责任。"
        )
    return (
        f"本人（本单位）申请对“{material.name}”容缺受理，承诺在{organ}受理通知书告知的期限内"
        "通过本平台补交该材料，补交的材料真实有效。逾期未补交的，同意受理机关依规作出不予许可决定"
        "并补交逾期办结。"
    )


def commitment_options(application: Application, material: Material) -> list[dict]:
    """What the applicant may sign instead of uploading `material` now, with the exact text."""
    kinds = []
    if material.commitment_replaceable:
        kinds.append(MaterialCommitment.Kind.COMMITMENT)
    if material.allows_deficiency:
        kinds.append(MaterialCommitment.Kind.DEFERRED)
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "statement": commitment_statement(application, material, kind),
        }
        for kind in kinds
    ]


def _commitment_material(application: Application, material_id: int, kind: str) -> Material:
    material = next((m for m in required_materials(application) if m.pk == material_id), None)
    if material is None:
        raise ValidationError("该材料不属于本次申请")
    if kind == MaterialCommitment.Kind.COMMITMENT and not material.commitment_replaceable:
        raise ValidationError("该材料不适用告知承诺，请上传材料")
    if kind == MaterialCommitment.Kind.DEFERRED and not material.allows_deficiency:
        raise ValidationError("该材料不在容缺受理清单内，请上传材料")
    return material


@transaction.atomic
def sign_commitment(
    *, application: Application, actor: User, material_id: int, kind: str, agreed: bool
) -> MaterialCommitment:
    """The applicant commits instead of handing in `material` now. Refused for applicants with a
    false-commitment or serious bad-credit record; idempotent for the same material and kind."""
    application = _relock(application, actor)
    _check_editable(application, actor)
    if kind not in MaterialCommitment.Kind.values:
        raise ValidationError("承诺方式无效")
    material = _commitment_material(application, material_id, kind)
    existing = application.commitments.filter(material=material).first()
    if existing is not None:
        if existing.kind == kind:
            return existing
        raise ValidationError(f"该材料已选择“{existing.get_kind_display()}”，请先取消")
    if not agreed:
        raise ValidationError("请阅读承诺内容并勾选“本人已阅读并作出上述承诺”")
    if application.files.filter(material=material).exists():
        raise ValidationError("该材料已上传，无需承诺")
    barred = credit.exclusion(credit.subject_of(application))
    if barred is not None:
        raise ValidationError(credit.exclusion_message(barred))
    commitment = MaterialCommitment.objects.create(
        application=application,
        material=material,
        kind=kind,
        statement=commitment_statement(application, material, kind),
        signed_by=actor,
    )
    audit.record(
        "applications.sign_commitment",
        actor=actor,
        obj=application,
        detail={"material": material.name, "kind": kind},
    )
    return commitment


@transaction.atomic
def withdraw_commitment(*, application: Application, actor: User, material_id: int) -> None:
    """Before submission (or while correcting) the applicant may upload the material instead."""
    application = _relock(application, actor)
    _check_editable(application, actor)
    commitment = application.commitments.filter(material_id=material_id).first()
    if commitment is None:
        raise ValidationError("该材料没有承诺，无需取消")
    commitment.delete()
    audit.record(
        "applications.withdraw_commitment",
        actor=actor,
        obj=application,
        detail={"material": commitment.material.name, "kind": commitment.kind},
    )


@transaction.atomic
def supply_deferred_material(
    *, application: Application, actor: User, material_id: int, uploaded
) -> UploadedFile:
    """容缺后补: after acceptance the applicant uploads the material promised, by the deadline."""
    application = _relock(application, actor)
    if actor.pk not in (application.owner_id, application.window_staff_id):
        raise ValidationError("您无权修改该申请")
    commitment = (
        application.commitments.select_for_update()
        .filter(material_id=material_id, kind=MaterialCommitment.Kind.DEFERRED)
        .select_related("material")
        .first()
    )
    if commitment is None:
        raise ValidationError("该材料不是容缺材料")
    if not commitment.is_open:
        raise ValidationError(f"该容缺材料{commitment.get_state_display()}，不能再补交")
    if application.status != Status.ACCEPTED:
        raise ValidationError(f"该申请{application.get_status_display()}，不能补交材料")
    stored = _store_upload(application, commitment.material, actor, uploaded)
    commitment.state, commitment.closed_at, commitment.closed_by = (
        MaterialCommitment.State.SUPPLIED,
        timezone.now(),
        actor,
    )
    commitment.save(update_fields=["state", "closed_at", "closed_by"])
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
    for stored in application.files.select_related("material"):
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
        problems["materials"] = [f"尚未上传：{'、'.join(missing)}"]
    if any(row["commitment"] for row in checklist):
        barred = credit.exclusion(credit.subject_of(application))
        if barred is not None:
            problems.setdefault("materials", []).append(credit.exclusion_message(barred))
    return problems


def _move(
    application: Application, target: str, actor: User, actor_kind: str, note: str = ""
) -> None:
    if not allowed(application.status, target, actor_kind):
        raise ValidationError(f"当前状态（{application.get_status_display()}）不能执行此操作")
    StatusChange.objects.create(
        application=application,
        from_status=application.status,
        to_status=target,
        actor=actor,
        note=note,
    )
    application.status = target


@transaction.atomic
def submit(*, application: Application, actor: User) -> Application:
    """Idempotent: a second submit of the same draft (double click, retry, second tab) returns the
    application as the first one left it. Submitting a case that is waiting for correction (补正)
    resubmits it: same case number, and the acceptance clock starts again from this receipt."""
    return _submit_locked(_locked_for_submit(application, actor), actor)


def _locked_for_submit(application: Application, actor: User) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related(
            "service_item__basic_item",
            "service_item__department",
            "service_item__current_version",
            "form",
            "enterprise",
            "item_version",
        )
        .defer(*pinned_guide_texts(), *pinned_guide_texts("service_item__current_version"))
        .get(pk=application.pk)
    )
    if actor.pk == application.owner_id:
        application.owner = actor  # read once for the session already; prefill and receipt use it
    return application


def _submit_locked(application: Application, actor: User) -> Application:
    """Submit an application whose row this transaction holds, read with what submitting uses."""
    if application.status not in EDITABLE:
        return application
    _check_editable(application, actor)
    resubmission = application.status == Status.CORRECTION
    item = application.service_item  # read with the locked row, as fresh as a query of its own
    try:
        _check_item_open(item, application.channel)
    except ValidationError as exc:
        raise ValidationError(f"{exc.messages[0]}，不能提交。您填写的内容已保存在草稿中。") from exc
    if application.agent_authorisation_id:
        authorisation = application.agent_authorisation
        authorisation.refresh_from_db()
        if not (
            authorisation.is_valid_on(timezone.localdate())
            and authorisation.covers(item.basic_item.basic_code)
        ):
            raise ValidationError(
                "您对该企业的经办授权已被撤销或已过期，不能提交。草稿已保存，"
                "请联系企业法定代表人重新授权。"
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
    _move(
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
        audit.record("applications.resubmit", actor=actor, obj=application)
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
        "applications.submit",
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
        raise ValidationError({"values": [f"申请表中没有这些字段：{'、'.join(unknown)}"]})
    _type_in(application, [name for section in form.sections for name in section["fields"]], values)
    application.save(update_fields=["data", "updated_at"])


def _check_files_fit(materials: dict[int, Material], checked: dict[int, list]) -> None:
    strangers = sorted(str(material_id) for material_id in checked if material_id not in materials)
    if strangers:
        message = f"材料编号 {'、'.join(strangers)} 不属于本次申请（按情形引导的回答）"
        raise ValidationError({"materials": [message]})
    crowded = [materials[m].name for m, f in checked.items() if len(f) > MAX_FILES_PER_MATERIAL]
    if crowded:
        message = f"每项材料最多上传 {MAX_FILES_PER_MATERIAL} 个文件：{'、'.join(crowded)}"
        raise ValidationError({"materials": [message]})


def _record_applicant(application: Application) -> None:
    data = application.data
    if application.enterprise_id:
        application.set_applicant_identity(
            name=application.enterprise.name,
            id_type="001",
            id_number=application.enterprise.uscc,
            phone=data.get("agent_phone") or "",
        )
    else:
        application.set_applicant_identity(
            name=data.get("applicant_name") or "",
            id_type="111",
            id_number=data.get("applicant_id_number") or "",
            phone=data.get("applicant_phone") or "",
        )


@transaction.atomic
def withdraw(*, application: Application, actor: User, reason: str) -> Application:
    application = _relock(application, actor)
    if actor.pk != application.owner_id:
        raise ValidationError("只有申请人本人可以撤回申请")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤回原因"]})
    _move(application, Status.WITHDRAWN, actor, "applicant", note=reason[:300])
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
        "applications.withdraw", actor=actor, obj=application, detail={"reason": reason[:300]}
    )
    return application


@transaction.atomic
def discard_draft(*, application: Application, actor: User) -> None:
    application = _relock(application, actor)
    _check_editable(application, actor)
    _move(application, Status.DISCARDED, actor, "applicant")
    application.save(update_fields=["status", "updated_at"])
    audit.record("applications.discard", actor=actor, obj=application)


def reveal_form_value(*, actor: User, application: Application, field: str, purpose: str) -> str:
    """The full value of a personal-data field of the application's form (ID, phone, bank
    account), for its owner or the staff handling it, recorded with the purpose."""
    purpose = (purpose or "").strip()
    prop = application.form.schema.get("properties", {}).get(field)
    if prop is None or not formdefs.is_sensitive(prop):
        raise ValidationError({"field": ["该字段不是需要保护的个人信息，无需单独查看"]})
    if not purpose:
        raise ValidationError({"purpose": ["查看完整个人信息必须说明用途"]})
    is_owner = actor.pk == application.owner_id
    handles = actor.has_role(
        Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER
    ) and serves_department(actor, application.service_item.department_id)
    if not (is_owner or handles):
        raise PermissionDenied("您无权查看该申请的完整个人信息")
    value = application.data.get(field)
    if not value:
        raise ValidationError({"field": ["该项未填写"]})
    audit.record(
        "pii.reveal", actor=actor, obj=application, purpose=purpose, detail={"field": field}
    )
    return str(value)
