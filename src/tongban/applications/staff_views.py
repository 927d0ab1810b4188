"""窗口代办: a window clerk starts an application for a person at the counter; the draft belongs to
that person (it shows in their 我的办件) and records the clerk and the window channel. When the item
has 情形引导 questions, the clerk asks them at the counter and answers them on the same page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.accounts.backends import find_user_by_identifier
from tongban.accounts.models import User
from tongban.accounts.permissions import role_required, serves_department
from tongban.accounts.roles import Role
from tongban.applications import actions, conf, uploads
from tongban.applications import recognition as prefill_ocr
from tongban.applications.actions.personal_data import reveal_purpose
from tongban.applications.models import Application
from tongban.catalog import actions as catalog
from tongban.catalog.models import ServiceItem
from tongban.core import identifiers
from tongban.ocr import actions as ocr
from tongban.ocr.models import Recognition

SCAN_KIND = "id_card_front"


def _scan(request) -> Recognition | None:
    """The clerk's own ID-card scan named in the query or the form, if any."""
    scan_id = request.POST.get("scan") or request.GET.get("scan")
    if not scan_id:
        return None
    try:
        return Recognition.objects.filter(public_id=scan_id, requested_by=request.user).first()
    except ValidationError:
        return None


def _person(id_number: str, errors: dict):
    checked = identifiers.check_citizen_id(id_number)
    if not checked.valid:
        errors["id_number"] = checked.reason
        return None
    person = find_user_by_identifier(id_number)
    if person is None or person.kind != User.Kind.CITIZEN:
        errors["id_number"] = _("该申请人尚未在本平台实名注册，请先协助其注册")
        return None
    return person


def _item(request, code: str, errors: dict):
    item = (
        ServiceItem.objects.select_related("current_version")
        .filter(implementation_code=code)
        .first()
    )
    if item is None:
        errors["code"] = _("未找到该实施编码对应的事项")
        return None
    if item.current_version is None:
        errors["code"] = _("该事项尚未发布，暂不能办理")
        return None
    if not serves_department(request.user, item.department_id):
        errors["code"] = _("该事项不属于本窗口受理的部门")
        return None
    return item


def _situation(request, item, errors: dict):
    """(questions with the chosen option marked, answers) for the item's 情形引导; an error is set
    while a question is unanswered or answered with an option it does not have."""
    version = catalog.version_structure(item.current_version)
    questions = list(version.questions.all())
    if not questions:
        return [], {}
    try:
        answers = catalog.answers_from(
            {k[1:]: v for k, v in request.POST.items() if k.startswith("q") and v}
        )
    except ValidationError as error:
        errors["situation"] = "；".join(error.messages)
        answers = {}
    guidance = catalog.resolve_situation(version, answers)
    if "situation" not in errors and (guidance.invalid or guidance.unanswered):
        errors["situation"] = "；".join(guidance.invalid) or _(
            "该事项需按申请人的情形办理，请询问申请人后回答以下问题"
        )
    shown = [(q, [(o, answers.get(q.pk) == o.pk) for o in q.options.all()]) for q in questions]
    return shown, answers


@role_required(Role.WINDOW_CLERK)
def proxy_start(request):
    errors: dict[str, str] = {}
    values = {"id_number": "", "code": request.GET.get("code", "").strip().upper()[:31]}
    questions = []
    scan = _scan(request)
    scanned = scan.offered() if scan is not None and scan.status == Recognition.Status.DONE else {}
    if "id_number" in scanned:
        values["id_number"] = scanned["id_number"]["value"]
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip().upper() for k in values}
        person = _person(values["id_number"], errors)
        item = _item(request, values["code"], errors)
        answers = {}
        if item is not None:
            questions, answers = _situation(request, item, errors)
        if not errors:
            try:
                application = actions.start_application(
                    owner=person,
                    service_item=item,
                    channel=Application.Channel.WINDOW,
                    answers=answers,
                    window_staff=request.user,
                )
            except ValidationError as error:
                errors["code"] = "；".join(error.messages)
            else:
                if scan is not None:
                    prefill_ocr.take_scan(
                        application=application,
                        actor=request.user,
                        recognition=scan,
                        id_number=values["id_number"],
                    )
                messages.success(
                    request,
                    _("已为申请人创建 %(name)s 的申请草稿") % {"name": item.current_version.name},
                )
                return redirect("applications:draft", application.public_id)
    return render(
        request,
        "applications/proxy_start.html",
        {
            "errors": errors,
            "values": values,
            "questions": questions,
            "scan": scan,
            "scanned": scanned,
            "upload_limit_bytes": conf.upload_max_bytes(),
            "scan_failure": ocr.failure_message(scan)
            if scan is not None and scan.status == Recognition.Status.FAILED
            else "",
        },
    )


@role_required(Role.WINDOW_CLERK)
@require_POST
def proxy_scan(request):
    """窗口代办: the clerk scans the applicant's ID card; the worker reads it, the page fills in."""
    code = request.POST.get("code", "").strip().upper()[:31]
    target = reverse("intake_staff:proxy-start")
    try:
        checked = uploads.check_upload(request.FILES.get("file"))
        scan = ocr.request_recognition(
            actor=request.user,
            kind=SCAN_KIND,
            content=checked.content,
            content_type=checked.content_type,
            extension=checked.extension,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(target)
    return redirect(f"{target}?scan={scan.public_id}&code={code}")


@role_required(Role.WINDOW_CLERK)
def proxy_scan_panel(request):
    """The scan panel alone, asked for again while the worker reads the card."""
    return render(request, "applications/_proxy_scan.html", {"scan": _scan(request)})


@role_required(Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
@require_POST
def reveal_form_value(request, public_id):
    """The full value of one personal-data field of a case's form, once, audited with a purpose.
    Never in the URL: the field and purpose come in the POST body, the page is not cached."""
    application = get_object_or_404(
        Application.objects.select_related("form", "service_item"), public_id=public_id
    )
    field = request.POST.get("field", "")
    prop = application.form.schema.get("properties", {}).get(field, {})
    context = {"application": application, "label": prop.get("title", field)}
    purpose = reveal_purpose(
        request.POST.get("purpose_choice", ""), request.POST.get("purpose", "")
    )
    try:
        context["value"] = actions.reveal_form_value(
            actor=request.user, application=application, field=field, purpose=purpose
        )
        context["purpose"] = purpose
    except ValidationError as error:
        context["error"] = "；".join(error.messages)
    response = render(request, "applications/revealed.html", context)
    add_never_cache_headers(response)
    return response
