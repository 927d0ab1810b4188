from celery import shared_task

from tongban.exchange.actions import calllog


@shared_task(name="tongban.exchange.seal_call_log", acks_late=True)
def seal_call_log() -> int:
    """Seal the call records written since the last run into signed checkpoints."""
    return calllog.seal_all()
