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


@shared_task(name="tongban.cases.instant_approval")
def instant_approval(application_id: int) -> str:
    """智能秒批 of one submitted application (idempotent: a second run does nothing)."""
    from tongban.cases import instant

    decision = instant.process(application_id)
    return decision.outcome if decision else ""


def on_submitted(event) -> None:
    """application.submitted, after commit: queue the 秒批 check when the item has it switched on
    (the citizen's request only pays for this lookup; the sweep catches a lost message)."""
    from tongban.cases import instant

    if instant.is_enabled(event.service_item_id):
        instant_approval.delay(event.application_id)


@shared_task(name="tongban.cases.sweep_instant_approvals")
def sweep_instant_approvals() -> int:
    """Every minute: submissions of 秒批 items still unchecked after a grace period (a queued
    message lost between the commit and the broker) are checked now."""
    import datetime

    from django.utils import timezone

    from tongban.applications.models import Application
    from tongban.applications.states import Status
    from tongban.cases.models import InstantApprovalConfig

    items = InstantApprovalConfig.objects.filter(enabled=True).values("service_item_id")
    waiting = Application.objects.filter(
        status=Status.SUBMITTED,
        service_item_id__in=items,
        instant_decision__isnull=True,
        received_at__lte=timezone.now() - datetime.timedelta(minutes=1),
    ).values_list("pk", flat=True)[:100]
    count = 0
    for application_id in list(waiting):
        instant_approval(application_id)
        count += 1
    return count
