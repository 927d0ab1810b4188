from celery import shared_task

from tongban.catalog import actions, excel, warmup


@shared_task(acks_late=True)
def apply_import_batch(batch_id: int) -> None:
    """Apply a confirmed catalogue workbook in one transaction (see catalog.excel)."""
    excel.run_confirmed_batch(batch_id)


@shared_task(name="tongban.catalog.flush_view_counts")
def flush_view_counts() -> int:
    """Add the guide views counted in the cache to the items (the hot-items list)."""
    return actions.flush_view_counts()


@shared_task(name="tongban.catalog.warm_guides", acks_late=True)
def warm_guides() -> int:
    """Render the guide pages into the page cache after a publish (see catalog.warmup); if the
    catalogue changes while it runs, it is queued again to render the new generation."""
    rendered = warmup.warm_guides()
    if rendered is None:
        warm_guides.apply_async(countdown=actions.WARM_DELAY_SECONDS)
        return 0
    return rendered
