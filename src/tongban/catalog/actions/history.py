"""Version history: what changed between two versions of an item, element by element."""

from tongban.catalog.actions.common import ELEMENT_LABELS
from tongban.catalog.models import (
    ItemVersion,
)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)


def _display(version: ItemVersion, name: str) -> str:
    field = ItemVersion._meta.get_field(name)
    value = getattr(version, name)
    if field.choices:
        return getattr(version, f"get_{name}_display")()
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "faq":
        return "；".join(f"{e.get('q')}——{e.get('a')}" for e in value)
    if isinstance(value, str):
        return _same_text(value)
    return "" if value is None else str(value)


def _same_text(text: str) -> str:
    """A text as a reader compares it: line ends of any system, spaces at line ends and blank lines
    around it do not count. A version stored with "\r\n" (posted by a browser before texts were
    normalised on save) or a trailing newline (the edit form strips it) is not a change."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


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
                f"{m.name}（原件{m.original_count}份，复印件{m.copy_count}份"
                f"{'，必备' if m.required else ''}"
                f"{'，' + m.issue_time_requirement if m.issue_time_requirement else ''}）"
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
