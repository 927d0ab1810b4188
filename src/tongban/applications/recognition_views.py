"""材料识别 on the draft pages: the panel under an uploaded certificate, polled while the worker
reads it, then offering the form fields it can fill for the person to confirm or correct."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.applications import recognition as prefill_ocr
from tongban.applications.models import Application, UploadedFile
from tongban.applications.states import EDITABLE
from tongban.applications.views import _error_text, _own_application
from tongban.ocr import actions as ocr


def panel(application: Application, stored: UploadedFile) -> dict | None:
    """What the panel under one uploaded file shows; None when the file is not read."""
    recognition = stored.recognition
    if recognition is None:
        return None
    context = {"recognition": recognition, "stored": stored, "application": application}
    if recognition.status == recognition.Status.FAILED:
        context["failure"] = ocr.failure_message(recognition)
    elif recognition.status == recognition.Status.DONE:
        found = prefill_ocr.offers(application, recognition, stored.material.name)
        context["offers"] = [prefill_ocr.shown(o) for o in found if not o.locked]
        context["checks"] = [prefill_ocr.shown(o) for o in found if o.locked]
    return context


def attach_panels(application: Application, checklist: list[dict]) -> None:
    for row in checklist:
        for stored in row["files"]:
            stored.panel = panel(application, stored)


@login_required
@require_http_methods(["GET", "POST"])
def recognition(request, public_id, recognition_id):
    application = _own_application(request, public_id)
    if application.status not in EDITABLE:
        return redirect("applications:draft", public_id)
    materials_page = (
        reverse("applications:draft", args=[public_id]) + f"?page={len(application.form.sections)}"
    )
    try:
        stored = prefill_ocr.upload_of(application, recognition_id)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(materials_page)
    if request.method == "POST":
        try:
            filled = prefill_ocr.confirm(
                application=application, actor=request.user, stored=stored, raw=request.POST
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("已将材料识别的 %(n)s 项填入申请表，可在表单中查看修改。") % {"n": filled},
            )
        return redirect(materials_page + f"#material-{stored.material_id}")
    return render(request, "applications/_recognition.html", {"panel": panel(application, stored)})
