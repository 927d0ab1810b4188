"""Policies in the admin: read-only. Policies are written, published and paid on the staff pages
(/workbench/policies/) through the service layer; account numbers are never listed."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyMixin, register_read_only
from tongban.policies import models as policies_models
from tongban.policies.models import (
    MatchRun,
    Objection,
    PaymentBatch,
    Policy,
    PolicyEvent,
    PolicyVersion,
)


@admin.register(Policy)
class PolicyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "department", "target", "delivery", "cycle", "status"]
    list_filter = ["status", "target", "delivery"]
    search_fields = ["code", "name", "document_number"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["policy", "number", "published_at", "published_by"]


@admin.register(PolicyEvent)
class PolicyEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "policy", "from_status", "to_status", "actor", "note"]


@admin.register(MatchRun)
class MatchRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "status",
        "as_of",
        "partitions_done",
        "partitions",
        "subjects",
        "newly_eligible",
        "no_longer_eligible",
        "amount_changed",
        "started_at",
    ]
    list_filter = ["kind", "status"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "policy", "cycle", "status", "line_count", "total", "created_at"]
    exclude = ["cover_sheet"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["policy", "kind", "status", "due_date", "created_at"]
    list_filter = ["status", "kind"]


# Written only through the service layer: read here, changed there.
register_read_only(
    policies_models.SubjectSnapshot,
    policies_models.Match,
    policies_models.MatchChange,
    policies_models.BankAccount,
    policies_models.PaymentLine,
    policies_models.Reconciliation,
)
