"""The data-resource catalogue: classes, resources and their versions.

Versions move only along exchange.states.RESOURCE_VERSION; a published version is never edited (new_draft copies it).
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit, plugins, statemachine
from tongban.exchange import policy
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import (
    DataItem,
    ItemType,
    MaterialSubstitute,
    Resource,
    ResourceChange,
    ResourceClass,
    ResourceVersion,
    Sensitivity,
    ShareCondition,
)
from tongban.exchange.states import DATA_ADMIN, RESOURCE_VERSION

S = ResourceVersion.Status
SYSTEM = statemachine.SYSTEM
REFUSED = "版本状态不能从“%(before)s”变为“%(after)s”"
PROVIDER_KIND = "exchange_provider"


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


require_data_admin = policy.require_data_admin


def check_transition(version: ResourceVersion, target: str, actor) -> None:
    """Refuse a move RESOURCE_VERSION does not allow; actor SYSTEM is the platform itself."""
    if not RESOURCE_VERSION.allows(version.status, target):
        RESOURCE_VERSION.check(version.status, target, message=REFUSED)
    kind = SYSTEM if actor is SYSTEM else DATA_ADMIN
    RESOURCE_VERSION.check(
        version.status, target, kind, message=f"“{S(target).label}”只能由系统设置"
    )


def _history(version, from_status, to_status, actor, note="") -> None:
    ResourceChange.objects.create(
        resource_id=version.resource_id,
        version=version,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
    )


# --- classes --------------------------------------------------------------------------------------


@transaction.atomic
def ensure_class(*, code: str, name: str, parent: ResourceClass | None = None, order=0):
    """Create or rename a class of the tree (idempotent on the code)."""
    if not code.strip() or not name.strip():
        raise ValidationError({"code": ["请填写分类代码和名称"]})
    node, _ = ResourceClass.objects.update_or_create(
        code=code.strip(), defaults={"name": name.strip(), "parent": parent, "order": order}
    )
    return node


# --- elements and items ---------------------------------------------------------------------------


@dataclass
class ItemSpec:
    code: str
    name: str
    item_type: str = ItemType.STRING
    sensitivity: str = Sensitivity.GENERAL
    personal: bool = False
    required: bool = False
    rule: str = ""
    code_table: str = ""
    description: str = ""


def validate_elements(data: dict) -> dict:
    errors: dict = {}
    if not (data.get("name") or "").strip():
        errors["name"] = ["请填写资源名称"]
    if not data.get("resource_class"):
        errors["resource_class"] = ["请选择资源分类"]
    condition = data.get("share_condition")
    if condition not in ShareCondition.values:
        errors["share_condition"] = ["请选择共享属性：无条件共享、有条件共享或不予共享"]
    elif condition != ShareCondition.UNCONDITIONAL and not (data.get("share_basis") or "").strip():
        errors["share_basis"] = ["有条件共享和不予共享的资源必须写明共享条件或不予共享的依据"]
    if data.get("delivery") not in ResourceVersion.Delivery.values:
        errors["delivery"] = ["共享方式无效"]
    errors.update(provider_problems(data.get("provider_plugin"), data.get("provider_options")))
    return errors


def provider_problems(name: str | None, options: dict | None) -> dict:
    cls = plugins.registered(PROVIDER_KIND).get(name or "")
    if cls is None:
        known = "、".join(sorted(plugins.registered(PROVIDER_KIND)))
        return {"provider_plugin": [f"提供方插件 {name!r} 不存在（可用：{known}）"]}
    problems = cls.check_config(options or {})
    return {"provider_options": problems} if problems else {}


ITEM_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
# Column names bulk files and extracts use beside the item codes.
RESERVED_ITEM_CODES = {"subject", "subject_index"}
ITEM_LIMITS = {"name": 60, "code_table": 300, "description": 200}


def _labels(choices) -> str:
    return "、".join(str(label) for label in choices.labels)


def item_problems(spec: ItemSpec) -> dict[str, list[str]]:
    """What is wrong with one data item on its own, by field, in Chinese."""
    errors: dict[str, list[str]] = {}
    code, name = (spec.code or "").strip(), (spec.name or "").strip()
    if not code:
        errors["code"] = ["请填写信息项代码"]
    elif not ITEM_CODE.fullmatch(code) or code.lower() in RESERVED_ITEM_CODES:
        errors["code"] = [
            f"信息项代码 {code!r} 无效：以字母开头，只用字母、数字和下划线，至多 40 个字符，"
            "且不能是 subject 或 subject_index"
        ]
    if not name:
        errors["name"] = ["请填写信息项名称"]
    for field, limit in ITEM_LIMITS.items():
        if len(getattr(spec, field) or "") > limit:
            errors.setdefault(field, []).append(
                f"{DataItem._meta.get_field(field).verbose_name}最多 {limit} 个字"
            )
    if spec.item_type not in ItemType.values:
        errors["item_type"] = [f"数据类型 {spec.item_type!r} 无效（可选：{_labels(ItemType)}）"]
    if spec.sensitivity not in Sensitivity.values:
        errors["sensitivity"] = [
            f"敏感级别 {spec.sensitivity!r} 无效（可选：{_labels(Sensitivity)}）"
        ]
    if spec.rule not in DataItem.Rule.values:
        errors["rule"] = [f"校验规则 {spec.rule!r} 无效"]
    elif spec.rule == DataItem.Rule.CODE_TABLE and not (spec.code_table or "").strip():
        errors["code_table"] = ["按代码表校验的信息项必须填写代码表（取值以 | 分隔）"]
    return errors


def validate_items(specs: list[ItemSpec]) -> dict:
    errors: list[str] = []
    seen: set[str] = set()
    if not specs:
        errors.append("资源至少要有一个信息项")
    for index, spec in enumerate(specs, start=1):
        where = f"第 {index} 个信息项"
        if spec.code in seen:
            errors.append(f"{where}的代码 {spec.code} 重复")
        seen.add(spec.code)
        for messages in item_problems(spec).values():
            errors.extend(f"{where}：{message}" for message in messages)
    return {"items": errors} if errors else {}


def _write_items(version: ResourceVersion, specs: list[ItemSpec]) -> None:
    version.items.all().delete()
    DataItem.objects.bulk_create(
        DataItem(version=version, order=index, **spec.__dict__) for index, spec in enumerate(specs)
    )


def _specs_of(version: ResourceVersion) -> list[ItemSpec]:
    return [
        ItemSpec(
            code=i.code,
            name=i.name,
            item_type=i.item_type,
            sensitivity=i.sensitivity,
            personal=i.personal,
            required=i.required,
            rule=i.rule,
            code_table=i.code_table,
            description=i.description,
        )
        for i in version.items.all()
    ]


# --- resources and versions -----------------------------------------------------------------------


@transaction.atomic
def create_resource(*, actor, code: str, department, elements: dict, items: list[ItemSpec]):
    """A new resource with its first draft version."""
    require_data_admin(actor, department)
    errors = validate_elements(elements)
    errors.update(validate_items(items))
    code = (code or "").strip()
    if not code:
        errors["code"] = ["请填写资源代码"]
    elif Resource.objects.filter(code=code).exists():
        errors["code"] = [f"资源代码 {code} 已存在"]
    _raise_if(errors)
    resource = Resource.objects.create(code=code, department=department)
    version = ResourceVersion.objects.create(resource=resource, number=1, **elements)
    _write_items(version, items)
    _history(version, "", S.DRAFT, actor, "新建")
    audit.record(AuditAction.RESOURCE_CREATE, actor=actor, obj=resource, detail={"code": code})
    return version


@transaction.atomic
def update_draft(*, actor, version: ResourceVersion, elements: dict, items=None):
    version = (
        ResourceVersion.objects.select_for_update().select_related("resource").get(pk=version.pk)
    )
    require_data_admin(actor, version.resource.department)
    if version.status != S.DRAFT:
        raise ValidationError({"status": ["只能修改草稿版本；已发布的版本请先新建草稿"]})
    unknown = set(elements) - set(ResourceVersion.ELEMENT_FIELDS)
    if unknown:
        raise ValidationError({"elements": [f"未知要素：{'、'.join(sorted(unknown))}"]})
    data = {name: getattr(version, name) for name in ResourceVersion.ELEMENT_FIELDS}
    data["resource_class"] = version.resource_class_id
    data.update(elements)
    errors = validate_elements(data)
    if items is not None:
        errors.update(validate_items(items))
    _raise_if(errors)
    for name, value in elements.items():
        setattr(version, name, value)
    version.save()
    if items is not None:
        _write_items(version, items)
    audit.record(
        AuditAction.RESOURCE_EDIT, actor=actor, obj=version, detail={"fields": sorted(elements)}
    )
    return version


# --- the data items of a draft, one at a time (staff pages) ---------------------------------------


def _locked_draft(actor, version: ResourceVersion) -> ResourceVersion:
    version = (
        ResourceVersion.objects.select_for_update().select_related("resource").get(pk=version.pk)
    )
    require_data_admin(actor, version.resource.department)
    if version.status != S.DRAFT:
        raise ValidationError(
            {"status": ["已发布或已停用的版本不能修改信息项；请先新建草稿，在草稿上修改后再发布"]}
        )
    return version


def _clean_spec(spec: ItemSpec) -> ItemSpec:
    return ItemSpec(
        code=(spec.code or "").strip(),
        name=(spec.name or "").strip(),
        item_type=spec.item_type,
        sensitivity=spec.sensitivity,
        personal=bool(spec.personal),
        required=bool(spec.required),
        rule=spec.rule or "",
        code_table=(spec.code_table or "").strip(),
        description=(spec.description or "").strip(),
    )


def _check_item(version: ResourceVersion, spec: ItemSpec, keep: DataItem | None) -> None:
    errors = item_problems(spec)
    taken = version.items.filter(code=spec.code)
    if keep is not None:
        taken = taken.exclude(pk=keep.pk)
    if "code" not in errors and taken.exists():
        errors["code"] = [f"本版本已有代码为 {spec.code} 的信息项"]
    _raise_if(errors)


def _item_changed(actor, version, note: str, operation: str, code: str, fields=()) -> None:
    _history(version, S.DRAFT, S.DRAFT, actor, note)
    detail = {"operation": operation, "code": code, "version": version.number}
    if fields:
        detail["fields"] = sorted(fields)
    audit.record(AuditAction.RESOURCE_ITEMS_EDIT, actor=actor, obj=version, detail=detail)


@transaction.atomic
def add_item(*, actor, version: ResourceVersion, spec: ItemSpec) -> DataItem:
    """Add a data item at the end of a draft version."""
    version = _locked_draft(actor, version)
    spec = _clean_spec(spec)
    _check_item(version, spec, keep=None)
    last = version.items.order_by("-order").values_list("order", flat=True).first()
    item = DataItem.objects.create(
        version=version, order=0 if last is None else last + 1, **spec.__dict__
    )
    _item_changed(actor, version, f"新增信息项 {item.code}（{item.name}）", "add", item.code)
    return item


@transaction.atomic
def update_item(*, actor, item: DataItem, spec: ItemSpec) -> DataItem:
    """Change a data item of a draft version (its code too, if no other item has it)."""
    version = _locked_draft(actor, item.version)
    item = DataItem.objects.select_for_update().get(pk=item.pk, version=version)
    spec = _clean_spec(spec)
    _check_item(version, spec, keep=item)
    before = item.code
    changed = [name for name, value in spec.__dict__.items() if getattr(item, name) != value]
    if not changed:
        return item
    for name in changed:
        setattr(item, name, spec.__dict__[name])
    item.save(update_fields=changed)
    label = before if before == item.code else f"{before} → {item.code}"
    _item_changed(actor, version, f"修改信息项 {label}（{item.name}）", "edit", item.code, changed)
    return item


@transaction.atomic
def remove_item(*, actor, item: DataItem) -> None:
    """Remove a data item from a draft version; a version keeps at least one item."""
    version = _locked_draft(actor, item.version)
    item = DataItem.objects.select_for_update().get(pk=item.pk, version=version)
    if version.items.count() <= 1:
        raise ValidationError({"items": ["资源至少要有一个信息项，不能删除最后一个"]})
    code, name = item.code, item.name
    item.delete()
    _item_changed(actor, version, f"删除信息项 {code}（{name}）", "remove", code)


@transaction.atomic
def new_draft(*, actor, resource: Resource, change_note: str = "") -> ResourceVersion:
    """A draft copying the newest version; at most one draft at a time."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    require_data_admin(actor, resource.department)
    if resource.versions.filter(status=S.DRAFT).exists():
        raise ValidationError({"status": ["该资源已有草稿版本，请先完成或发布它"]})
    source = resource.versions.order_by("-number").first()
    data = {name: getattr(source, name) for name in ResourceVersion.ELEMENT_FIELDS}
    draft = ResourceVersion.objects.create(
        resource=resource, number=source.number + 1, change_note=change_note[:200], **data
    )
    _write_items(draft, _specs_of(source))
    _history(draft, "", S.DRAFT, actor, change_note or "新建草稿")
    audit.record(AuditAction.RESOURCE_NEW_DRAFT, actor=actor, obj=draft)
    return draft


