import logging

from celery import shared_task

from tongban.core import audit, events

log = logging.getLogger(__name__)


@shared_task
def verify_audit_chain() -> dict:
    """Nightly: walk the audit chain; a break is logged as an error for the operators' alerting."""
    report = audit.verify_chain()
    if report.intact:
        log.info("audit chain intact: %s records", report.checked)
    else:
        log.error("audit chain broken at record %s: %s", report.first_broken, report.problem)
    return {"checked": report.checked, "first_broken": report.first_broken}


@shared_task(bind=True, max_retries=events.MAX_RETRIES, acks_late=True)
def run_event_handler(self, handler_path: str, event_name: str, payload: dict) -> None:
    """Retry an after-commit domain-event handler that failed (core.events), with growing pauses."""
    try:
        events.run_handler(handler_path, event_name, payload)
    except events.EventError:
        raise  # a programming error: retrying cannot fix it
    except Exception as error:
        log.warning("event %s: handler %s failed again: %s", event_name, handler_path, error)
        raise self.retry(
            exc=error, countdown=events.retry_delay(self.request.retries + 2)
        ) from error
