"""Applicant pages of 一件事: the list, the one guide, the one form, the joint status page with its
one timeline and correction, and the joint result. Thin: every change goes through `actions`."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.models import User
from tongban.applications import formdefs
from tongban.applications.models import Application
from tongban.bundles import access, merge
from tongban.bundles.actions import applying, correcting, joint
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import Bundle, BundleApplication, BundleVersion
from tongban.core import audit, pii
from tongban.core.paging import ShortListPaginator

CHANNEL_MOBILE_HINTS = ("Mobile", "Android", "iPhone")


def _published(code: str) -> BundleVersion:
    bundle = get_object_or_404(Bundle.objects.select_related("current_version"), code=code)
    if bundle.current_version is None:
        raise Http404(_("该一件事已停用"))
    return bundle.current_version


def _answers_from(request_data, version: BundleVersion) -> dict:
    return {
        str(q.pk): request_data.get(f"q{q.pk}", "")
        for q in version.questions.all()
        if request_data.get(f"q{q.pk}", "")
    }


def index(request):
    versions = (
        BundleVersion.objects.filter(status="published")
        .prefetch_related("members")
        .order_by("theme", "name")
    )
    return render(
        request,
        "bundles/index.html",
        {
            "person": [v for v in versions if v.theme == BundleVersion.Theme.PERSON],
            "enterprise": [v for v in versions if v.theme == BundleVersion.Theme.ENTERPRISE],
        },
    )


def guide(request, code: str):
    """一次告知: the situation questions, then what to prepare for every chosen item, once."""
    version = _published(code)
    questions = list(version.questions.prefetch_related("options"))
    raw = _answers_from(request.GET, version)
    prepared, error, answer_errors = None, "", []
    if len(raw) == len(questions):
        try:
            prepared = applying.prepare(version, applying.check_answers(version, raw))
        except applying.BundleUnavailable as exc:
            error = exc.messages[0]
        except ValidationError as exc:
            answer_errors = exc.message_dict.get("answers", exc.messages)
    return render(
        request,
        "bundles/guide.html",
        {
            "version": version,
            "questions": questions,
            "answers": raw,
            "prepared": prepared,
            "error": error,
            "answer_errors": answer_errors,
            "query": request.GET.urlencode(),
        },
    )


def _applicant(request, version: BundleVersion) -> tuple[User, object, list]:
    """Who applies: a citizen for themselves, an enterprise account for its enterprise, or a
    经办人 (a citizen account) for an enterprise that authorised them — chosen by its USCC in the
    query (`enterprise=`), the first one by default. Returns the enterprises to choose from too."""
    user = request.user
    if user.kind == User.Kind.ENTERPRISE:
        return user, getattr(user, "enterprise", None), []
    if version.theme != BundleVersion.Theme.ENTERPRISE:
        return user, None, []
    choices = applying.enterprises_for(user)
    wanted = request.GET.get("enterprise", "").strip().upper()
    chosen = next((e for e in choices if e.uscc == wanted), None)
    return user, chosen or (choices[0] if choices else None), choices


def _form_fields(prepared, data: dict, errors: dict, locked: set[str]) -> list[dict]:
    sections = []
    for section in prepared.layout["sections"]:
        fields = []
        for f in formdefs.fields_of(prepared.schema, prepared.layout, section["fields"]):
            if f.condition and not formdefs.is_visible(f.condition, data):
                if f.condition["field"] in locked or f.condition["field"] not in section["fields"]:
                    continue
                f.hidden = True
            f.value, f.readonly = data.get(f.name), f.name in locked
            f.error = (errors.get(f.name) or [""])[0]
            if f.readonly and f.value and f.name.endswith("id_number"):
                f.value = pii.mask_id_number(str(f.value))
            elif f.readonly and f.value and f.name.endswith("phone"):
                f.value = pii.mask_phone(str(f.value))
            # Every item asks who applies and how to deliver: say so only for the items' own fields.
            owners = prepared.owners.get(f.name, [])
            shared = len(owners) > 1 and section["title"] not in merge.COMMON_SECTIONS
            f.shared_by = owners if shared else []
            fields.append(f)
        if any(f.widget != "hidden" for f in fields):
            sections.append(
                {"title": section["title"], "help": section.get("help"), "fields": fields}
            )
    return sections


def _channel(request) -> str:
    agent = request.headers.get("User-Agent", "")
    return (
        Application.Channel.MOBILE
        if any(h in agent for h in CHANNEL_MOBILE_HINTS)
        else Application.Channel.PC
    )


@login_required
def apply(request, code: str):
    """一表申请: one form for every chosen item, one upload per material, one submission."""
    version = _published(code)
    owner, enterprise, enterprise_choices = _applicant(request, version)
    raw = _answers_from(request.GET, version)
    try:
        prepared = applying.prepare(version, applying.check_answers(version, raw))
    except applying.BundleUnavailable as exc:
        messages.error(request, exc.messages[0])
        return redirect(reverse("bundles:guide", args=[code]))
    except ValidationError:
        messages.error(request, _("请先回答情形问题"))
        return redirect(reverse("bundles:guide", args=[code]))
    locked = applying.locked_fields(prepared, owner, enterprise)
    data = applying.prefilled_data(prepared, owner, enterprise)
    offers = applying.wallet_offers(prepared, owner, enterprise)
    errors: dict = {}
    key = request.POST.get("submission_key") or uuid.uuid4().hex
    if request.method == "POST":
        values = {
            name: request.POST.get(name)
            for name, prop in prepared.schema["properties"].items()
            if name not in locked and (name in request.POST or prop.get("type") == "boolean")
        }
        files = {m.key: request.FILES.getlist(f"file_{m.key}") for m in prepared.asked_materials}
        try:
            bundle = applying.submit_bundle(
                owner=owner,
                version=version,
                channel=_channel(request),
                answers=raw,
                values=values,
                files={k: v for k, v in files.items() if v},
                use_licences={
                    m.key for m in prepared.asked_materials if request.POST.get(f"use_{m.key}")
                },
                enterprise=enterprise,
                licence_consent=bool(request.POST.get("licence_consent")),
                idempotency_key=f"bundle:{owner.pk}:{key}"[:80],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            data = {
                **data,
                **{
                    k: formdefs.coerce(prepared.schema["properties"][k], v)
                    for k, v in values.items()
                },
            }
        else:
            messages.success(request, _("已提交。各部门将分别受理，您可以在本页查看全部进度。"))
            return redirect(reverse("bundles:detail", args=[bundle.public_id]))
    return render(
        request,
        "bundles/apply.html",
        {
            "version": version,
            "prepared": prepared,
            "sections": _form_fields(prepared, data, errors, locked),
            "errors": errors,
            "general_errors": errors.get("__all__", [])
            + errors.get("values", [])
            + errors.get("answers", []),
            "material_errors": errors.get("materials", []),
            "consent_errors": errors.get("licence_consent", []),
            "offers": offers,
            "submission_key": key,
            "query": request.GET.urlencode(),
            "waiting": applying.needs_consent(prepared),
            "enterprise": enterprise,
            "enterprise_choices": enterprise_choices,
            "answers": raw,
        },
        status=400 if errors else 200,
    )


def _visible(request, public_id) -> BundleApplication:
    """The applicant's own bundle, or (read-only) one an agent filed for the enterprise account."""
    return get_object_or_404(
        access.visible_to(request.user).select_related("version", "owner"), public_id=public_id
    )