@transaction.atomic
def publish(*, actor, version: ResourceVersion) -> ResourceVersion:
    """Publish a draft; the published predecessor is superseded by the system."""
    version = (
        ResourceVersion.objects.select_for_update().select_related("resource").get(pk=version.pk)
    )
    resource = version.resource
    require_data_admin(actor, resource.department)
    check_transition(version, S.PUBLISHED, actor)
    data = {name: getattr(version, name) for name in ResourceVersion.ELEMENT_FIELDS}
    data["resource_class"] = version.resource_class_id
    errors = validate_elements(data)
    errors.update(validate_items(_specs_of(version)))
    _raise_if(errors)
    now = timezone.now()
    previous = resource.versions.filter(status=S.PUBLISHED).first()
    if previous is not None:
        previous.ended_at = now
        statemachine.transition(
            previous,
            S.SUPERSEDED,
            actor_kind=SYSTEM,
            machine=RESOURCE_VERSION,
            update_fields=["ended_at"],
            reason=f"由第{version.number}版替代",
            write_audit=False,
        )
    version.published_at = now
    statemachine.transition(
        version,
        S.PUBLISHED,
        actor=actor,
        machine=RESOURCE_VERSION,
        update_fields=["published_at"],
        audit_action=AuditAction.RESOURCE_PUBLISH,
        audit_detail={"code": resource.code, "version": version.number},
    )
    Resource.objects.filter(pk=resource.pk).update(current_version=version)
    return version


