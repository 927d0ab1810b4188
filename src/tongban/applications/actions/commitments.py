"""告知承诺 and 容缺: a signed commitment instead of the material now (the deferred material supplied
after acceptance is an upload: materials.supply_deferred_material)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.actions.common import (
    locked,
    required_materials,
)
from tongban.applications.audit_actions import AuditAction
from tongban.applications.models import (
    Application,
    MaterialCommitment,
)
from tongban.catalog.models import Material
from tongban.core import audit
from tongban.credit import actions as credit


def commitment_statement(application: Application, material: Material, kind: str) -> str:
    """The text the applicant agrees to: obligations and liability in writing (国办发〔2020〕42号)."""
    organ = application.service_item.department.name
    item = application.item_version.name
    if kind == MaterialCommitment.Kind.COMMITMENT:
        return (
            f"本人（本单位）已知晓{organ}告知的办理“{item}”的全部条件、标准和要求，"
            f"承诺已经符合“{material.name}”所证明的条件，以本承诺代替该证明材料。"
            "所承诺内容真实、准确、完整，愿意接受受理机关的事后核查。"
            "如承诺不实，愿意承担撤销许可、记入信用记录等法律责任。"
        )
    return (
        f"本人（本单位）申请对“{material.name}”容缺受理，承诺在{organ}受理通知书告知的期限内"
        "通过本平台补交该材料，补交的材料真实有效。逾期未补交的，同意受理机关依规作出不予许可决定"
        "并补交逾期办结。"
    )


def commitment_options(application: Application, material: Material) -> list[dict]:
    """What the applicant may sign instead of uploading `material` now, with the exact text."""
    kinds = []
    if material.commitment_replaceable:
        kinds.append(MaterialCommitment.Kind.COMMITMENT)
    if material.allows_deficiency:
        kinds.append(MaterialCommitment.Kind.DEFERRED)
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "statement": commitment_statement(application, material, kind),
        }
        for kind in kinds
    ]


def _commitment_material(application: Application, material_id: int, kind: str) -> Material:
    material = next((m for m in required_materials(application) if m.pk == material_id), None)
    if material is None:
        raise ValidationError(_("该材料不属于本次申请"))
    if kind == MaterialCommitment.Kind.COMMITMENT and not material.commitment_replaceable:
        raise ValidationError(_("该材料不适用告知承诺，请上传材料"))
    if kind == MaterialCommitment.Kind.DEFERRED and not material.allows_deficiency:
        raise ValidationError(_("该材料不在容缺受理清单内，请上传材料"))
    return material


@transaction.atomic
def sign_commitment(
    *, application: Application, actor: User, material_id: int, kind: str, agreed: bool
) -> MaterialCommitment:
    """The applicant commits instead of handing in `material` now. Refused for applicants with a
    false-commitment or serious bad-credit record; idempotent for the same material and kind."""
    application = locked(application, actor)
    if kind not in MaterialCommitment.Kind.values:
        raise ValidationError(_("承诺方式无效"))
    material = _commitment_material(application, material_id, kind)
    existing = application.commitments.filter(material=material).first()
    if existing is not None:
        if existing.kind == kind:
            return existing
        raise ValidationError(
            _("该材料已选择“%(kind)s”，请先取消") % {"kind": existing.get_kind_display()}
        )
    if not agreed:
        raise ValidationError(_("请阅读承诺内容并勾选“本人已阅读并作出上述承诺”"))
    if application.files.filter(material=material).exists():
        raise ValidationError(_("该材料已上传，无需承诺"))
    barred = credit.exclusion(credit.subject_of(application))
    if barred is not None:
        raise ValidationError(credit.exclusion_message(barred))
    commitment = MaterialCommitment.objects.create(
        application=application,
        material=material,
        kind=kind,
        statement=commitment_statement(application, material, kind),
        signed_by=actor,
    )
    audit.record(
        AuditAction.SIGN_COMMITMENT,
        actor=actor,
        obj=application,
        detail={"material": material.name, "kind": kind},
    )
    return commitment


@transaction.atomic
def withdraw_commitment(*, application: Application, actor: User, material_id: int) -> None:
    """Before submission (or while correcting) the applicant may upload the material instead."""
    application = locked(application, actor)
    commitment = application.commitments.filter(material_id=material_id).first()
    if commitment is None:
        raise ValidationError(_("该材料没有承诺，无需取消"))
    commitment.delete()
    audit.record(
        AuditAction.WITHDRAW_COMMITMENT,
        actor=actor,
        obj=application,
        detail={"material": commitment.material.name, "kind": commitment.kind},
    )
