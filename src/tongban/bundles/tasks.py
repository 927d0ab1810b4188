from celery import shared_task

from tongban.bundles.actions import joint


@shared_task(name="tongban.bundles.raise_warnings")
def raise_warnings() -> dict:
    return joint.raise_warnings()
