from celery import shared_task

from tongban.catalog import actions, excel


@shared_task(acks_late=True)
def apply_import_batch(batch_id: int) -> None:
    """Apply a confirmed catalogue workbook in one transaction (see catalog.excel)."""
    excel.run_confirmed_batch(batch_id)


@shared_task(name="tongban.catalog.flush_view_counts")
def flush_view_counts() -> int:
    """Add the guide views counted in the cache to the items (the hot-items list)."""
    return actions.flush_view_counts()
