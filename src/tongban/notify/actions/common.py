"""What the notification service modules share: the delivery statuses, retry limits and errors."""

import datetime

from tongban.notify.models import (
    Channel,
    Delivery,
)

Status = Delivery.Status

# A claimed delivery ("sending") whose worker has not reported back within this time is presumed
# dead and is picked up again by the sweeper.
SEND_LEASE = datetime.timedelta(minutes=5)
# A pending delivery normally goes out at once through its own task; the sweeper only takes it
# after this grace period, so the two rarely race (and a race is harmless: claiming is locked).
PICKUP_GRACE = datetime.timedelta(minutes=2)
DEFAULT_RETRY_MINUTES = (1, 5, 30, 120)
DEFAULT_MAX_ATTEMPTS = 6


class TemplateNotFound(LookupError):
    """No active message template for the code (or for a requested channel)."""


class SkipChannel(Exception):
    """The recipient cannot be reached on this channel (no phone, no e-mail): not an error."""


def _unreachable(recipient, channel: str) -> str:
    if recipient is None:
        return ""  # a delivery to a number: the number is on the delivery
    if channel == Channel.SMS and not recipient.phone:
        return "用户未登记手机号码，不发送短信"
    if channel == Channel.EMAIL and not recipient.email:
        return "用户未登记电子邮箱，不发送邮件"
    if not recipient.is_active:
        return "用户账户已停用，不发送"
    return ""


# --- channels ------------------------------------------------------------------------------------
def _inbox_fields(delivery: Delivery) -> dict:
    notification = delivery.notification
    return {
        "recipient_id": notification.recipient_id,
        "title": delivery.subject or notification.subject,
        "body": delivery.body,
        "link": notification.link,
    }
