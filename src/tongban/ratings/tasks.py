from celery import shared_task

from tongban.ratings import actions


@shared_task(name="tongban.ratings.raise_rectification_warnings")
def raise_rectification_warnings() -> dict:
    return actions.raise_rectification_warnings()
