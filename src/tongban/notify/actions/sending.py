"""Sending a message: render the templates, write the notification and one delivery per
channel, and queue the deliveries after commit."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template import engines
from django.utils import timezone

from tongban.core import pii
from tongban.notify.actions.common import Status, TemplateNotFound, _inbox_fields, _unreachable
from tongban.notify.actions.inbox import inbox_changed
from tongban.notify.models import (
    Channel,
    Delivery,
    InboxMessage,
    MessageTemplate,
    Notification,
)

log = logging.getLogger(__name__)


# --- rendering -----------------------------------------------------------------------------------
def _render(text: str, context: dict, *, escape: bool) -> str:
    source = text if escape else "{% autoescape off %}" + text + "{% endautoescape %}"
    return engines["django"].from_string(source).render(context).strip()


def render(template: MessageTemplate, context: dict) -> tuple[str, str]:
    """(subject, body). Subjects are plain text. Bodies are plain text for SMS; for e-mail and
    in-app they are HTML-escaped (values from the context cannot inject markup)."""
    escape = template.channel != Channel.SMS
    return (
        _render(template.subject, context, escape=False),
        _render(template.body, context, escape=escape),
    )


def _templates(template_code: str, channels) -> dict[str, MessageTemplate]:
    found = {
        t.channel: t for t in MessageTemplate.objects.filter(code=template_code, is_active=True)
    }
    if not found:
        raise TemplateNotFound(f"消息模板 {template_code!r} 不存在或未启用")
    if channels is None:
        return found
    missing = [c for c in channels if c not in found]
    if missing:
        raise TemplateNotFound(f"消息模板 {template_code!r} 没有启用以下渠道：{'、'.join(missing)}")
    return {c: found[c] for c in channels}


# --- send ----------------------------------------------------------------------------------------
def send(
    recipient,
    template_code: str,
    context: dict | None = None,
    *,
    channels: list[str] | None = None,
    related=None,
    link: str = "",
) -> Notification:
    """Tell `recipient` something, on every channel the template has (or only `channels`).

    Call inside the business transaction. `related` is the model instance the message is about;
    `link` a site-relative path ("/cases/12/") shown in the inbox and offered to templates as
    {{ link }} (absolute). Templates also get {{ recipient_name }} (masked) and {{ platform_name }}.
    """
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError("link 必须是以 / 开头的站内路径")
    templates = _templates(template_code, channels)
    full_context = {
        **(context or {}),
        "recipient_name": recipient.masked_name,
        "platform_name": settings.PLATFORM_NAME,
        "link": settings.SITE_URL.rstrip("/") + link if link else "",
    }
    rendered = {channel: render(t, full_context) for channel, t in templates.items()}
    now = timezone.now()
    # No savepoint inside the caller's transaction: a message that cannot be written fails the
    # change it belongs to.
    with transaction.atomic(savepoint=False):
        titles = [rendered[c][0] for c in (Channel.INAPP, Channel.EMAIL) if c in rendered]
        title = next((t for t in titles if t), "") or next(iter(templates.values())).name
        notification = Notification.objects.create(
            recipient=recipient,
            template_code=template_code,
            subject=title[:200],
            link=link,
            related_type=related._meta.label_lower if related is not None else "",
            related_id=str(related.pk) if related is not None else "",
        )
        deliveries = [
            _delivery(notification, recipient, channel, subject, body, now)
            for channel, (subject, body) in rendered.items()
        ]
        Delivery.objects.bulk_create(deliveries)  # one statement for every channel
        for delivery in deliveries:
            if delivery.channel == Channel.INAPP and delivery.status == Status.SENT:
                InboxMessage.objects.create(delivery=delivery, **_inbox_fields(delivery))
                inbox_changed(recipient.pk)
            elif delivery.status == Status.PENDING:
                enqueue_on_commit(delivery.pk)
    return notification


def _delivery(notification, recipient, channel: str, subject: str, body: str, now) -> Delivery:
    delivery = Delivery(
        notification=notification,
        channel=channel,
        subject=subject[:200],
        body=body,
        next_attempt_at=now,
    )
    reason = _unreachable(recipient, channel)
    if reason:
        delivery.status, delivery.last_error, delivery.next_attempt_at = (
            Status.SKIPPED,
            reason,
            None,
        )
    elif channel == Channel.INAPP:
        # Just a row in our own database: written now, committed or rolled back with the caller's
        # change, visible the moment the transaction commits.
        delivery.status, delivery.attempts, delivery.sent_at = Status.SENT, 1, now
        delivery.provider, delivery.next_attempt_at = "inbox", None
    return delivery


def enqueue_on_commit(delivery_id: int) -> None:
    transaction.on_commit(partial(_enqueue, delivery_id))


def _enqueue(delivery_id: int) -> None:
    from tongban.notify.tasks import deliver as deliver_task

    try:
        deliver_task.delay(delivery_id)
    except Exception:
        # The broker is unreachable: the business change is committed all the same, and the
        # sweeper sends the delivery once the broker is back.
        log.warning("could not enqueue delivery %s; the sweeper will retry it", delivery_id)


def send_sms_to_phone(
    phone: str,
    text: str,
    *,
    code: str,
    recipient=None,
    related=None,
    secret: bool = False,
    masked_text: str = "",
) -> Delivery:
    """Text one phone number through the SMS channel's normal delivery (logged, retried), for
    people the platform reaches by number: hall visitors without an account, a reply to an SMS,
    a verification code. Call inside the business transaction; it goes out after commit.

    With `secret`, the text is kept encrypted only until the delivery is finished, and the log
    shows `masked_text` instead."""
    phone = pii.normalise(phone)
    if not phone:
        raise ValueError("没有手机号码")
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        notification = Notification.objects.create(
            recipient=recipient,
            template_code=code,
            subject=(masked_text if secret else text)[:200],
            related_type=related._meta.label_lower if related is not None else "",
            related_id=str(related.pk) if related is not None else "",
        )
        delivery = Delivery.objects.create(
            notification=notification,
            channel=Channel.SMS,
            body=masked_text if secret else text,
            secret_body=text if secret else "",
            is_secret=secret,
            to_phone=phone,
            to_phone_masked=pii.mask_phone(phone),
            next_attempt_at=now,
        )
    enqueue_on_commit(delivery.pk)
    return delivery
