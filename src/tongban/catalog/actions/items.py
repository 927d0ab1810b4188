"""Basic items (基本目录) and implementation items (实施清单) created, and a draft's elements edited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.catalog import codes, policy
from tongban.catalog.actions.common import S, _raise_if, require_catalogue_admin
from tongban.catalog.actions.elements import _check_codes, validate_elements
from tongban.catalog.audit_actions import AuditAction
from tongban.catalog.models import (
    BasicItem,
    ItemVersion,
    ServiceItem,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)
from tongban.core import audit

# --- basic items and implementation items -------------------------------------------------------


@transaction.atomic
def create_basic_item(
    *,
    actor,
    basic_code: str,
    name: str,
    item_type: str,
    legal_basis: str,
    service_object: str,
    exercise_content: str = "",
    authority_division: str = "",
) -> BasicItem:
    errors: dict = {}
    basic_code = (basic_code or "").strip().upper()
    problem = codes.basic_code_problem(basic_code)
    if problem:
        errors["basic_code"] = [problem]
    elif BasicItem.objects.filter(basic_code=basic_code).exists():
        errors["basic_code"] = [_("该基本编码已存在")]
    if not (name or "").strip():
        errors["name"] = [_("请填写事项名称")]
    if item_type not in codes.ItemType.values:
        errors["item_type"] = [_("事项类型代码无效")]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = [_("请填写设定依据")]
    _check_codes(service_object, codes.ServiceObject, "service_object", _("服务对象"), errors)
    _raise_if(errors)
    policy.require_basic_catalogue_admin(actor)
    basic = BasicItem.objects.create(
        basic_code=basic_code,
        name=name.strip(),
        item_type=item_type,
        legal_basis=legal_basis,
        service_object=service_object,
        exercise_content=exercise_content,
        authority_division=authority_division,
    )
    audit.record(AuditAction.CREATE_BASIC_ITEM, actor=actor, obj=basic, detail={"code": basic_code})
    return basic


def _defaults_from(basic: BasicItem, department) -> dict:
    data = {
        name: ItemVersion._meta.get_field(name).get_default() for name in ItemVersion.ELEMENT_FIELDS
    }
    data.update(
        name=basic.name,
        item_type=basic.item_type,
        legal_basis=basic.legal_basis,
        exercise_content=basic.exercise_content,
        authority_division=basic.authority_division,
        service_object=basic.service_object,
        implementer_nature=department.nature,
        handling_forms="1",
        consult_phone=department.phone,
        supervision_phone=department.supervision_phone,
        handling_office=None,
        faq=[],
    )
    return data


@transaction.atomic
def create_item(
    *,
    actor,
    basic_item: BasicItem,
    department,
    elements: dict | None = None,
    exercise_level: int | None = None,
) -> ServiceItem:
    """A new implementation item with its first draft version (locked elements inherited)."""
    require_catalogue_admin(actor, department)
    level = exercise_level or department.level
    code = codes.implementation_code(department.uscc, level, basic_item.basic_code)
    errors: dict = {}
    problem = codes.implementation_code_problem(code)
    if problem:
        errors["implementation_code"] = [problem]
    elif (
        ServiceItem.objects.filter(implementation_code=code).exists()
        or ServiceItem.objects.filter(basic_item=basic_item, department=department).exists()
    ):
        errors["implementation_code"] = [_("该部门已实施此基本目录事项")]
    elements = _unix_newlines(elements or {})
    data = _defaults_from(basic_item, department)
    data.update(elements)
    errors.update(_unknown_fields(elements))
    errors.update(validate_elements(basic_item, data))
    _raise_if(errors)
    item = ServiceItem.objects.create(
        basic_item=basic_item,
        department=department,
        region_id=department.region_id,
        exercise_level=level,
        implementation_code=code,
    )
    version = _create_version(item, 1, data, actor)
    audit.record(
        AuditAction.CREATE_ITEM,
        actor=actor,
        obj=item,
        detail={"code": code, "version": version.number},
    )
    return item


def _unix_newlines(elements: dict) -> dict:
    """Texts with "\n" line ends: a browser posts a textarea with "\r\n", which would otherwise make
    an unchanged 办理流程 differ from the published version's."""
    return {
        name: value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
        for name, value in elements.items()
    }


def _unknown_fields(elements: dict) -> dict:
    unknown = (
        set(elements)
        - set(ItemVersion.ELEMENT_FIELDS)
        - {"halls", "valid_from", "valid_to", "change_note"}
    )
    if not unknown:
        return {}
    return {"elements": [_("未知的要素：%(elements)s") % {"elements": "、".join(sorted(unknown))}]}


def _create_version(item, number, data, actor) -> ItemVersion:
    data = dict(data)
    halls = data.pop("halls", None)
    version = ItemVersion.objects.create(
        item=item, number=number, status=S.DRAFT, created_by=actor, **data
    )
    if halls:
        version.halls.set(halls)
    return version


@transaction.atomic
def update_draft(*, actor, version: ItemVersion, elements: dict) -> ItemVersion:
    """Change elements of a draft version (the only version that can change)."""
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__basic_item", "item__department")
        .get(pk=version.pk)
    )
    require_catalogue_admin(actor, version.item.department)
    if not version.is_draft:
        raise ValidationError({"status": [_("已发布的版本不能修改，请新建草稿版本")]})
    elements = _unix_newlines(elements)
    errors = _unknown_fields(elements)
    data = {name: getattr(version, name) for name in ItemVersion.ELEMENT_FIELDS}
    data["handling_office"] = version.handling_office
    data.update({k: v for k, v in elements.items() if k in data})
    errors.update(validate_elements(version.item.basic_item, data))
    _raise_if(errors)
    changed = sorted(k for k in elements if k in data and getattr(version, k) != elements[k])
    for name, value in data.items():
        setattr(version, name, value)
    for name in ("valid_from", "valid_to", "change_note"):
        if name in elements:
            setattr(version, name, elements[name])
    version.save()
    if "halls" in elements:
        version.halls.set(elements["halls"])
        changed.append("halls")
    audit.record(AuditAction.UPDATE_DRAFT, actor=actor, obj=version, detail={"changed": changed})
    # No public page or search result shows a draft, so the cached catalogue pages stay: editing
    # drafts all day must not send every guide back to a live render.
    return version
