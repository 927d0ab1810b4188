"""免证可办 in an application: the applicant lets an electronic licence from the wallet stand for a
material (免提交), or withdraws it and uploads paper instead. Intake checks the application and
holds the transaction; the licence domain checks the licence and records the use (用证记录)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from tongban.applications import actions as intake
from tongban.licences import actions as licences


@transaction.atomic
def use_for_material(application, material, licence, actor, consent: bool = False):
    """免提交: the applicant agrees that `licence` stands for `material` in this application."""
    if not consent:
        raise ValidationError(gettext("请先勾选同意使用该电子证照"))
    application = intake.locked(application, actor)
    if material.pk not in {m.pk for m in intake.required_materials(application)}:
        raise ValidationError(gettext("该材料不属于本次申请"))
    return licences.record_material_use(application, material, licence, actor)


@transaction.atomic
def release_material(application, material, actor) -> None:
    """The applicant withdraws the use (uploads paper instead) while the draft is editable."""
    application = intake.locked(application, actor)
    licences.withdraw_material_use(application, material, actor)
