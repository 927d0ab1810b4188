"""Scheduled jobs: licences past their end date expire (in batches), and holders are reminded
before the end date (once per licence and reminder day)."""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from tongban.core import audit
from tongban.licences import states
from tongban.licences.audit_actions import AuditAction
from tongban.licences.models import (
    Licence,
    LicenceStatusChange,
    LicenceType,
    ReminderSent,
)

# --- scheduled jobs -----------------------------------------------------------------------------------


def expire_due(today: datetime.date | None = None, batch: int = 500) -> int:
    """Mark valid licences past their end date expired (in batches; one audit record a batch)."""
    # the one move made in bulk: the table must allow the system to make it
    states.LICENCE.check(Licence.Status.VALID, Licence.Status.EXPIRED, states.SYSTEM)
    today = today or timezone.localdate()
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Licence.objects.select_for_update()
                .filter(status=Licence.Status.VALID, valid_until__lt=today)
                .order_by("pk")
                .values_list("pk", "identifier")[:batch]
            )
            if not rows:
                return done
            now = timezone.now()
            Licence.objects.filter(pk__in=[pk for pk, _ in rows]).update(
                status=Licence.Status.EXPIRED, status_changed_at=now, status_reason="有效期届满"
            )
            LicenceStatusChange.objects.bulk_create(
                LicenceStatusChange(
                    licence_id=pk,
                    from_status=Licence.Status.VALID,
                    to_status=Licence.Status.EXPIRED,
                    reason="有效期届满",
                    changed_at=now,
                )
                for pk, _ in rows
            )
            audit.record(
                AuditAction.EXPIRE,
                object_type="licences.licence",
                detail={"count": len(rows), "identifiers": [i for _, i in rows][:50]},
            )
        done += len(rows)


def _renewal_link(licence: Licence) -> str:
    item = licence.licence_type.renewal_item
    if item is not None:
        return reverse("catalog:guide", args=[item.implementation_code])
    return reverse("licences:detail", args=[licence.pk])


def send_expiry_reminders(today: datetime.date | None = None, limit: int = 5000) -> dict:
    """Tell holders before expiry. Per licence and lead time at most one reminder; when several
    lead times apply (e.g. the job did not run), only the nearest one is sent."""
    from tongban.notify import actions as notify

    today = today or timezone.localdate()
    sent = skipped = 0
    horizon = max(
        (max(t.reminder_day_list, default=0) for t in LicenceType.objects.filter(is_active=True)),
        default=0,
    )
    if not horizon:
        return {"sent": 0, "skipped": 0}
    candidates = (
        Licence.objects.filter(
            status=Licence.Status.VALID,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=horizon),
        )
        .select_related("licence_type__renewal_item", "owner")
        .order_by("valid_until", "pk")[:limit]
    )
    for licence in candidates:
        days_left = (licence.valid_until - today).days
        due = [d for d in licence.licence_type.reminder_day_list if d >= days_left]
        if not due:
            continue
        days_before = min(due)
        if licence.owner is None:
            skipped += 1
            continue
        with transaction.atomic():
            _, created = ReminderSent.objects.get_or_create(
                licence=licence, days_before=days_before
            )
            if not created:
                continue
            notify.send(
                licence.owner,
                "licence.expiring",
                {
                    "licence_name": licence.licence_type.name,
                    "expiry_date": f"{licence.valid_until:%Y年%m月%d日}",
                },
                related=licence,
                link=_renewal_link(licence),
            )
            audit.record(
                AuditAction.REMIND,
                obj=licence,
                detail={"days_before": days_before, "days_left": days_left},
            )
        sent += 1
    return {"sent": sent, "skipped": skipped}


def reminder_statistics() -> dict:
    """Reminders sent, and how many were followed by a renewal (延续 version after the reminder)."""
    renewed = Licence.objects.filter(
        previous=OuterRef("licence"), change_kind="renew", created_at__gte=OuterRef("sent_at")
    )
    reminders = ReminderSent.objects.annotate(renewed=Exists(renewed))
    return {
        "reminders": reminders.count(),
        "renewals": reminders.filter(renewed=True).values("licence").distinct().count(),
    }
