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
