from celery import shared_task

from tongban.workorders.actions import handling


@shared_task(name="tongban.workorders.refresh_warnings")
def refresh_warnings() -> int:
    return handling.refresh_warnings()
