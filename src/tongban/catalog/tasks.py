from celery import shared_task

from tongban.catalog import excel


@shared_task(acks_late=True)
def apply_import_batch(batch_id: int) -> None:
    """Apply a confirmed catalogue workbook in one transaction (see catalog.excel)."""
    excel.run_confirmed_batch(batch_id)
