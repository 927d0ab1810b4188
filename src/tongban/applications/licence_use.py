"""免证可办 in an application: the applicant lets an electronic licence from the wallet stand for a
material (免提交), or withdraws it and uploads paper instead. Intake checks the application and
holds the transaction; the licence domain checks the licence and records the use (用证记录)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from tongban.applications import actions as intake
from tongban.applications.models import Application
from tongban.applications.states import EDITABLE
from tongban.licences import actions as licences


def _editable(application: Application, actor) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if actor.pk not in (application.owner_id, application.window_staff_id):
        raise ValidationError(gettext("您无权修改该申请"))
    if application.status not in EDITABLE:
        raise ValidationError(
            gettext("该申请%(status)s，不能再修改") % {"status": application.get_status_display()}
        )
    return application


@transaction.atomic
def use_for_material(application, material, licence, actor, consent: bool = False):
    """免提交: the applicant agrees that `licence` stands for `material` in this application."""
    if not consent:
        raise ValidationError(gettext("请先勾选同意使用该电子证照"))
    application = _editable(application, actor)
    if material.pk not in {m.pk for m in intake.required_materials(application)}:
        raise ValidationError(gettext("该材料不属于本次申请"))
    return licences.record_material_use(application, material, licence, actor)


@transaction.atomic
def release_material(application, material, actor) -> None:
    """The applicant withdraws the use (uploads paper instead) while the draft is editable."""
    application = _editable(application, actor)
    licences.withdraw_material_use(application, material, actor)
