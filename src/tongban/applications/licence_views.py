"""The 免证可办 buttons on the materials page: use a wallet licence for a material, or withdraw it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.applications import licence_use
from tongban.applications.models import Application
from tongban.catalog.models import Material
from tongban.licences.models import Licence


def _application_and_material(request, public_id, material_id):
    application = get_object_or_404(Application, public_id=public_id)
    if request.user.pk not in (application.owner_id, application.window_staff_id):
        raise Http404("没有找到该申请")
    material = get_object_or_404(Material, pk=material_id)
    return application, material


def _back(application, material_id):
    return redirect(
        reverse("applications:draft", args=[application.public_id])
        + f"?page={len(application.form.sections)}#material-{material_id}"
    )


@require_POST
@login_required
def use_material(request, public_id, material_id: int):
    application, material = _application_and_material(request, public_id, material_id)
    raw = str(request.POST.get("licence", ""))
    licence = (
        Licence.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
    )
    try:
        if licence is None:
            raise ValidationError(_("请选择要使用的电子证照"))
        licence_use.use_for_material(
            application,
            material,
            licence,
            request.user,
            consent=request.POST.get("consent") == "on",
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request,
            _("已使用电子证照“%(licence)s”，%(material)s免提交")
            % {"licence": licence.licence_type.name, "material": material.name},
        )
    return _back(application, material_id)


@require_POST
@login_required
def release_material(request, public_id, material_id: int):
    application, material = _application_and_material(request, public_id, material_id)
    try:
        licence_use.release_material(application, material, request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已取消使用电子证照，请上传该材料"))
    return _back(application, material_id)
