"""What the catalogue's writes share: the element labels, the version moves, and telling visitors' caches that the catalogue changed."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tongban.accounts.roles import Role
from tongban.catalog.models import (
    ItemVersion,
)
from tongban.catalog.policy import require_catalogue_admin  # noqa: F401 (used by the writes)
from tongban.catalog.states import ITEM_VERSION, SYSTEM, TRANSITIONS  # noqa: F401 (public)

S = ItemVersion.Status
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


def check_transition(version: ItemVersion, target: str, actor) -> None:
    """The move is in the table (catalog.states) for this actor: SYSTEM (the service layer itself
    superseding a version) or anyone else as the catalogue administrator, whose role and
    department `require_catalogue_admin` checks."""
    kind = SYSTEM if actor is SYSTEM else Role.CATALOGUE_ADMIN
    in_table = ITEM_VERSION.allows(version.status, target)
    ITEM_VERSION.check(
        version.status,
        target,
        kind,
        message=_("“%(after)s”只能由系统设置")
        if in_table
        else _("版本状态不能从“%(before)s”变为“%(after)s”"),
    )
