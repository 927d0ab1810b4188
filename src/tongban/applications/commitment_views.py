"""告知承诺 and 容缺 on the applicant's side: commit instead of uploading a material now, take the
commitment back, and supply a 容缺 material after acceptance. Thin: calls applications.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tongban.applications import actions, uploads
from tongban.applications.views import _error_text, _own_application


def _materials_page(application) -> str:
    return (
        reverse("applications:draft", args=[application.public_id])
        + f"?page={len(application.form.sections)}#material-"
    )


@login_required
@require_POST
def sign(request, public_id, material_id: int):
    application = _own_application(request, public_id)
    try:
        commitment = actions.sign_commitment(
            application=application,
            actor=request.user,
            material_id=material_id,
            kind=request.POST.get("kind", ""),
            agreed=request.POST.get("agreed") == "on",
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"已作出承诺：{commitment.get_kind_display()}")
    return redirect(_materials_page(application) + str(material_id))


@login_required
@require_POST
def withdraw(request, public_id, material_id: int):
    application = _own_application(request, public_id)
    try:
        actions.withdraw_commitment(
            application=application, actor=request.user, material_id=material_id
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "已取消承诺，请上传该材料")
    return redirect(_materials_page(application) + str(material_id))


@csrf_exempt
def supply(request, public_id, material_id: int):
    # As for uploads: the size limit is installed before the body is read, CSRF checked after.
    request.upload_handlers.insert(0, uploads.SizeLimitUploadHandler(request))
    return _supply(request, public_id, material_id)


@csrf_protect
@login_required
@require_POST
def _supply(request, public_id, material_id: int):
    application = _own_application(request, public_id)
    target = reverse("applications:draft", args=[public_id]) + "#deferred"
    uploaded = request.FILES.get("file")
    if getattr(request, "upload_too_large", False):
        messages.error(request, uploads.too_large_message())
        return redirect(target)
    try:
        stored = actions.supply_deferred_material(
            application=application, actor=request.user, material_id=material_id, uploaded=uploaded
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"已补交：{stored.original_name}")
    return redirect(target)
