"""Citizen and enterprise intake pages: start, fill in page by page, upload, submit, follow.

Thin: every change is a call into applications.actions. A login that expires mid-form keeps what
was typed: the page's values wait in the session and are saved into the draft after logging in.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tongban.accounts.models import AgentAuthorisation, User
from tongban.accounts.permissions import can_act_for_department
from tongban.applications import actions, conf, corrections, formdefs, instant_view, uploads
from tongban.applications.models import Application, pinned_guide_texts, public_timeline
from tongban.applications.states import EDITABLE, Status
from tongban.catalog import actions as catalog
from tongban.catalog.models import ServiceItem
from tongban.core import pii, ratelimit, workdays
from tongban.core.paging import ShortListPaginator
from tongban.core.request_context import client_ip
from tongban.identity import realname

PENDING_KEY = "pending_section"
PROGRESS_LIMIT_PER_HOUR = 20


def channel_of(request) -> str:
    agent = request.META.get("HTTP_USER_AGENT", "")
    mobile = any(mark in agent for mark in ("Mobile", "Android", "iPhone"))
    return Application.Channel.MOBILE if mobile else Application.Channel.PC


def _answers(request) -> dict[int, int]:
    """情形引导 answers posted as q<question id>=<option id>; a malformed one is refused."""
    return catalog.answers_from({k[1:]: v for k, v in request.POST.items() if k.startswith("q")})


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for messages_ in error.message_dict.values() for m in messages_)
    return "；".join(error.messages)


def _enterprises_for(user: User):
    if user.kind == User.Kind.ENTERPRISE:
        return [user.enterprise]
    authorisations = AgentAuthorisation.objects.select_related("enterprise").filter(
        agent=user, revoked_at__isnull=True
    )
    return [a.enterprise for a in authorisations if a.status_label == "有效"]


def _start_answers(request) -> tuple[dict[int, int], list[str]]:
    """The situation answers the start page was given (from the guide's questions, or its own)."""
    source = request.POST if request.method == "POST" else request.GET
    raw = {k[1:]: v for k, v in source.items() if k.startswith("q") and k[1:].isdigit()}
    try:
        return catalog.answers_from(raw), []
    except ValidationError as error:
        return {}, [_error_text(error)]


def _identities(request, version, enterprises) -> tuple[bool, list]:
    """Whom this account may apply as for this item: itself (a citizen, for an item serving
    自然人) and the enterprises it may act for (for an item serving 法人)."""
    objects = set(filter(None, version.service_object.split(",")))
    as_person = request.user.kind == User.Kind.CITIZEN and actions.PERSON_OBJECT in objects
    as_enterprise = enterprises if objects & actions.ORGANISATION_OBJECTS else []
    return as_person, as_enterprise


@login_required
def start(request, code):
    """Choose how to apply (for myself, entrusted by someone, for an enterprise), answer the
    situation questions not answered yet, then start — or continue a draft already begun."""
    item = get_object_or_404(
        ServiceItem.objects.select_related("current_version", "department"),
        implementation_code=code,
    )
    version = item.current_version
    if version is None:
        raise Http404("该事项暂未发布")
    as_person, enterprises = _identities(request, version, _enterprises_for(request.user))
    structure = catalog.version_structure(version)
    answers, problems = _start_answers(request)
    guidance = catalog.resolve_situation(structure, answers)
    chosen_as = request.POST.get("as") or ("self" if as_person else "")
    if not chosen_as and enterprises:
        chosen_as = f"enterprise:{enterprises[0].pk}"  # an item only enterprises apply for
    if request.method == "POST":
        enterprise = None
        if chosen_as.startswith("enterprise:"):
            enterprise = next(
                (e for e in enterprises if str(e.pk) == chosen_as.split(":", 1)[1]), None
            )
            if enterprise is None:
                raise PermissionDenied(_("您不能代表该企业办理"))
        if not problems and not guidance.unanswered and not guidance.invalid:
            try:
                application = actions.start_application(
                    owner=request.user,
                    service_item=item,
                    channel=channel_of(request),
                    answers=answers,
                    enterprise=enterprise,
                    entrusted=chosen_as == "entrusted",
                )
            except ValidationError as error:
                problems.append(_error_text(error))
            else:
                return redirect("applications:draft", application.public_id)
    return render(
        request,
        "applications/start.html",
        {
            "item": item,
            "version": version,
            "as_person": as_person,
            "enterprises": enterprises,
            "enterprise_choices": [(e, f"enterprise:{e.pk}") for e in enterprises],
            "chosen_as": chosen_as,
            "questions": [
                (q, [(o, answers.get(q.pk) == o.pk) for o in q.options.all()])
                for q in structure.questions.all()
            ],
            "unanswered": guidance.unanswered if request.method == "POST" else [],
            "problems": problems + (guidance.invalid if request.method == "POST" else []),
            "drafts": actions.open_drafts(request.user, item),
            "realname": realname.shortfall(request.user, version.required_realname_level),
        },
    )


def _own_application(request, public_id) -> Application:
    # The form (schema and layout) is read only when the draft pages need it.
    application = get_object_or_404(
        Application.objects.select_related(
            "service_item__department", "item_version", "handling_item", "enterprise"
        ).defer(*pinned_guide_texts()),
        public_id=public_id,
    )
    return _mine_or_404(request, application)


# What the case page shows of an application, its case and its receipt, and nothing else: the page
# is the most read signed-in page, and reading every column of the seven tables it joined was a
# third of its cost (docs/sizing.md). A field the page shows must be listed here, or it is read
# with one more query (cases/tests/test_pages.py counts them).
CASE_PAGE_FIELDS = (
    "public_id",
    "case_number",
    "status",
    "owner",
    "window_staff",
    "applicant_name",
    "submitted_at",
    "channel",
    "item_version__name",
    "service_item__department__name",
    "case__accepted_on",
    "case__effective_due_date",
    "case__suspended",
    "case__completed_at",
    "case__completion_result",
    "receipt__id",
)


def _own_case(request, public_id) -> Application:
    application = get_object_or_404(
        Application.objects.select_related(
            "service_item__department", "item_version", "case", "receipt"
        ).only(*CASE_PAGE_FIELDS),
        public_id=public_id,
    )
    return _mine_or_404(request, application)


def _mine_or_404(request, application: Application) -> Application:
    if request.user.pk not in (application.owner_id, application.window_staff_id):
        raise Http404("没有找到该申请")
    return application


def _restore_pending(request, application: Application) -> None:
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("application") != str(application.public_id):
        return
    del request.session[PENDING_KEY]
    try:
        actions.save_section(
            application=application,
            actor=request.user,
            section=pending["section"],
            raw=pending["data"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("登录超时前填写的内容已恢复并保存到草稿。"))
        application.refresh_from_db()


def _section_fields(application: Application, index: int, errors: dict) -> list[formdefs.Field]:
    form, data = application.form, application.data
    names = form.sections[index]["fields"]
    locked = actions.prefilled_fields(application)
    fields = []
    for f in formdefs.fields_of(form.schema, form.layout, names):
        controller = f.condition["field"] if f.condition else None
        # A field controlled by something the person can change on this page is shown or hidden
        # live by the script; one controlled by a fixed or system value is decided here.
        live = (
            controller in names
            and controller not in locked
            and controller in form.schema["properties"]
            and (form.layout.get("widgets") or {}).get(controller) != "hidden"
        )
        if f.condition and not live and not formdefs.is_visible(f.condition, data):
            continue
        f.hidden = bool(f.condition) and live and not formdefs.is_visible(f.condition, data)
        f.value, f.error, f.readonly = data.get(f.name), errors.get(f.name, ""), f.name in locked
        if f.readonly and f.value and f.name.endswith("id_number"):
            f.value = pii.mask_id_number(str(f.value))
        elif f.readonly and f.value and f.name.endswith("phone"):
            f.value = pii.mask_phone(str(f.value))
        fields.append(f)
    return fields


def _steps(application: Application) -> list[str]:
    return [s["title"] for s in application.form.sections] + [_("上传材料"), _("确认提交")]


@login_required
def draft(request, public_id):
    # Most visits are to submitted cases: read what their page shows, with the case and the
    # receipt, in one narrow query; a draft's pages need the whole application, read again.
    application = _own_case(request, public_id)
    if application.status not in EDITABLE:
        return case_detail(request, application)
    application = _own_application(request, public_id)
    _restore_pending(request, application)
    sections = application.form.sections
    correction = corrections.open_notice(application)
    # 去补正 opens the materials, where the notice's items are marked; the form stays one step away.
    default_page = len(sections) if correction else application.current_section
    try:
        page = int(request.GET.get("page", default_page))
    except ValueError:
        page = 0
    page = max(0, min(page, len(sections) + 1))
    context = {
        "application": application,
        "steps": _steps(application),
        "page": page,
        "upload_limit_mb": conf.upload_max_bytes() // (1024 * 1024),
        "upload_limit_bytes": conf.upload_max_bytes(),
        "correction": correction,
        "correction_items": _correction_items(application, correction),
        "materials_page": len(sections),
    }
    if page < len(sections):
        errors = request.session.pop(f"errors:{application.public_id}:{page}", {})
        context.update(
            section=sections[page],
            fields=_section_fields(application, page, errors),
            has_errors=bool(errors),
        )
        return render(request, "applications/draft_section.html", context)
    context["checklist"] = actions.material_checklist(application)
    asked = {pk for _text, pk in context["correction_items"] if pk}
    failed = request.session.pop(f"upload-error:{application.public_id}", None) or {}
    for row in context["checklist"]:
        row["asked"] = row["material"].pk in asked
        row["upload_error"] = (
            failed.get("message") if failed.get("material") == row["material"].pk else ""
        )
    context["has_errors"] = bool(failed)
    if page == len(sections):
        from tongban.applications.recognition_views import attach_panels

        attach_panels(application, context["checklist"])
    if page == len(sections) + 1:
        context["problems"] = actions.submission_problems(application)
        context["realname"] = actions.realname_shortfall(application)
        context["summary"] = _summary(application)
        return render(request, "applications/draft_submit.html", context)
    return render(request, "applications/draft_materials.html", context)


def _correction_items(application: Application, correction):
    """The notice's items, each with the material it names (by its name, as the workbench's tick
    list writes it), so the page can mark that material and link to its upload row."""
    if correction is None:
        return []
    materials = sorted(
        actions.required_materials(application), key=lambda m: len(m.name), reverse=True
    )
    out = []
    for text in correction.items:
        named = next((m for m in materials if m.name and m.name in text), None)
        out.append((text, named.pk if named else None))
    return out


def _summary(application: Application) -> list[tuple[str, list[tuple[str, str]]]]:
    form, data = application.form, application.data
    visible = set(formdefs.visible_fields(form.schema, form.layout, data))
    out = []
    for section in form.sections:
        rows = []
        for f in formdefs.fields_of(form.schema, form.layout, section["fields"]):
            if f.name not in visible or f.widget == "hidden":
                continue
            value = data.get(f.name)
            if f.choices:
                value = dict(f.choices).get(str(value), value)
            elif isinstance(value, bool):
                value = _("是") if value else _("否")
            elif f.name.endswith("id_number") and value:
                value = pii.mask_id_number(str(value))
            elif f.name.endswith("phone") and value:  # masked as everywhere else
                value = pii.mask_phone(str(value))
            else:  # a bank account or any other personal-data format of the form
                value = formdefs.mask_value(form.schema["properties"].get(f.name, {}), value)
            rows.append((f.label, "" if value is None else str(value)))
        out.append((section["title"], rows))
    return out


# What a form page posts besides its fields: the CSRF token and which button was pressed.
NOT_FORM_FIELDS = {"csrfmiddlewaretoken", "go"}


@require_POST
def save(request, public_id, section: int):
    if not request.user.is_authenticated:
        # The session expired while the person was typing: keep the page, ask them to log in again.
        request.session[PENDING_KEY] = {
            "application": str(public_id),
            "section": section,
            "data": {k: v for k, v in request.POST.items() if k not in NOT_FORM_FIELDS},
        }
        messages.warning(request, _("登录已超时，请重新登录。您刚才填写的内容不会丢失。"))
        return redirect_to_login(
            reverse("applications:draft", args=[public_id]) + f"?page={section}"
        )
    application = _own_application(request, public_id)
    typed = {k: v for k, v in request.POST.items() if k not in NOT_FORM_FIELDS}
    try:
        errors = actions.save_section(
            application=application, actor=request.user, section=section, raw=typed
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(reverse("applications:draft", args=[public_id]) + f"?page={section}")
    go_next = request.POST.get("go") == "next"
    if errors:  # the page shows them in its error summary, next to each field
        request.session[f"errors:{public_id}:{section}"] = errors
        target = section
    else:
        if not go_next:
            messages.success(request, _("草稿已保存。"))
        target = section + 1 if go_next else section
    return redirect(reverse("applications:draft", args=[public_id]) + f"?page={target}")


@csrf_exempt
def upload(request, public_id):
    # The size-limit handler must be installed before the body is read, so CSRF is checked after.
    request.upload_handlers.insert(0, uploads.SizeLimitUploadHandler(request))
    return _upload(request, public_id)


@csrf_protect
@login_required
@require_POST
def _upload(request, public_id):
    application = _own_application(request, public_id)
    target = (
        reverse("applications:draft", args=[public_id]) + f"?page={len(application.form.sections)}"
    )
    uploaded = request.FILES.get("file")  # parses the body: the size-limit handler runs here
    if getattr(request, "upload_too_large", False):
        messages.error(request, uploads.too_large_message())
        return redirect(target)
    try:
        material_id = int(request.POST.get("material", ""))
    except ValueError:
        messages.error(request, _("请选择材料"))
        return redirect(target)
    target += f"#material-{material_id}"  # back to the same row, not the top of the page
    replaces = request.POST.get("replaces", "")
    try:
        stored = actions.attach_file(
            application=application,
            actor=request.user,
            material_id=material_id,
            uploaded=uploaded,
            replaces=int(replaces) if replaces.isdigit() else None,
        )
    except ValidationError as error:  # said in the material's own row, where the page returns
        request.session[f"upload-error:{public_id}"] = {
            "material": material_id,
            "message": _error_text(error),
        }
    else:
        done = _("已替换为：%(name)s") if replaces.isdigit() else _("已上传：%(name)s")
        messages.success(request, done % {"name": stored.original_name})
    return redirect(target)


@login_required
@require_POST
def remove_file(request, public_id, file_id: int):
    application = _own_application(request, public_id)
    try:
        actions.remove_file(application=application, actor=request.user, file_id=file_id)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(
        reverse("applications:draft", args=[public_id]) + f"?page={len(application.form.sections)}"
    )


@login_required
def download_file(request, public_id, file_id: int):
    application = get_object_or_404(
        Application.objects.select_related("service_item"), public_id=public_id
    )
    if not (
        request.user.pk in (application.owner_id, application.window_staff_id)
        or can_act_for_department(request.user, application.service_item.department_id)
    ):
        raise Http404("没有找到该文件")
    stored = get_object_or_404(application.files, pk=file_id)
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=False,
        filename=stored.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def submit(request, public_id):
    application = _own_application(request, public_id)
    try:
        application = actions.submit(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(
            reverse("applications:draft", args=[public_id])
            + f"?page={len(_steps(application)) - 1}"
        )
    return redirect("applications:submitted", public_id)


@login_required
def submitted(request, public_id):
    application = _own_application(request, public_id)
    if application.status in EDITABLE:
        return redirect("applications:draft", public_id)
    last = application.status_changes.filter(to_status=Status.SUBMITTED).last()
    return render(
        request,
        "applications/submitted.html",
        {
            "application": application,
            "instant": instant_view.summary(application),
            # 补正后重新提交: the page says so, with this submission's time, not the first one's.
            "corrected": bool(last and last.from_status == Status.CORRECTION),
        },
    )


@login_required
@require_POST
def withdraw(request, public_id):
    application = _own_application(request, public_id)
    try:
        actions.withdraw(
            application=application, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("applications:draft", public_id)


@login_required
@require_POST
def discard(request, public_id):
    application = _own_application(request, public_id)
    try:
        actions.discard_draft(application=application, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("applications:draft", public_id)
    messages.success(request, _("草稿已删除。"))
    return redirect("applications:mine")


@login_required
def receipt(request, public_id):
    application = _own_application(request, public_id)
    stored = getattr(application, "receipt", None)
    if stored is None:
        raise Http404("回执正在生成，请稍后刷新")
    return FileResponse(
        stored.file.open("rb"),
        content_type="application/pdf",
        filename=f"申请回执-{application.case_number}.pdf",
    )


def _unconfirmed_years(case) -> list[int]:
    """Years of an open case's period whose holiday schedule is not confirmed yet."""
    if case is None or not case.accepted_on or case.completed_at:
        return []
    return workdays.Calendar().unconfirmed_between(case.accepted_on, case.effective_due_date)


def case_detail(request, application: Application):
    events = public_timeline(application)
    case = getattr(application, "case", None)
    return render(
        request,
        "applications/case.html",
        {
            "application": application,
            "case": case,
            "unconfirmed_years": _unconfirmed_years(case),
            "documents": case.documents.filter(public=True)
            .select_related("document")
            .only("case", "kind", "document__number", "document__public_id")
            if case
            else [],
            "events": events,
            "files": application.files.select_related("material").only(
                "application", "original_name", "material__name"
            ),
            "commitments": application.commitments.select_related("material").only(
                "application", "kind", "state", "supply_by", "check_note", "material__name"
            ),
            "receipt": getattr(application, "receipt", None),
            "can_withdraw": application.status == Status.SUBMITTED,
            "instant": instant_view.summary(application),
        },
    )


# What a row of 我的办件 and a progress answer show, and nothing else: these are the two most read
# pages about applications, and the ORM's work grows with every column of the rows it joins
# (docs/sizing.md, "Signed-in pages").
LISTED_FIELDS = (
    "public_id",
    "case_number",
    "status",
    "updated_at",
    "item_version__name",
    "service_item__department__name",
)
PROGRESS_FIELDS = (
    "case_number",
    "status",
    "contact_phone",
    "item_version__name",
    "service_item__department__name",
)


@login_required
def mine(request):
    applications = (
        Application.objects.filter(owner=request.user)
        .exclude(status=Status.DISCARDED)
        .select_related("item_version", "service_item__department")
        .only(*LISTED_FIELDS)
        .order_by("-updated_at")
    )
    status = request.GET.get("status", "")
    if status == "draft":
        applications = applications.filter(status=Status.DRAFT)
    elif status == "cases":
        applications = applications.exclude(status=Status.DRAFT)
    page = ShortListPaginator(applications, 10).get_page(request.GET.get("page"))
    return render(request, "applications/mine.html", {"page": page, "status": status})


def progress(request):
    """Public progress query: case number + last four digits of the phone, no login, rate-limited."""
    result, error = None, ""
    if request.method == "POST":
        if progress_limited(request):
            error = _("查询过于频繁，请一小时后再试")
        else:
            result, error = progress_lookup(
                request.POST.get("case_number", ""), request.POST.get("phone_tail", "")
            )
    return render(request, "applications/progress.html", {"result": result, "error": error})


def progress_limited(request) -> bool:
    """Progress queries are limited per address (the page and the API count together): the
    case number and phone tail together are a secret worth guessing at."""
    return ratelimit.exceeded(f"progress-query:{client_ip(request)}", PROGRESS_LIMIT_PER_HOUR, 3600)


def progress_lookup(case_number: str, phone_tail: str):
    case_number, phone_tail = case_number.strip().upper(), phone_tail.strip()
    if len(case_number) != 43 or not phone_tail.isdigit() or len(phone_tail) != 4:
        return None, _("请输入43位办件编号和手机号码后四位")
    try:
        application = (
            Application.objects.select_related("item_version", "service_item__department")
            .only(*PROGRESS_FIELDS)
            .get(case_number=case_number)
        )
    except Application.DoesNotExist:
        application = None
    # One answer for "no such case" and "wrong phone": the query must not confirm that a case exists.
    if application is None or not application.contact_phone.endswith(phone_tail):
        return None, _("没有找到匹配的办件，请核对办件编号和手机号码后四位")
    events = public_timeline(application)
    return {"application": application, "events": events}, ""
