"""The catalogue service layer: every change to items, versions, materials and situations.

Each function validates first (ValidationError dicts keyed by field, Chinese messages), then writes in
one transaction with an audit record. Views, API, admin, Excel import and the demo loader call these.
Versions move only along TRANSITIONS; published versions are never edited.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role
from tongban.catalog import codes, conf
from tongban.catalog.models import (
    BasicItem,
    HandlingItem,
    ItemVersion,
    Material,
    ServiceItem,
    SituationOption,
    SituationQuestion,
)
from tongban.core import audit

S = ItemVersion.Status
SYSTEM = "system"
# (from, to) → who may make the move: the catalogue administrator of the department, or only the
# system (a published version is superseded when its successor is published).
TRANSITIONS = {
    (S.DRAFT, S.PUBLISHED): Role.CATALOGUE_ADMIN,
    (S.PUBLISHED, S.SUPERSEDED): SYSTEM,
    (S.PUBLISHED, S.WITHDRAWN): Role.CATALOGUE_ADMIN,
}
ELEMENT_LABELS = {
    name: ItemVersion._meta.get_field(name).verbose_name for name in ItemVersion.ELEMENT_FIELDS
}


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


WARM_DELAY_SECONDS = 30  # publishes in quick succession are followed by one warm-up


def catalogue_changed(*, warm_guides: bool = False) -> None:
    """What visitors see has changed: renew the catalogue generation (search index, cached pages)
    now (a database cache rolls it back with the transaction) and again on commit (so a
    non-transactional cache never keeps an index built before the commit). With warm_guides, the
    worker then renders the guide pages again (catalog.warmup): one warm-up per WARM_DELAY_SECONDS
    however many publishes, since it renders whatever generation is current when it runs."""
    from tongban.catalog import search

    search.invalidate()
    transaction.on_commit(search.invalidate)
    if warm_guides:
        transaction.on_commit(_queue_guide_warmup, robust=True)


def _queue_guide_warmup() -> None:
    from tongban.catalog import tasks

    if cache.add("catalog:warmup-queued", 1, timeout=WARM_DELAY_SECONDS):
        tasks.warm_guides.apply_async(countdown=WARM_DELAY_SECONDS)


def require_catalogue_admin(actor, department) -> None:
    """Writes need a catalogue administrator of the item's department (platform admins pass)."""
    if actor is None:
        return  # the system itself: demo loader, migrations, management commands
    if not actor.has_role(Role.CATALOGUE_ADMIN) or not can_act_for_department(actor, department.pk):
        raise ValidationError({"actor": ["只有本部门的事项管理员可以维护和发布事项"]})


def check_transition(version: ItemVersion, target: str, actor) -> None:
    rule = TRANSITIONS.get((version.status, target))
    if rule is None:
        raise ValidationError(
            {"status": [f"版本状态不能从“{S(version.status).label}”变为“{S(target).label}”"]}
        )
    if rule == SYSTEM and actor is not SYSTEM:
        raise ValidationError({"status": [f"“{S(target).label}”只能由系统设置"]})


# --- element validation -----------------------------------------------------------------------


def working_day_equivalent(amount: int | None, unit: str) -> float | None:
    """Time limits in working-day terms so 自然日 and 工作日 limits can be compared (5 of 7)."""
    if amount is None:
        return None
    return amount if unit == codes.LimitUnit.WORKING_DAYS else amount * 5 / 7


def _check_codes(value: str, choices, field: str, label: str, errors: dict, required=True) -> None:
    parts = codes.split_codes(value)
    if required and not parts:
        errors[field] = [f"请选择{label}"]
    bad = [p for p in parts if p not in choices.values]
    if bad:
        errors[field] = [f"{label}代码无效：{'、'.join(bad)}"]


