"""The channels a delivery goes out on: SMS and e-mail through their plugins, in-app into the inbox."""

import html
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.utils.html import linebreaks, strip_tags

from tongban.core import plugins
from tongban.notify.actions.common import SkipChannel, _inbox_fields, _unreachable
from tongban.notify.actions.inbox import inbox_changed
from tongban.notify.models import (
    Channel,
    Delivery,
    InboxMessage,
)


def _write_inbox(delivery: Delivery) -> InboxMessage:
    """The delivery's inbox message, written once however often the delivery is retried."""
    message, created = InboxMessage.objects.get_or_create(
        delivery=delivery, defaults=_inbox_fields(delivery)
    )
    if created:
        inbox_changed(message.recipient_id)
    return message


def _send_sms(delivery: Delivery) -> tuple[str, str]:
    recipient = delivery.recipient
    reason = "" if delivery.to_phone else _unreachable(recipient, Channel.SMS)
    if reason:
        raise SkipChannel(reason)
    gateway = plugins.get_plugin("sms")
    message_id = gateway.send_sms(
        delivery.to_phone or recipient.phone,
        delivery.secret_body or delivery.body,
        reference=f"delivery-{delivery.pk}",
    )
    return f"sms:{gateway.name}", str(message_id or "")


def _send_email(delivery: Delivery) -> tuple[str, str]:
    recipient = delivery.recipient
    reason = _unreachable(recipient, Channel.EMAIL)
    if reason:
        raise SkipChannel(reason)
    message_id = make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "tongban")
    text = html.unescape(strip_tags(delivery.body))
    message = EmailMultiAlternatives(
        subject=delivery.subject or delivery.notification.subject,
        body=text,
        to=[recipient.email],
        headers={"Message-ID": message_id},
    )
    message.attach_alternative(linebreaks(delivery.body), "text/html")  # body is escaped already
    message.send(fail_silently=False)
    return "email", message_id


def _send_inapp(delivery: Delivery) -> tuple[str, str]:
    return "inbox", str(_write_inbox(delivery).pk)


CHANNELS = {Channel.SMS: _send_sms, Channel.EMAIL: _send_email, Channel.INAPP: _send_inapp}