def _own(request, public_id) -> BundleApplication:
    bundle = _visible(request, public_id)
    if not access.may_correct(request.user, bundle):
        raise Http404
    return bundle


@login_required
def mine(request):
    """The account's bundles; for an enterprise account also those its agents filed in its name,
    with who filed them."""
    page = ShortListPaginator(
        access.visible_to(request.user)
        .select_related("version", "owner")
        .order_by("-submitted_at", "-pk"),
        20,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "bundles/mine.html",
        {"page": page, "as_enterprise": access.enterprise_of(request.user) is not None},
    )


@login_required
def detail(request, public_id):
    """The joint status: every member's step side by side, one timeline, one place to correct
    (the correction for the applicant who filed it; the enterprise account follows read-only)."""
    bundle = _visible(request, public_id)
    may_correct = access.may_correct(request.user, bundle)
    return render(
        request,
        "bundles/detail.html",
        {
            "bundle": bundle,
            "results": [joint.member_result(r) for r in joint.memberships(bundle)],
            "timeline": joint.timeline(bundle),
            "corrections": correcting.under_correction(bundle) if may_correct else [],
            "correctable": correcting.correctable_fields(bundle) if may_correct else [],
            "filed_by_agent": not may_correct,
        },
    )


@login_required
@require_POST
def correct(request, public_id):
    bundle = _own(request, public_id)
    files = {}
    for entry in correcting.under_correction(bundle):
        for material in entry["materials"]:
            uploaded = request.FILES.getlist(f"file_{entry['application'].pk}_{material.pk}")
            if uploaded:
                files.setdefault(material.pk, []).extend(uploaded)
    values = {
        f.name: request.POST[f"value_{f.name}"]
        for f in correcting.correctable_fields(bundle)
        if f"value_{f.name}" in request.POST
    }
    try:
        numbers = correcting.correct(bundle=bundle, actor=request.user, files=files, values=values)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if numbers:
            messages.success(request, _("补正材料已提交，相关部门将重新受理。"))
        else:
            messages.info(request, _("没有需要补正的事项，无需重复提交。"))
    return redirect(reverse("bundles:detail", args=[bundle.public_id]))


@login_required
def result_pdf(request, public_id):
    bundle = _visible(request, public_id)
    document = bundle.result_document
    if document is None:
        raise Http404(_("联合办结通知书尚未签发"))
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404(_("文件暂时无法读取，请稍后再试")) from None
    audit.record(AuditAction.RESULT_DOWNLOAD, actor=request.user, obj=bundle)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{bundle.version.name}联合办结通知书-{bundle.number}.pdf",
        content_type="application/pdf",
    )