def validate_elements(basic: BasicItem, data: dict) -> dict:
    """Errors for a version's elements (all of them present in `data`)."""
    errors: dict = {}
    for name in conf.locked_elements():
        if str(data.get(name) or "") != str(getattr(basic, name) or ""):
            errors[name] = [f"“{ELEMENT_LABELS[name]}”继承自基本目录事项，实施清单中不能修改"]
    if not (data.get("name") or "").strip():
        errors.setdefault("name", ["请填写事项名称"])
    elif len(data["name"]) > 200:
        errors.setdefault("name", ["事项名称不能超过200字"])
    if data.get("item_type") not in codes.ItemType.values:
        errors.setdefault("item_type", ["事项类型代码无效"])
    _check_codes(
        data.get("service_object"), codes.ServiceObject, "service_object", "服务对象", errors
    )
    _check_codes(
        data.get("handling_forms"), codes.HandlingForm, "handling_forms", "办理形式", errors
    )
    _check_codes(
        data.get("person_themes"),
        codes.PersonTheme,
        "person_themes",
        "自然人服务主题",
        errors,
        False,
    )
    _check_codes(
        data.get("enterprise_themes"),
        codes.EnterpriseTheme,
        "enterprise_themes",
        "法人服务主题",
        errors,
        False,
    )
    if data.get("handling_type") not in codes.HandlingType.values:
        errors["handling_type"] = ["办件类型代码无效"]
    if data.get("scope", "") not in codes.Scope.values:
        errors["scope"] = ["通办范围无效"]
    for field in ("legal_limit_unit", "promised_limit_unit"):
        if data.get(field) not in codes.LimitUnit.values:
            errors[field] = ["时限单位应为工作日或自然日"]
    for field in ("legal_limit", "promised_limit", "max_visits"):
        value = data.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            errors[field] = ["应为不小于0的整数"]
    if "legal_limit" not in errors and "promised_limit" not in errors:
        legal = working_day_equivalent(data.get("legal_limit"), data.get("legal_limit_unit"))
        promised = working_day_equivalent(
            data.get("promised_limit"), data.get("promised_limit_unit")
        )
        if legal is not None and promised is not None and promised > legal:
            errors["promised_limit"] = ["承诺办结时限不能长于法定办结时限"]
    if data.get("is_online") and not (data.get("online_url") or "").strip():
        errors["online_url"] = ["支持网办的事项应填写网办地址"]
    if data.get("charges_fee") and not (data.get("fee_basis") or "").strip():
        errors["fee_basis"] = ["收费事项应填写收费依据"]
    faq = data.get("faq") or []
    if not isinstance(faq, list) or any(
        not isinstance(e, dict) or not e.get("q") or not e.get("a") for e in faq
    ):
        errors["faq"] = ["常见问题应为问答列表，每条都有问题和解答"]
    return errors


def completeness_problems(version: ItemVersion) -> dict:
    """What a version still lacks before it may be published."""
    problems: dict = {}
    required = {
        "legal_basis": "设定依据",
        "acceptance_conditions": "受理条件",
        "process": "办理流程",
        "result_name": "结果名称",
        "consult_phone": "咨询电话",
        "supervision_phone": "监督电话",
        "office_hours": "办理时间",
    }
    for field, label in required.items():
        if not (getattr(version, field) or "").strip():
            problems[field] = [f"发布前请填写{label}"]
    if version.legal_limit is None and not version.legal_limit_note.strip():
        problems["legal_limit"] = ["发布前请填写法定办结时限（无法定时限时在说明中写明）"]
    if version.promised_limit is None:
        problems["promised_limit"] = ["发布前请填写承诺办结时限"]
    if not version.materials.exists():
        problems["materials"] = ["发布前请至少填写一项申请材料"]
    if not version.is_online and not version.halls.exists():
        problems["halls"] = ["发布前请填写办理地点或开通网上办理"]
    handling = list(version.handling_items.all())
    for question in version.questions.prefetch_related("options"):
        if len(question.options.all()) < 2:
            problems.setdefault("questions", []).append(
                f"情形问题“{question.text}”至少需要两个选项"
            )
    if len(handling) > 1:
        selectable = set(
            SituationOption.objects.filter(
                question__version=version, handling_item__isnull=False
            ).values_list("handling_item_id", flat=True)
        )
        missing = [h.name for h in handling if h.pk not in selectable]
        if missing:
            problems.setdefault("questions", []).append(
                f"有多个业务办理项时，每个都应能通过情形问题选中：{'、'.join(missing)}"
            )
    return problems


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
        errors["basic_code"] = ["该基本编码已存在"]
    if not (name or "").strip():
        errors["name"] = ["请填写事项名称"]
    if item_type not in codes.ItemType.values:
        errors["item_type"] = ["事项类型代码无效"]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = ["请填写设定依据"]
    _check_codes(service_object, codes.ServiceObject, "service_object", "服务对象", errors)
    _raise_if(errors)
    if actor is not None and not actor.has_role(Role.CATALOGUE_ADMIN):
        raise ValidationError({"actor": ["只有事项管理员可以维护基本目录"]})
    basic = BasicItem.objects.create(
        basic_code=basic_code,
        name=name.strip(),
        item_type=item_type,
        legal_basis=legal_basis,
        service_object=service_object,
        exercise_content=exercise_content,
        authority_division=authority_division,
    )
    audit.record("catalog.create_basic_item", actor=actor, obj=basic, detail={"code": basic_code})
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
        errors["implementation_code"] = ["该部门已实施此基本目录事项"]
    data = _defaults_from(basic_item, department)
    data.update(elements or {})
    errors.update(_unknown_fields(elements or {}))
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
        "catalog.create_item",
        actor=actor,
        obj=item,
        detail={"code": code, "version": version.number},
    )
    return item


