"""Delivering: claim a due delivery under a lease, send it, record the outcome (through the
delivery's state machine, notify.states.DELIVERY), retry with back-off, give up, resend."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tongban.core import audit, plugins
from tongban.core.logging import redact
from tongban.notify import conf, policy
from tongban.notify.actions.channels import CHANNELS
from tongban.notify.actions.common import (
    DEFAULT_RETRY_MINUTES,
    PICKUP_GRACE,
    SEND_LEASE,
    SkipChannel,
    Status,
)
from tongban.notify.actions.sending import enqueue_on_commit
from tongban.notify.audit_actions import AuditAction
from tongban.notify.models import (
    Channel,
    Delivery,
)
from tongban.notify.plugins import DeliveryError
from tongban.notify.states import DELIVERY, SYSTEM

log = logging.getLogger(__name__)


# --- deliver -------------------------------------------------------------------------------------
def max_attempts() -> int:
    return conf.max_attempts()


def retry_delay(attempts: int) -> datetime.timedelta:
    """Wait after the `attempts`-th failure: 1, 5, 30, 120 … minutes, the last value repeating."""
    minutes = conf.retry_minutes() or list(DEFAULT_RETRY_MINUTES)
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
        DELIVERY.check(delivery.status, Status.SENDING, SYSTEM)
        delivery.status = Status.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now + SEND_LEASE
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return delivery


def _give_up(delivery: Delivery, error: str) -> None:
    DELIVERY.check(delivery.status, Status.GIVEN_UP, SYSTEM)
    delivery.status, delivery.next_attempt_at, delivery.last_error = Status.GIVEN_UP, None, error
    delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
    audit.record(
        AuditAction.GIVEN_UP,
        obj=delivery,
        detail={"channel": delivery.channel, "attempts": delivery.attempts, "error": error[:200]},
    )
    log.warning("delivery %s (%s) given up: %s", delivery.pk, delivery.channel, error)


def _record(delivery: Delivery, **changes) -> bool:
    """Write the outcome unless another worker has taken the delivery over meanwhile."""
    if "status" in changes:
        DELIVERY.check(Status.SENDING, changes["status"], SYSTEM)
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
    policy.require_resend(actor)
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
        AuditAction.RESEND,
        actor=actor,
        obj=copy,
        detail={"original": original.pk, "channel": original.channel},
    )
    enqueue_on_commit(copy.pk)
    return copy
