"""Celery tasks. acks_late is on (settings): a task a dead worker held is delivered again, and the
every-minute sweeper picks up whatever is still due, so a delivery is never lost."""

import logging

from celery import shared_task

from tongban.notify import actions

log = logging.getLogger(__name__)


@shared_task
def deliver(delivery_id: int) -> str | None:
    delivery = actions.deliver(delivery_id)
    return delivery.status if delivery else None


@shared_task
def retry_due_deliveries() -> int:
    """Beat, every minute: hand every due delivery (failed and due, pending but never picked up,
    claimed by a worker that died) to a worker."""
    ids = actions.due_delivery_ids()
    for delivery_id in ids:
        actions._enqueue(delivery_id)
    if ids:
        log.info("re-enqueued %s due deliveries", len(ids))
    return len(ids)