def _unknown_fields(elements: dict) -> dict:
    unknown = (
        set(elements)
        - set(ItemVersion.ELEMENT_FIELDS)
        - {"halls", "valid_from", "valid_to", "change_note"}
    )
    return {"elements": [f"未知的要素：{'、'.join(sorted(unknown))}"]} if unknown else {}


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
        raise ValidationError({"status": ["已发布的版本不能修改，请新建草稿版本"]})
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
    audit.record("catalog.update_draft", actor=actor, obj=version, detail={"changed": changed})
    # No public page or search result shows a draft, so the cached catalogue pages stay: editing
    # drafts all day must not send every guide back to a live render.
    return version


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
        raise ValidationError({"status": ["已发布的版本不能修改，请新建草稿版本"]})
    errors: dict = {}
    serials = [s for s, _n, _d in handling_items]
    for serial in serials:
        if len(serial) != 2 or not serial.isdigit() or serial == "00":
            errors.setdefault("handling_items", []).append(f"业务办理项序号“{serial}”应为01至99")
    for field, problems in duplicate_children(serials=serials).items():
        errors.setdefault(field, []).extend(problems)
    names = [m.name for m in materials]
    if any(not n.strip() for n in names):
        errors["materials"] = ["材料名称不能为空"]
    else:
        errors.update(duplicate_children(names=names))
    for spec in materials:
        bad = set(spec.handling_serials) - set(serials)
        if bad:
            errors.setdefault("materials", []).append(
                f"材料“{spec.name}”引用了不存在的业务办理项 {'、'.join(sorted(bad))}"
            )
        if spec.original_count == 0 and spec.copy_count == 0:
            errors.setdefault("materials", []).append(f"材料“{spec.name}”原件和复印件份数不能都为0")
    for q in questions:
        if not q.get("text", "").strip():
            errors.setdefault("questions", []).append("情形问题不能为空")
        for option in q.get("options", []):
            if option.get("handling_serial") and option["handling_serial"] not in serials:
                errors.setdefault("questions", []).append(
                    f"选项“{option['text']}”引用了不存在的业务办理项"
                )
            bad = set(option.get("materials", [])) - set(names)
            if bad:
                errors.setdefault("questions", []).append(
                    f"选项“{option['text']}”引用了不存在的材料 {'、'.join(sorted(bad))}"
                )
    _raise_if(errors)

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
            original_count=spec.original_count,
            copy_count=spec.copy_count,
            required=spec.required,
            notes=spec.notes,
            allows_deficiency=spec.allows_deficiency,
            commitment_replaceable=spec.commitment_replaceable,
            replaceable_by_licence_type=spec.replaceable_by_licence_type,
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
        "catalog.set_structure",
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
def new_draft(*, actor, item: ServiceItem, change_note: str = "") -> ItemVersion:
    """A new draft copying the current published version (elements, places and structure)."""
    item = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=item.pk)
    )
    require_catalogue_admin(actor, item.department)
    if item.versions.filter(status=S.DRAFT).exists():
        raise ValidationError({"status": ["该事项已有草稿版本，请先编辑或发布它"]})
    source = item.current_version
    if source is None:
        raise ValidationError({"status": ["该事项还没有发布过的版本"]})
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    data = {name: getattr(source, name) for name in ItemVersion.ELEMENT_FIELDS}
    data["halls"] = list(source.halls.all())
    draft = _create_version(item, number, data, actor)
    draft.change_note = change_note
    draft.save(update_fields=["change_note"])
    _copy_structure(source, draft)
    audit.record(
        "catalog.new_draft", actor=actor, obj=draft, detail={"from_version": source.number}
    )
    return draft


