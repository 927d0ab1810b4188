"""Situation guidance (情形引导): the version's structure read once per process, and the handling item and materials that the answers select."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from tongban.catalog.models import (
    HandlingItem,
    ItemVersion,
    Material,
    SituationQuestion,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)
from tongban.core import snapshots

# --- situation guidance and history ---------------------------------------------------------------


@dataclass
class Guidance:
    handling_item: HandlingItem | None
    materials: list[Material]
    unanswered: list[SituationQuestion]
    # Answers that match no question of the version, or no option of their question: refused by
    # callers that act on the answers (starting an application), shown by those that only guide.
    invalid: list[str] = dataclass_field(default_factory=list)


_structures: OrderedDict[tuple[int, object], snapshots.Snapshot] = OrderedDict()
# What resolve_situation and the application pages read of a version.
STRUCTURE = {
    "handling_items": {},
    "materials": {"handling_items": {}},
    "questions": {"options": {"materials": {}}},
}
_structures_lock = threading.Lock()
STRUCTURES_KEPT = 512


def version_structure(version: int | ItemVersion) -> ItemVersion:
    """The version (given by id, or as the caller loaded it) with what resolve_situation reads
    prefetched (questions, options and their materials, 业务办理项, materials and their 办理项).

    A published version is never edited (see TRANSITIONS), so its structure is kept in this process
    after the first read, keyed by id and publication time: every page and API call of an
    application resolves its materials again, and the five queries behind it were the largest cost
    of a submission. A draft (no publication time) is read afresh every time. The publication time
    is read from the database unless the caller passes the version with it loaded. What is kept is
    an immutable snapshot (core.snapshots): each call gets its own instances built from it.
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
        kept = _structures.get(key) if published_at is not None else None
        if kept is not None:
            _structures.move_to_end(key)
    if kept is not None:
        return snapshots.thaw(kept)
    version = ItemVersion.objects.prefetch_related(
        "handling_items",
        "materials__handling_items",
        Prefetch("questions__options__materials"),
    ).get(pk=version_id)  # the paths of STRUCTURE
    if published_at is not None:
        with _structures_lock:
            _structures[key] = snapshots.freeze(version, STRUCTURE)
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
        message = _("情形问题和选项应以编号表示：%(keys)s") % {"keys": "、".join(bad)}
        raise ValidationError({"answers": [message]})
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
        _("情形问题 %(question)s 不属于该事项") % {"question": question_id}
        for question_id in sorted(set(answers) - {q.pk for q in questions})
    ]
    for question in questions:
        options = {o.pk: o for o in question.options.all()}
        answer = answers.get(question.pk)
        option = options.get(answer)
        if option is None:
            unanswered.append(question)
            if answer is not None:
                invalid.append(
                    _("问题“%(question)s”没有编号为 %(option)s 的选项")
                    % {"question": question.text, "option": answer}
                )
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
