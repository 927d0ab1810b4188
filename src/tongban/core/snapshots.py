"""Immutable snapshots of a prefetched object graph, for caches shared across requests.

A process may keep what it read once (a published catalogue version's questions, options and
materials) but must not hand the same model instances to every request: one request setting an
attribute would change what another sees. `freeze` keeps the rows as tuples of column values and
`thaw` builds fresh instances from them for each caller, with the same related lists prefetched,
without a query. JSON values are copied on thawing, so a caller changing a dict changes only its
own copy.
"""

import copy
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True, slots=True)
class Snapshot:
    model: type[models.Model]
    db: str
    names: tuple[str, ...]
    values: tuple
    related: tuple[tuple[str, tuple["Snapshot", ...]], ...]  # (accessor, children)


def freeze(obj: models.Model, tree: dict) -> Snapshot:
    """`tree` names the prefetched accessors to keep, nested: {"materials": {"handling_items": {}}}."""
    names = tuple(f.attname for f in obj._meta.concrete_fields)
    return Snapshot(
        model=type(obj),
        db=obj._state.db or "default",
        names=names,
        values=tuple(getattr(obj, name) for name in names),
        related=tuple(
            (accessor, tuple(freeze(child, below) for child in getattr(obj, accessor).all()))
            for accessor, below in tree.items()
        ),
    )


def thaw(snapshot: Snapshot) -> models.Model:
    """Fresh instances, as a prefetching query would have returned them."""
    values = [copy.deepcopy(v) if isinstance(v, dict | list) else v for v in snapshot.values]
    obj = snapshot.model.from_db(snapshot.db, snapshot.names, values)
    obj._prefetched_objects_cache = {}
    for accessor, children in snapshot.related:
        manager = getattr(obj, accessor)
        kids = [thaw(child) for child in children]
        reverse_fk = getattr(manager, "field", None)
        if reverse_fk is not None and not hasattr(manager, "through"):
            for kid in kids:  # the child's own foreign key points back at this instance
                reverse_fk.set_cached_value(kid, obj)
        queryset = manager.get_queryset()
        queryset._result_cache = kids
        queryset._prefetch_done = True
        obj._prefetched_objects_cache[_cache_name(manager, accessor)] = queryset
    return obj


def _cache_name(manager, accessor: str) -> str:
    """Where Django's related managers look for their prefetched list."""
    name = getattr(manager, "prefetch_cache_name", None)  # many-to-many
    if name:
        return name
    return manager.field.remote_field.cache_name if hasattr(manager, "field") else accessor
