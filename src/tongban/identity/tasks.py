from celery import shared_task

from tongban.identity import backchannel


@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def send_logout(*, application_id: int, sid: str, user_id: int, iss: str) -> bool:
    """Tell one department system that a person's session ended (back-channel logout)."""
    return backchannel.send(application_id=application_id, sid=sid, user_id=user_id, iss=iss)
