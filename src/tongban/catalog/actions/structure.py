"""The structure of a draft version: its 业务办理项, materials and situation questions, written as a whole or through the admin inlines."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.catalog.actions.common import _raise_if, require_catalogue_admin
from tongban.catalog.audit_actions import AuditAction
from tongban.catalog.models import (
    HandlingItem,
    ItemVersion,
    Material,
    SituationOption,
    SituationQuestion,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)
from tongban.core import audit
from tongban.ocr import kinds as ocr_kinds


@dataclass
class MaterialSpec:
    name: str
    issuer: str = ""
    original_count: int = 1
    copy_count: int = 0
    required: bool = True
    notes: str = ""
    allows_deficiency: bool = False
    commitment_replaceable: bool = False
    replaceable_by_licence_type: str = ""
    handling_serials: tuple = ()  # empty: all 业务办理项
    issue_time_requirement: str = ""  # 出具时间要求, e.g. 申请前3个月内出具
    # The kind of document OCR reads from the upload; None: the kind of its licence type, if any.
    document_kind: str | None = None


def structure_problems(
    handling_items: list[tuple[str, str, str]], materials: list[MaterialSpec], questions: list[dict]
) -> dict[str, list[str]]:
    """What is wrong with a version's 业务办理项, materials and situation questions, as
    `set_structure` takes them (also checked by the Excel import before anything is written)."""
    errors: dict = {}
    serials = [s for s, _n, _d in handling_items]
    for serial in serials:
        if len(serial) != 2 or not serial.isdigit() or serial == "00":
            errors.setdefault("handling_items", []).append(
                _("业务办理项序号“%(serial)s”应为01至99") % {"serial": serial}
            )
    for field, problems in duplicate_children(serials=serials).items():
        errors.setdefault(field, []).extend(problems)
    names = [m.name for m in materials]
    if any(not n.strip() for n in names):
        errors["materials"] = [_("材料名称不能为空")]
    else:
        errors.update(duplicate_children(names=names))
    for spec in materials:
        bad = set(spec.handling_serials) - set(serials)
        if bad:
            errors.setdefault("materials", []).append(
                _("材料“%(material)s”引用了不存在的业务办理项 %(serials)s")
                % {"material": spec.name, "serials": "、".join(sorted(bad))}
            )
        if spec.original_count == 0 and spec.copy_count == 0:
            errors.setdefault("materials", []).append(
                _("材料“%(material)s”原件和复印件份数不能都为0") % {"material": spec.name}
            )
    for q in questions:
        if not q.get("text", "").strip():
            errors.setdefault("questions", []).append(_("情形问题不能为空"))
        for option in q.get("options", []):
            if option.get("handling_serial") and option["handling_serial"] not in serials:
                errors.setdefault("questions", []).append(
                    _("选项“%(option)s”引用了不存在的业务办理项") % {"option": option["text"]}
                )
            bad = set(option.get("materials", [])) - set(names)
            if bad:
                errors.setdefault("questions", []).append(
                    _("选项“%(option)s”引用了不存在的材料 %(materials)s")
                    % {"option": option["text"], "materials": "、".join(sorted(bad))}
                )
    return errors


@transaction.atomic
def set_structure(
    *,
    actor,
    version: ItemVersion,
    handling_items: list[tuple[str, str, str]],
    materials: list[MaterialSpec],
    questions: list[dict],
) -> ItemVersion:
    """Replace a draft's 业务办理项, materials and situation questions in one go.

    handling_items: (serial, name, description); questions: {"text", "options": [{"text",
    "handling_serial" (optional), "materials": [material names added by this answer]}]}.
    """
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department")
        .get(pk=version.pk)
    )
    require_catalogue_admin(actor, version.item.department)
    if not version.is_draft:
        raise ValidationError({"status": [_("已发布的版本不能修改，请新建草稿版本")]})
    serials = [s for s, _n, _d in handling_items]
    errors = structure_problems(handling_items, materials, questions)
    _raise_if(errors)

    # Blank forms and samples are uploaded on the staff pages, not carried by the structure (an
    # Excel sheet cannot hold them): a material that keeps its name keeps its files.
    files = {m.name: (m.blank_form.name, m.sample.name) for m in version.materials.all()}
    version.handling_items.all().delete()
    version.materials.all().delete()
    version.questions.all().delete()
    by_serial = {
        serial: HandlingItem.objects.create(
            version=version, serial=serial, name=name, description=desc
        )
        for serial, name, desc in handling_items
    }
    by_name = {}
    for order, spec in enumerate(materials, start=1):
        material = Material.objects.create(
            version=version,
            order=order,
            name=spec.name,
            issuer=spec.issuer,
            issue_time_requirement=spec.issue_time_requirement,
            original_count=spec.original_count,
            copy_count=spec.copy_count,
            required=spec.required,
            notes=spec.notes,
            allows_deficiency=spec.allows_deficiency,
            commitment_replaceable=spec.commitment_replaceable,
            replaceable_by_licence_type=spec.replaceable_by_licence_type,
            blank_form=files.get(spec.name, ("", ""))[0],
            sample=files.get(spec.name, ("", ""))[1],
            document_kind=(
                spec.document_kind
                if spec.document_kind is not None
                else ocr_kinds.for_licence_type(spec.replaceable_by_licence_type)
            ),
        )
        if spec.handling_serials:
            material.handling_items.set([by_serial[s] for s in spec.handling_serials])
        by_name[spec.name] = material
    for q_order, q in enumerate(questions, start=1):
        question = SituationQuestion.objects.create(version=version, order=q_order, text=q["text"])
        for o_order, o in enumerate(q.get("options", []), start=1):
            option = SituationOption.objects.create(
                question=question,
                order=o_order,
                text=o["text"],
                handling_item=by_serial.get(o.get("handling_serial") or ""),
            )
            if o.get("materials"):
                option.materials.set([by_name[n] for n in o["materials"]])
    audit.record(
        AuditAction.SET_STRUCTURE,
        actor=actor,
        obj=version,
        detail={
            "handling_items": serials,
            "materials": len(materials),
            "questions": len(questions),
        },
    )
    return version


@transaction.atomic
def save_draft_children(*, actor, version: ItemVersion, what: str, save) -> None:
    """Admin inline edits of a draft's 业务办理项, materials or situations: `save` (the formset's
    save) runs inside this transaction after the draft and permission checks, then is audited."""
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department")
        .get(pk=version.pk)
    )
    require_catalogue_admin(actor, version.item.department)
    if not version.is_draft:
        raise ValidationError({"status": [_("已发布的版本不能修改，请新建草稿版本")]})
    save()
    # The rules hold whichever page wrote the rows (staff pages, admin inlines): checked on what
    # the draft now has, so a refusal rolls the whole save back.
    problems = duplicate_children(
        serials=list(version.handling_items.values_list("serial", flat=True)),
        names=list(version.materials.values_list("name", flat=True)),
    )
    if problems:
        raise ValidationError(problems)
    audit.record(AuditAction.EDIT_DRAFT_CHILDREN, actor=actor, obj=version, detail={"what": what})


def duplicate_children(*, serials=(), names=()) -> dict[str, list[str]]:
    """A draft's 业务办理项 serials and material names are each unique within the version."""
    problems = {}
    if len(set(serials)) != len(serials):
        problems["handling_items"] = [_("业务办理项序号不能重复")]
    if len(set(names)) != len(names):
        problems["materials"] = [_("同一事项的材料名称不能重复")]
    return problems
