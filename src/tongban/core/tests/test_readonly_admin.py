"""Ledgers (audit log, history, deliveries, 用证记录 …) are read-only in the admin, through the one
shared core.admin.ReadOnlyMixin: listed and viewed, never added, changed or deleted there."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tongban.accounts.models import User
from tongban.core.admin import ReadOnlyMixin

LEDGERS = [
    "core.AuditRecord",
    "core.AuditChainHead",
    "applications.StatusChange",
    "applications.TimelineEvent",
    "applications.Receipt",
    "cases.Case",
    "cases.CorrectionNotice",
    "credit.CreditRecord",
    "licences.LicenceUse",
    "licences.ReminderSent",
    "notify.Notification",
    "notify.Delivery",
    "ratings.Rating",
    "ratings.BadRatingCase",
    "seals.SealUse",
    "seals.IssuedDocument",
    "workflow.WorkflowInstance",
]


def test_every_ledger_admin_uses_the_shared_read_only_mixin():
    plain = [
        label
        for label in LEDGERS
        if not isinstance(admin.site._registry[apps.get_model(label)], ReadOnlyMixin)
    ]
    assert plain == []


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["licences.LicenceUse", "licences.ReminderSent"])
def test_licence_ledgers_cannot_be_added_or_deleted_in_the_admin(client, label):
    client.force_login(User.objects.create_superuser("rootadmin", "Tongban2026"))
    meta = apps.get_model(label)._meta
    prefix = f"admin:{meta.app_label}_{meta.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    assert client.get(reverse(f"{prefix}_add")).status_code == 403
    assert client.post(reverse(f"{prefix}_add"), {}).status_code == 403
