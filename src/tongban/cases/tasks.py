import logging

from celery import shared_task

from tongban.cases import actions

log = logging.getLogger(__name__)


@shared_task(name="tongban.cases.apply_deemed_acceptance")
def apply_deemed_acceptance() -> int:
    numbers = actions.apply_deemed_acceptance()
    if numbers:
        log.info("deemed acceptance applied to %s applications", len(numbers))
    return len(numbers)


@shared_task(name="tongban.cases.close_unanswered_corrections")
def close_unanswered_corrections() -> int:
    numbers = actions.close_unanswered_corrections()
    if numbers:
        log.info("%s applications closed: correction not answered in time", len(numbers))
    return len(numbers)


@shared_task(name="tongban.cases.raise_warnings")
def raise_warnings() -> dict:
    return actions.raise_warnings()


@shared_task(name="tongban.cases.enforce_deferred_materials")
def enforce_deferred_materials() -> dict:
    from tongban.cases import commitments

    return commitments.enforce_deferred()


@shared_task(name="tongban.cases.follow_calendar")
def follow_calendar(reason: str = "") -> dict:
    """After a calendar correction (queued after commit) and nightly as a safety net."""
    from tongban.cases import calendar_sync

    counts = calendar_sync.follow_calendar(reason=reason)
    log.info("calendar correction: %(checked)s open cases checked, %(moved)s moved", counts)
    return counts


def on_calendar_corrected(event) -> None:
    """calendar.corrected, after commit: queue the recount (a failure to queue is retried by
    core.events, and the nightly run catches up in any case)."""
    from tongban.cases import calendar_sync

    dates = [d for d in event.dates.split(",") if d]
    years = [int(y) for y in event.years.split(",") if y]
    follow_calendar.delay(calendar_sync.describe(dates, years))
