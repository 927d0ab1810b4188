from celery import shared_task

from tongban.licences import actions


@shared_task(name="tongban.licences.expire_due")
def expire_due() -> int:
    return actions.expire_due()


@shared_task(name="tongban.licences.send_expiry_reminders")
def send_expiry_reminders() -> dict:
    return actions.send_expiry_reminders()
