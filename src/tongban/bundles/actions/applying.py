"""Applying for a bundle: one guide, one form, one submission → one 办件 per chosen member.

`submit_bundle` creates the bundle application and every member's application in ONE transaction,
through the intake service layer (start, save each page, attach each file, 免证可办, submit), so each
member gets its own case number, department and review process, and the hand-off to each department
goes through intake's persisted, retried pipeline. A member whose prerequisite is among the chosen
ones is created as a complete draft and waits; `start_member` submits it when the prerequisite is
办结, using the prerequisite's licence (免证可办). Either all of it is created or none of it.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import User
from tongban.applications import actions as intake
from tongban.applications import licence_use
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.bundles import merge
from tongban.bundles.actions.preparing import (  # noqa: F401 (public names of applying)
    BundleUnavailable,
    Prepared,
    check_answers,
    check_applicant,
    checked_member_values,
    chosen_members,
    enterprises_for,
    fingerprint,
    form_problems,
    locked_fields,
    material_problems,
    prefill_context,
    prefilled_data,
    prepare,
    refuse_open_duplicate,
    typed_values,
    unavailable_message,
    wallet_offers,
)
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import (
    BundleApplication,
    BundleEvent,
    BundleStatusChange,
    BundleVersion,
    MemberApplication,
)
from tongban.bundles.states import MEMBER, SYSTEM, BundleStatus, MemberState, VersionStatus
from tongban.core import audit
from tongban.core.statemachine import transition
from tongban.licences.models import Licence


def submit_bundle(
    *,
    owner: User,
    version: BundleVersion,
    channel: str,
    answers: dict,
    values: dict,
    files: dict[str, list] | None = None,
    use_licences: set[str] | None = None,
    enterprise=None,
    licence_consent: bool = False,
    idempotency_key: str | None = None,
    member_values: dict | None = None,
) -> BundleApplication:
    """One submission of the one form. `files`: merged material key → uploaded files; `use_licences`:
    keys of materials for which the applicant agreed to use the wallet's licence (免证可办);
    `licence_consent`: the applicant agrees that a waiting member uses its prerequisite's licence.
    Idempotent with `idempotency_key`: a retry returns the first bundle application."""
    files = files or {}
    answers = check_answers(version, answers)
    print_ = fingerprint(version.pk, answers, values)
    if idempotency_key:
        earlier = BundleApplication.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.owner_id != owner.pk or earlier.idempotency_fingerprint != print_:
                raise ValidationError("该提交编号已用于另一份申请，请刷新页面后重新提交")
            return earlier
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(f"“{version.name}”的这一版本已停用，请刷新页面按最新指南申请")
    prepared = prepare(version, answers)
    check_applicant(version, owner, enterprise, prepared)
    locked = locked_fields(prepared, owner, enterprise)
    data = typed_values(prepared, prefilled_data(prepared, owner, enterprise), values, locked)
    data = checked_member_values(prepared, data, member_values or {})
    offers = wallet_offers(prepared, owner, enterprise)
    licences = {key: offers[key] for key in (use_licences or set()) if key in offers}
    problems = {**form_problems(prepared, data), **material_problems(prepared, files, licences)}
    if problems:
        raise ValidationError(problems)
    waiting = needs_consent(prepared)
    if waiting and not licence_consent:
        raise ValidationError(
            {"licence_consent": [f"请同意“{'、'.join(waiting)}”启动时使用前置事项签发的电子证照"]}
        )
    try:
        with transaction.atomic():
            refuse_open_duplicate(version, owner, enterprise)
            return _create(
                prepared,
                owner,
                enterprise,
                channel,
                data,
                files,
                licences,
                licence_consent,
                idempotency_key,
                print_,
            )
    except IntegrityError:
        earlier = BundleApplication.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and earlier is not None:
            return earlier  # the same submission raced itself (double click): one is enough
        raise


def needs_consent(prepared: Prepared) -> list[str]:
    by_member = {p.member.pk: p for p in prepared.plans}
    return sorted(
        {by_member[member_id].name for row in prepared.materials for member_id in row.provided_for}
    )


def _create(
    prepared: Prepared, owner, enterprise, channel, data, files, licences, consent, key, print_
) -> BundleApplication:
    version = prepared.version
    bundle = BundleApplication.objects.create(
        version=version,
        owner=owner,
        enterprise=enterprise,
        channel=channel,
        answers={str(k): v for k, v in prepared.answers.items()},
        licence_consent=consent,
        idempotency_key=key,
        idempotency_fingerprint=print_,
        materials_asked=len(prepared.asked_materials),
        materials_separately=sum(len(p.materials) for p in prepared.plans),
        visits_separately=sum(p.version.max_visits or 0 for p in prepared.plans),
    )
    bundle.number = f"YJS{timezone.localdate():%Y%m%d}{bundle.pk:06d}"
    bundle.save(update_fields=["number"])
    names = "、".join(p.name for p in prepared.plans)
    BundleEvent.objects.create(  # first on the joint timeline, before the members' own steps
        bundle_application=bundle,
        action="一件事申报",
        opinion=f"一次提交，同时申请：{names}。各部门分别受理审查，您在此查看全部进度。",
    )
    chosen = {p.member.pk for p in prepared.plans}
    for plan in prepared.plans:
        application = _member_draft(plan, owner, enterprise, channel, data)
        _give_materials(plan, prepared, application, owner, files, licences)
        waits = plan.member.prerequisite_id in chosen
        if not waits:
            _submit_member(application, owner, plan.name)
        MemberApplication.objects.create(
            bundle_application=bundle,
            member=plan.member,
            application=application,
            state=MemberApplication.State.WAITING if waits else MemberApplication.State.STARTED,
            started_at=None if waits else timezone.now(),
        )
    BundleStatusChange.objects.create(
        bundle_application=bundle, from_status="", to_status=BundleStatus.SUBMITTED
    )
    audit.record(
        AuditAction.SUBMIT,
        actor=owner,
        obj=bundle,
        detail={
            "bundle": version.bundle.code,
            "version": version.version,
            "members": [p.member.implementation_code for p in prepared.plans],
        },
    )
    return bundle


def _member_draft(plan: merge.MemberPlan, owner, enterprise, channel, data) -> Application:
    application = intake.start_application(
        owner=owner,
        service_item=plan.item,
        channel=channel,
        answers=plan.answers,
        enterprise=enterprise,
    )
    values = merge.member_values(plan, data)
    for section, layout in enumerate(application.form.sections):
        # Each page takes only its own fields: intake refuses values sent to another page.
        own = {name: values[name] for name in layout["fields"] if name in values}
        intake.save_section(application=application, actor=owner, section=section, raw=own)
    application.refresh_from_db()
    return application


def _give_materials(plan, prepared: Prepared, application, owner, files, licences) -> None:
    for row in prepared.asked_materials:
        material = row.by_member.get(plan.member.pk)
        if material is None:
            continue
        if plan.member.pk in row.provided_for:
            continue  # the prerequisite's own licence will stand for it when this member starts
        if row.key in licences:
            licence_use.use_for_material(
                application, material, licences[row.key], owner, consent=True
            )
            continue
        for uploaded in files.get(row.key, []):
            uploaded.seek(0)
            intake.attach_file(
                application=application, actor=owner, material_id=material.pk, uploaded=uploaded
            )


def _submit_member(application: Application, actor, name: str) -> Application:
    try:
        return intake.submit(application=application, actor=actor)
    except ValidationError as exc:
        messages = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise ValidationError(f"“{name}”：{'；'.join(messages)}") from exc


def start_member(membership: MemberApplication, licence: Licence | None) -> bool:
    """A waiting member starts: its prerequisite's licence stands for the material it issues
    (免证可办, with the consent given at submission), then it is submitted like any application.
    Returns True when it was started now (False: started before, or nothing to do)."""
    membership = MemberApplication.objects.select_for_update().get(pk=membership.pk)
    if membership.state != MemberApplication.State.WAITING:
        return False
    application = Application.objects.select_related("owner", "item_version").get(
        pk=membership.application_id
    )
    bundle = membership.bundle_application
    if licence is not None and bundle.licence_consent:
        for material in intake.required_materials(application):
            if (
                material.replaceable_by_licence_type == licence.licence_type.name
                and not application.files.filter(material=material).exists()
            ):
                licence_use.use_for_material(
                    application, material, licence, application.owner, consent=True
                )
    if application.status == Status.DRAFT:
        _submit_member(application, application.owner, application.item_version.name)
    membership.started_at, membership.start_error = timezone.now(), ""
    transition(
        membership,
        MemberState.STARTED,
        actor_kind=SYSTEM,
        machine=MEMBER,
        update_fields=["started_at", "start_error"],
        write_audit=False,  # audited below as bundles.start_member, with the case number
    )
    BundleEvent.objects.create(
        bundle_application=bundle,
        action="自动启动后续事项",
        opinion=f"前置事项已办结，“{application.item_version.name}”已自动提交"
        + (f"，使用电子证照 {licence.licence_type.name}（免提交）" if licence else "")
        + "。",
    )
    audit.record(
        AuditAction.START_MEMBER,
        obj=bundle,
        detail={"case_number": application.case_number, "licence": bool(licence)},
    )
    return True


def cancel_member(membership: MemberApplication, reason: str) -> None:
    """The prerequisite ended without the result this member needs: it is not started, its draft
    is discarded, and the joint result explains why."""
    membership = MemberApplication.objects.select_for_update().get(pk=membership.pk)
    if membership.state != MemberApplication.State.WAITING:
        return
    application = Application.objects.get(pk=membership.application_id)
    intake.discard_draft(application=application, actor=application.owner)
    membership.start_error = reason[:300]
    transition(
        membership,
        MemberState.CANCELLED,
        actor_kind=SYSTEM,
        reason=reason,
        machine=MEMBER,
        update_fields=["start_error"],
        audit_action=AuditAction.CANCEL_MEMBER,
        audit_detail={"case_number": application.case_number or ""},
    )
    BundleEvent.objects.create(
        bundle_application=membership.bundle_application,
        action="后续事项未启动",
        opinion=reason,
    )
