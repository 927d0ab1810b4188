from celery import shared_task

from tongban.exchange.actions import calllog, subscriptions


@shared_task(name="tongban.exchange.seal_call_log", acks_late=True)
def seal_call_log() -> int:
    """Seal the call records written since the last run into signed checkpoints."""
    return calllog.seal_all()


@shared_task(name="tongban.exchange.deliver_subscriptions", acks_late=True)
def deliver_subscriptions() -> int:
    """Produce the scheduled bulk extracts of every active subscription (full or incremental)."""
    return subscriptions.produce_due()
