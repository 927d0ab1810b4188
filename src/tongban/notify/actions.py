"""The notify service layer: send, deliver, retry, resend, mark read.

Flow: `send()` renders the templates and writes a Notification with one Delivery per channel inside
the caller's transaction; in-app messages are written to the inbox at once (same transaction), SMS and
e-mail deliveries are handed to a Celery task with `transaction.on_commit`, so a rolled-back business
change sends nothing. `deliver()` claims a due delivery (row lock, status "sending" with a lease),
calls the channel outside any transaction, then records the outcome: sent, failed with the next
attempt time (backoff from settings.NOTIFY_RETRY_MINUTES), or given up after NOTIFY_MAX_ATTEMPTS.
`due_delivery_ids()` feeds the every-minute sweeper (tasks.retry_due_deliveries): failed deliveries
that are due, pending ones whose task never ran, and claims whose worker died mid-send.
"""

import datetime
import html
import logging
import time
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import transaction
from django.db.models import Q
from django.template import engines
from django.utils import timezone
from django.utils.html import linebreaks, strip_tags

from tongban.core import audit, pii, plugins
from tongban.core.logging import redact
from tongban.notify.models import (
    Channel,
    Delivery,
    InboxMessage,
    MessageTemplate,
    Notification,
)
from tongban.notify.plugins import DeliveryError

log = logging.getLogger(__name__)
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