def _copy_structure(source: ItemVersion, draft: ItemVersion) -> None:
    handling = {}
    for h in source.handling_items.all():
        handling[h.pk] = HandlingItem.objects.create(
            version=draft, serial=h.serial, name=h.name, description=h.description
        )
    materials = {}
    for m in source.materials.prefetch_related("handling_items"):
        old_pk = m.pk
        links = [handling[h.pk] for h in m.handling_items.all()]
        m.pk = None
        m.id = None
        m._state.adding = True
        m.version = draft
        m.save()
        m.handling_items.set(links)
        materials[old_pk] = m
    for q in source.questions.prefetch_related("options__materials"):
        question = SituationQuestion.objects.create(version=draft, order=q.order, text=q.text)
        for o in q.options.all():
            option = SituationOption.objects.create(
                question=question,
                order=o.order,
                text=o.text,
                handling_item=handling.get(o.handling_item_id),
            )
            option.materials.set([materials[m.pk] for m in o.materials.all()])


@transaction.atomic
def publish(*, actor, version: ItemVersion, valid_from=None) -> ItemVersion:
    """Publish a complete draft; the previously published version is superseded by the system."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError({"actor": ["发布事项需要事项管理员登录"]})
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department", "item__basic_item")
        .get(pk=version.pk)
    )
    item = version.item
    require_catalogue_admin(actor, item.department)
    check_transition(version, S.PUBLISHED, actor)
    data = {name: getattr(version, name) for name in ItemVersion.ELEMENT_FIELDS}
    problems = validate_elements(item.basic_item, data)
    problems.update(completeness_problems(version))
    _raise_if(problems)
    now = timezone.now()
    previous = item.versions.filter(status=S.PUBLISHED).first()
    if previous is not None:
        check_transition(previous, S.SUPERSEDED, SYSTEM)
        previous.status = S.SUPERSEDED
        previous.ended_at = now
        previous.valid_to = timezone.localdate()
        previous.save(update_fields=["status", "ended_at", "valid_to"])
    version.status = S.PUBLISHED
    version.published_at = now
    version.published_by = actor
    version.valid_from = valid_from or version.valid_from or timezone.localdate()
    try:
        with transaction.atomic():
            version.save(update_fields=["status", "published_at", "published_by", "valid_from"])
    except IntegrityError as exc:
        raise ValidationError({"status": ["该事项同时有另一个版本正在发布，请刷新后重试"]}) from exc
    ServiceItem.objects.filter(pk=item.pk).update(current_version=version)
    audit.record(
        "catalog.publish",
        actor=actor,
        obj=version,
        detail={
            "item": item.implementation_code,
            "version": version.number,
            "superseded": previous.number if previous else None,
        },
    )
    catalogue_changed(warm_guides=True)
    return version


@transaction.atomic
def withdraw(*, actor, version: ItemVersion, reason: str) -> ItemVersion:
    """Stop offering an item: its published version is withdrawn and the item leaves the guide."""
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department")
        .get(pk=version.pk)
    )
    require_catalogue_admin(actor, version.item.department)
    if actor is None:
        raise ValidationError({"actor": ["停用事项需要事项管理员登录"]})
    check_transition(version, S.WITHDRAWN, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写停用原因"]})
    version.status = S.WITHDRAWN
    version.ended_at = timezone.now()
    version.valid_to = timezone.localdate()
    version.save(update_fields=["status", "ended_at", "valid_to"])
    ServiceItem.objects.filter(pk=version.item_id).update(current_version=None)
    audit.record("catalog.withdraw", actor=actor, obj=version, detail={"reason": reason.strip()})
    catalogue_changed(warm_guides=True)
    return version


VIEWS_KEY = "catalog:views:{}"
VIEWS_FLUSH_CHUNK = 1000


def record_view(item_id: int) -> None:
    """Count a guide view for the hot-items list (a counter, not a state change worth auditing).
    Counted in the cache, not the database: a row update per page view would serialise readers of
    a popular guide on its row lock. `flush_view_counts` (scheduled every minute) adds them up."""
    key = VIEWS_KEY.format(item_id)
    try:
        cache.incr(key)
    except ValueError:  # first view since the last flush
        cache.add(key, 0, timeout=None)
        cache.incr(key)


def flush_view_counts() -> int:
    """Move the views counted in the cache into ServiceItem.view_count; returns how many."""
    moved = 0
    ids = ServiceItem.objects.order_by("pk").values_list("pk", flat=True)
    for start in range(0, ids.count(), VIEWS_FLUSH_CHUNK):
        keys = {VIEWS_KEY.format(pk): pk for pk in ids[start : start + VIEWS_FLUSH_CHUNK]}
        for key, views in cache.get_many(list(keys)).items():
            if not views:
                continue
            ServiceItem.objects.filter(pk=keys[key]).update(view_count=F("view_count") + views)
            cache.decr(key, views)  # views counted meanwhile stay for the next flush
            moved += views
    return moved


# --- situation guidance and history ---------------------------------------------------------------


@dataclass
class Guidance:
    handling_item: HandlingItem | None
    materials: list[Material]
    unanswered: list[SituationQuestion]
    # Answers that match no question of the version, or no option of their question: refused by
    # callers that act on the answers (starting an application), shown by those that only guide.
    invalid: list[str] = dataclass_field(default_factory=list)


_structures: OrderedDict[tuple[int, object], ItemVersion] = OrderedDict()
_structures_lock = threading.Lock()
STRUCTURES_KEPT = 512


def version_structure(version: int | ItemVersion) -> ItemVersion:
    """The version (given by id, or as the caller loaded it) with what resolve_situation reads
    prefetched (questions, options and their materials, 业务办理项, materials and their 办理项).

    A published version is never edited (see TRANSITIONS), so its structure is kept in this process
    after the first read, keyed by id and publication time: every page and API call of an
    application resolves its materials again, and the five queries behind it were the largest cost
    of a submission. A draft (no publication time) is read afresh every time. The publication time
    is read from the database unless the caller passes the version with it loaded. Callers only
    read the objects returned, which are shared between requests.
    """
    if isinstance(version, ItemVersion) and "published_at" not in version.get_deferred_fields():
        version_id, published_at = version.pk, version.published_at
    else:
        version_id = getattr(version, "pk", version)
        published_at = (
            ItemVersion.objects.filter(pk=version_id).values_list("published_at", flat=True).first()
        )
    key = (version_id, published_at)
    with _structures_lock:
        if published_at is not None and key in _structures:
            _structures.move_to_end(key)
            return _structures[key]
    version = ItemVersion.objects.prefetch_related(
        "handling_items",
        "materials__handling_items",
        Prefetch("questions__options__materials"),
    ).get(pk=version_id)
    if published_at is not None:
        with _structures_lock:
            _structures[key] = version
            while len(_structures) > STRUCTURES_KEPT:
                _structures.popitem(last=False)
    return version


def forget_version_structures() -> None:
    with _structures_lock:
        _structures.clear()


def answers_from(raw: dict) -> dict[int, int]:
    """{question id: option id} from what a request sent (keys may be strings); a key or value that
    is not a number is refused rather than dropped."""
    bad = [str(k) for k, v in raw.items() if not str(k).isdigit() or not str(v).isdigit()]
    if bad:
        raise ValidationError({"answers": [f"情形问题和选项应以编号表示：{'、'.join(bad)}"]})
    return {int(k): int(v) for k, v in raw.items()}


def resolve_situation(version: ItemVersion, answers: dict[int, int]) -> Guidance:
    """Answers ({question id: option id}) → the 业务办理项 and the exact materials.

    Works on prefetched `questions__options__materials`, `handling_items`,
    `materials__handling_items` (no further queries). A material linked to options is needed only
    when one of those options is chosen; a material linked to 业务办理项 only for those.
    """
    questions = list(version.questions.all())
    chosen = []
    unanswered = []
    invalid = [
        f"情形问题 {question_id} 不属于该事项"
        for question_id in sorted(set(answers) - {q.pk for q in questions})
    ]
    for question in questions:
        options = {o.pk: o for o in question.options.all()}
        answer = answers.get(question.pk)
        option = options.get(answer)
        if option is None:
            unanswered.append(question)
            if answer is not None:
                invalid.append(f"问题“{question.text}”没有编号为 {answer} 的选项")
        else:
            chosen.append(option)
    handling_items = list(version.handling_items.all())
    selected = next((o.handling_item for o in chosen if o.handling_item_id), None)
    if selected is None and len(handling_items) == 1:
        selected = handling_items[0]
    if selected is not None:
        selected = next(h for h in handling_items if h.pk == selected.pk)
    conditional = {m.pk for q in questions for o in q.options.all() for m in o.materials.all()}
    added = {m.pk for o in chosen for m in o.materials.all()}
    materials = []
    for material in version.materials.all():
        limited_to = {h.pk for h in material.handling_items.all()}
        if limited_to and (selected is None or selected.pk not in limited_to):
            continue
        if material.pk in conditional and material.pk not in added:
            continue
        materials.append(material)
    return Guidance(selected, materials, unanswered, invalid)


def _display(version: ItemVersion, name: str) -> str:
    field = ItemVersion._meta.get_field(name)
    value = getattr(version, name)
    if field.choices:
        return getattr(version, f"get_{name}_display")()
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "faq":
        return "；".join(f"{e.get('q')}——{e.get('a')}" for e in value)
    return "" if value is None else str(value)


def diff_versions(old: ItemVersion, new: ItemVersion) -> list[dict]:
    """What changed from `old` to `new`: elements, places, materials and 业务办理项."""
    changes = []
    for name in ItemVersion.ELEMENT_FIELDS:
        before, after = _display(old, name), _display(new, name)
        if before != after:
            changes.append(
                {"field": name, "label": str(ELEMENT_LABELS[name]), "old": before, "new": after}
            )

    def listing(version, attr, fmt):
        return sorted(fmt(obj) for obj in getattr(version, attr).all())

    for attr, label, fmt in (
        ("halls", "办理地点", str),
        (
            "materials",
            "申请材料",
            lambda m: (
                f"{m.name}（原件{m.original_count}份，复印件{m.copy_count}份{'，必备' if m.required else ''}）"
            ),
        ),
        ("handling_items", "业务办理项", lambda h: f"{h.serial} {h.name}"),
        ("questions", "情形问题", lambda q: q.text),
    ):
        before, after = listing(old, attr, fmt), listing(new, attr, fmt)
        if before != after:
            removed = [x for x in before if x not in after]
            added = [x for x in after if x not in before]
            changes.append(
                {"field": attr, "label": label, "old": "；".join(removed), "new": "；".join(added)}
            )
    return changes


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
        raise ValidationError({"status": ["已发布的版本不能修改，请新建草稿版本"]})
    save()
    # The rules hold whichever page wrote the rows (staff pages, admin inlines): checked on what
    # the draft now has, so a refusal rolls the whole save back.
    problems = duplicate_children(
        serials=list(version.handling_items.values_list("serial", flat=True)),
        names=list(version.materials.values_list("name", flat=True)),
    )
    if problems:
        raise ValidationError(problems)
    audit.record("catalog.edit_draft_children", actor=actor, obj=version, detail={"what": what})


def duplicate_children(*, serials=(), names=()) -> dict[str, list[str]]:
    """A draft's 业务办理项 serials and material names are each unique within the version."""
    problems = {}
    if len(set(serials)) != len(serials):
        problems["handling_items"] = ["业务办理项序号不能重复"]
    if len(set(names)) != len(names):
        problems["materials"] = ["同一事项的材料名称不能重复"]
    return problems