@transaction.atomic
def withdraw(*, actor, version: ResourceVersion, reason: str) -> ResourceVersion:
    """Stop sharing a resource: calls to it are refused from now on."""
    version = (
        ResourceVersion.objects.select_for_update().select_related("resource").get(pk=version.pk)
    )
    require_data_admin(actor, version.resource.department)
    check_transition(version, S.WITHDRAWN, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写停用原因"]})
    version.ended_at = timezone.now()
    statemachine.transition(
        version,
        S.WITHDRAWN,
        actor=actor,
        machine=RESOURCE_VERSION,
        update_fields=["ended_at"],
        reason=reason.strip(),
        audit_action=AuditAction.RESOURCE_WITHDRAW,
        audit_detail={"reason": reason.strip()},
    )
    Resource.objects.filter(pk=version.resource_id).update(current_version=None)
    return version


def published(code: str) -> ResourceVersion | None:
    """The published version of a resource by code, with its items and department."""
    resource = (
        Resource.objects.select_related("current_version", "department")
        .filter(code=code, current_version__isnull=False)
        .first()
    )
    if resource is None:
        return None
    version = resource.current_version
    version.resource = resource
    return version


@transaction.atomic
def set_substitute(*, actor, material_name: str, resource: Resource, items: list[str], note=""):
    """Mark a material (by name) as replaceable by items of a shared resource (免证可办)."""
    policy.require_set_substitutes(actor)
    version = resource.current_version
    errors: dict = {}
    if not (material_name or "").strip():
        errors["material_name"] = ["请填写材料名称"]
    if version is None:
        errors["resource"] = ["数据资源未发布"]
    elif version.share_condition == ShareCondition.NOT_SHARED:
        errors["resource"] = ["不予共享的资源不能代替材料"]
    else:
        known = set(version.items.values_list("code", flat=True))
        unknown = [code for code in items if code not in known]
        if not items or unknown:
            errors["items"] = [f"信息项无效：{'、'.join(unknown) or '未选择'}"]
    _raise_if(errors)
    substitute, _ = MaterialSubstitute.objects.update_or_create(
        material_name=material_name.strip(),
        defaults={"resource": resource, "items": list(items), "note": note[:200]},
    )
    audit.record(
        AuditAction.SUBSTITUTE_SET,
        actor=actor,
        obj=substitute,
        detail={"resource": resource.code, "items": list(items)},
    )
    return substitute