# --- deliver -------------------------------------------------------------------------------------
def max_attempts() -> int:
    return max(1, getattr(settings, "NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> datetime.timedelta:
    """Wait after the `attempts`-th failure: 1, 5, 30, 120 … minutes, the last value repeating."""
    minutes = list(getattr(settings, "NOTIFY_RETRY_MINUTES", None) or DEFAULT_RETRY_MINUTES)
    return datetime.timedelta(minutes=minutes[min(attempts, len(minutes)) - 1])


def _is_due(delivery: Delivery, now) -> bool:
    if delivery.status not in (Status.PENDING, Status.FAILED, Status.SENDING):
        return False
    return delivery.next_attempt_at is None or delivery.next_attempt_at <= now


def _claim(delivery_id: int) -> Delivery | None:
    """Lock the row; if due, mark it "sending" under a lease and count the attempt."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or not _is_due(delivery, now):
            return None
        if delivery.status == Status.SENDING and delivery.attempts >= max_attempts():
            # The last allowed attempt's worker died: nothing left to try.
            _give_up(delivery, "发送过程中断（工作进程退出）")
            return None
        delivery.status = Status.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now + SEND_LEASE
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return delivery


def _give_up(delivery: Delivery, error: str) -> None:
    delivery.status, delivery.next_attempt_at, delivery.last_error = Status.GIVEN_UP, None, error
    delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
    audit.record(
        "notify.given_up",
        obj=delivery,
        detail={"channel": delivery.channel, "attempts": delivery.attempts, "error": error[:200]},
    )
    log.warning("delivery %s (%s) given up: %s", delivery.pk, delivery.channel, error)


def _record(delivery: Delivery, **changes) -> bool:
    """Write the outcome unless another worker has taken the delivery over meanwhile."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, attempts=delivery.attempts
    ).update(**changes)
    for name, value in changes.items():
        setattr(delivery, name, value)
    return bool(updated)


def deliver(delivery_id: int) -> Delivery | None:
    """Send one delivery if it is due. Safe to call any number of times: a delivery that is sent,
    given up, not yet due or being sent by another worker is left alone. Returns the row as it is
    afterwards (None if it does not exist)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return Delivery.objects.filter(pk=delivery_id).first()
    try:
        provider, message_id = CHANNELS[delivery.channel](delivery)
    except SkipChannel as exc:
        _record(delivery, status=Status.SKIPPED, last_error=str(exc), next_attempt_at=None)
    except Exception as exc:
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        if not isinstance(exc, (DeliveryError, plugins.PluginError)):
            log.exception("delivery %s failed unexpectedly", delivery.pk)
        error = redact(f"{type(exc).__name__}: {exc}")[:1000]
        with transaction.atomic():
            if permanent or delivery.attempts >= max_attempts():
                if _record(delivery, last_error=error):
                    _give_up(delivery, error)
            else:
                _record(
                    delivery,
                    status=Status.FAILED,
                    last_error=error,
                    next_attempt_at=timezone.now() + retry_delay(delivery.attempts),
                )
    else:
        _record(
            delivery,
            status=Status.SENT,
            sent_at=timezone.now(),
            provider=provider,
            provider_message_id=message_id[:100],
            next_attempt_at=None,
            last_error="",
        )
    _forget_secret(delivery)
    return delivery


def _forget_secret(delivery: Delivery) -> None:
    """A secret text is kept only while the delivery may still be sent."""
    if delivery.secret_body and delivery.status in (Status.SENT, Status.GIVEN_UP, Status.SKIPPED):
        Delivery.objects.filter(pk=delivery.pk).update(secret_body="")
        delivery.secret_body = ""


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Deliveries the sweeper should hand to workers now, oldest due first."""
    now = timezone.now()
    due = Q(status__in=[Status.FAILED, Status.SENDING], next_attempt_at__lte=now) | Q(
        status=Status.PENDING, next_attempt_at__lte=now - PICKUP_GRACE
    )
    return list(
        Delivery.objects.filter(due)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- admin and inbox actions ---------------------------------------------------------------------
@transaction.atomic
def resend(delivery_id: int, actor=None) -> Delivery:
    """Send a delivery's text again as a new delivery (the original keeps its history)."""
    original = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("notification")
        .filter(pk=delivery_id)
        .first()
    )
    if original is None:
        raise ValidationError("未找到该发送记录")
    if original.status in (Status.PENDING, Status.SENDING):
        raise ValidationError("该消息正在发送中，无需重发")
    if original.channel == Channel.INAPP and original.status == Status.SENT:
        raise ValidationError("站内消息已在消息中心，无需重发")
    if original.is_secret:
        raise ValidationError("验证码短信不能重发，请申请人重新获取验证码")
    copy = Delivery.objects.create(
        notification=original.notification,
        channel=original.channel,
        subject=original.subject,
        body=original.body,
        to_phone=original.to_phone,
        to_phone_masked=original.to_phone_masked,
        next_attempt_at=timezone.now(),
        resent_from=original,
    )
    audit.record(
        "notify.resend",
        actor=actor,
        obj=copy,
        detail={"original": original.pk, "channel": original.channel},
    )
    enqueue_on_commit(copy.pk)
    return copy


def mark_read(user, message_id: int) -> InboxMessage:
    """Mark one of `user`'s inbox messages read; InboxMessage.DoesNotExist if it is not theirs."""
    message = InboxMessage.objects.get(pk=message_id, recipient=user)
    if message.read_at is None:
        message.read_at = timezone.now()
        InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(
            read_at=message.read_at
        )
        inbox_changed(user.pk)
    return message


def mark_all_read(user) -> int:
    marked = InboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        inbox_changed(user.pk)
    return marked


# --- the unread count in the header ----------------------------------------------------------------
# Every signed-in page shows it. With a shared cache (Redis) the count is kept under the version
# of the user's inbox, which every change to the inbox renews once it has committed, so a count
# made before a change is never read after it, whatever the order of the two. (The embedded
# database cache would cost a query per read, as much as counting: there the count is made.)
UNREAD_SECONDS = 24 * 3600


def _count_is_shared() -> bool:
    return not isinstance(caches[DEFAULT_CACHE_ALIAS], DatabaseCache)


def _unread_keys(user_id: int) -> tuple[str, str]:
    return f"notify:inbox-version:{user_id}", f"notify:unread:{user_id}"


def inbox_changed(user_id: int) -> None:
    """Renew the user's inbox version when the current transaction commits (now, outside one)."""
    if _count_is_shared():
        # robust: the change has committed; a cache that cannot be reached must not undo the
        # answer to the person who made it (the failure is logged).
        transaction.on_commit(partial(_renew_inbox_version, user_id), robust=True)


def _renew_inbox_version(user_id: int) -> None:
    version_key, _ = _unread_keys(user_id)
    try:
        cache.incr(version_key)
    except ValueError:  # no version yet (or evicted): any fresh value will do
        cache.set(version_key, time.time_ns(), UNREAD_SECONDS)


def unread_count(user) -> int:
    if not _count_is_shared():
        return _count_unread(user.pk)
    version_key, count_key = _unread_keys(user.pk)
    kept = cache.get_many([version_key, count_key])  # one round trip
    version = kept.get(version_key)
    if version is not None and kept.get(count_key, (None, 0))[0] == version:
        return kept[count_key][1]
    if version is None:
        # A fresh value, never one an evicted version had: counts kept under that are not reused.
        cache.add(version_key, time.time_ns(), UNREAD_SECONDS)
        version = cache.get(version_key)
    count = _count_unread(user.pk)
    cache.set(count_key, (version, count), UNREAD_SECONDS)
    return count


def _count_unread(user_id: int) -> int:
    return InboxMessage.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
