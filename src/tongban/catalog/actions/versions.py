"""The version lifecycle: a new draft from the current version, publishing (the previous version is superseded) and withdrawal."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog import conf
from tongban.catalog.actions.common import (
    S,
    _raise_if,
    catalogue_changed,
    check_transition,
    require_catalogue_admin,
)
from tongban.catalog.actions.elements import completeness_problems, validate_elements
from tongban.catalog.actions.items import _create_version
from tongban.catalog.audit_actions import AuditAction
from tongban.catalog.models import (
    HandlingItem,
    ItemVersion,
    ServiceItem,
    SituationOption,
    SituationQuestion,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)
from tongban.core import audit
from tongban.core.models import AuditRecord


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
        raise ValidationError({"status": [_("该事项已有草稿版本，请先编辑或发布它")]})
    source = item.current_version
    if source is None:
        raise ValidationError({"status": [_("该事项还没有发布过的版本")]})
    number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    data = {name: getattr(source, name) for name in ItemVersion.ELEMENT_FIELDS}
    data["halls"] = list(source.halls.all())
    draft = _create_version(item, number, data, actor)
    draft.change_note = change_note
    draft.save(update_fields=["change_note"])
    _copy_structure(source, draft)
    audit.record(
        AuditAction.NEW_DRAFT, actor=actor, obj=draft, detail={"from_version": source.number}
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


# The audit codes of the changes that make someone an editor of a draft (the four-eyes rule).
DRAFT_EDITS = (
    AuditAction.NEW_DRAFT,
    AuditAction.UPDATE_DRAFT,
    AuditAction.EDIT_DRAFT_CHILDREN,
    AuditAction.SET_STRUCTURE,
)


def editors_of(version: ItemVersion) -> set[int]:
    """Who created the draft or changed its elements, materials or structure, from the audit log."""
    changed_by = AuditRecord.objects.filter(
        object_type=ItemVersion._meta.label_lower,
        object_id=str(version.pk),
        action__in=[str(code) for code in DRAFT_EDITS],
        actor__isnull=False,
    ).values_list("actor_id", flat=True)
    return {version.created_by_id, *changed_by} - {None}


def four_eyes_refusal(actor, version: ItemVersion) -> str:
    """Why `actor` may not publish `version` under the four-eyes rule (CATALOG_PUBLISH_BY_SECOND_PERSON),
    or "" when they may: the item page says it before the button, publish() enforces it."""
    if conf.publish_by_second_person() and actor.pk in editors_of(version):
        return _("您创建或修改过这份草稿，须由本部门另一位事项管理员审核发布")
    return ""


@transaction.atomic
def publish(*, actor, version: ItemVersion, valid_from=None) -> ItemVersion:
    """Publish a complete draft; the previously published version is superseded by the system."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError({"actor": [_("发布事项需要事项管理员登录")]})
    version = (
        ItemVersion.objects.select_for_update(of=("self",))
        .select_related("item__department", "item__basic_item")
        .get(pk=version.pk)
    )
    item = version.item
    require_catalogue_admin(actor, item.department)
    check_transition(version, S.PUBLISHED, actor)
    refusal = four_eyes_refusal(actor, version)
    if refusal:
        raise ValidationError({"status": [refusal]})
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
        raise ValidationError(
            {"status": [_("该事项同时有另一个版本正在发布，请刷新后重试")]}
        ) from exc
    ServiceItem.objects.filter(pk=item.pk).update(current_version=version)
    audit.record(
        AuditAction.PUBLISH,
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
        raise ValidationError({"actor": [_("停用事项需要事项管理员登录")]})
    check_transition(version, S.WITHDRAWN, actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写停用原因")]})
    version.status = S.WITHDRAWN
    version.ended_at = timezone.now()
    version.valid_to = timezone.localdate()
    version.save(update_fields=["status", "ended_at", "valid_to"])
    ServiceItem.objects.filter(pk=version.item_id).update(current_version=None)
    audit.record(AuditAction.WITHDRAW, actor=actor, obj=version, detail={"reason": reason.strip()})
    catalogue_changed(warm_guides=True)
    return version
