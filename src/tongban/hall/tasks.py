from celery import shared_task

from tongban.hall.actions import booking


@shared_task(name="tongban.hall.send_reminders")
def send_reminders() -> int:
    return booking.send_reminders()


@shared_task(name="tongban.hall.mark_no_shows")
def mark_no_shows() -> int:
    return booking.mark_no_shows()
