"""免证可办 through the data exchange: a material that shared data can stand in for (户口簿, 结婚证,
营业执照 …) is verified by an exchange query with the applicant's consent instead of an upload.
The exchange records which resource and provider answered, when, and the sealed call record; a
provider that is down leaves the material open for upload with a clear message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.applications import actions
from tongban.applications.views import _error_text, _own_application
from tongban.catalog.models import Material
from tongban.core.identifiers import IdType
from tongban.exchange.actions import materials as exchange_materials
from tongban.licences.actions import applicant_identity

SUBJECT_KINDS = {id_type.value: id_type.index_kind for id_type in IdType}


def checklist_shared(application, materials) -> dict[int, dict]:
    """Per material id: the verification in force ("use") and the shared data on offer. Without
    an applicant's own identity, or a material shared data can stand in for, there is neither,
    and no further query is made (this runs on every materials page and submission)."""
    offers = (
        exchange_materials.substitutes_for(materials) if applicant_identity(application) else {}
    )
    uses = exchange_materials.verifications_for(application.pk) if offers else {}
    return {m.pk: {"use": uses.get(m.pk), "offer": offers.get(m.pk)} for m in materials}


def _material_of(application, material_id: int) -> Material:
    wanted = {m.pk: m for m in actions.required_materials(application)}
    if material_id not in wanted:
        raise ValidationError("该材料不属于本次申请")
    return wanted[material_id]


def _back(application, material_id: int):
    return redirect(
        reverse("applications:draft", args=[application.public_id])
        + f"?page={len(application.form.sections)}#material-{material_id}"
    )


@login_required
@require_POST
def use(request, public_id, material_id: int):
    application = _own_application(request, public_id)
    try:
        actions.check_editable(application, request.user)
        material = _material_of(application, material_id)
        identity = applicant_identity(application)
        if identity is None:
            raise ValidationError("代他人申请时不能调用申请人的共享数据，请上传材料")
        verification = exchange_materials.verify_material(
            application_ref=application.pk,
            case_ref=application.reference,
            material=material,
            subject_kind=SUBJECT_KINDS[identity[0]],
            subject=identity[1],
            actor=request.user,
            consent=request.POST.get("consent") == "on",
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            f"已由{verification.provider_label}核验，{material.name}无需上传",
        )
    return _back(application, material_id)


@login_required
@require_POST
def release(request, public_id, material_id: int):
    application = _own_application(request, public_id)
    try:
        actions.check_editable(application, request.user)
        material = get_object_or_404(Material, pk=material_id)
        exchange_materials.release(
            application_ref=application.pk, material=material, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "已取消共享数据核验，请上传该材料")
    return _back(application, material_id)
