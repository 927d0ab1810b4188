import logging

from celery import shared_task

from tongban.supervision import monitor, reports, summary

log = logging.getLogger(__name__)


@shared_task(name="tongban.supervision.fold")
def fold() -> int:
    return summary.fold()


@shared_task(name="tongban.supervision.monitor")
def run_monitor() -> dict:
    return monitor.run()


@shared_task(name="tongban.supervision.monthly_reports")
def monthly_reports() -> int:
    made = reports.make_last_month()
    log.info("supervision monthly reports made: %s", len(made))
    return len(made)
