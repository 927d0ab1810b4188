"""Admin: read-only views of the exchange. Changes go through the staff pages and exchange.actions
(the admin would bypass history, audit and the transition tables)."""

from django.contrib import admin

from tongban.exchange import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Resource)
class ResourceAdmin(ReadOnly):
    list_display = ["code", "current_version", "department"]
    list_select_related = ["current_version", "department"]
    search_fields = ["code", "versions__name"]


@admin.register(models.Consumer)
class ConsumerAdmin(ReadOnly):
    list_display = ["code", "name", "kind", "department", "rate_limit_per_minute", "active"]


@admin.register(models.Grant)
class GrantAdmin(ReadOnly):
    list_display = ["consumer", "resource", "purpose", "valid_until", "revoked_at"]
    list_select_related = ["consumer", "resource__current_version"]


@admin.register(models.AccessRequest)
class AccessRequestAdmin(ReadOnly):
    list_display = ["consumer", "resource", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["consumer", "resource__current_version"]


@admin.register(models.CallRecord)
class CallRecordAdmin(ReadOnly):
    list_display = ["occurred_at", "consumer_name", "resource_code", "outcome", "latency_ms"]
    list_filter = ["outcome", "kind"]
    exclude = ["subject_index"]


@admin.register(models.Checkpoint)
class CheckpointAdmin(ReadOnly):
    list_display = ["number", "sealed_at", "record_count", "first_record", "last_record"]
    exclude = ["leaves"]


@admin.register(models.ResourceClass)
class ResourceClassAdmin(ReadOnly):
    list_display = ["code", "name", "parent"]
    list_select_related = ["parent"]


@admin.register(models.ResourceVersion)
class ResourceVersionAdmin(ReadOnly):
    list_display = ["resource", "number", "name", "status", "share_condition"]
    list_select_related = ["resource__current_version"]
    list_filter = ["status", "share_condition"]


@admin.register(models.DataItem)
class DataItemAdmin(ReadOnly):
    list_display = ["code", "name", "item_type", "sensitivity", "personal", "version"]
    list_select_related = ["version"]


@admin.register(models.ResourceChange)
class ResourceChangeAdmin(ReadOnly):
    list_display = ["resource", "version", "from_status", "to_status", "at"]
    list_select_related = ["resource__current_version", "version"]


@admin.register(models.AccessRequestChange)
class AccessRequestChangeAdmin(ReadOnly):
    list_display = ["request", "from_status", "to_status", "at"]
    list_select_related = ["request__consumer", "request__resource__current_version"]


@admin.register(models.LocalRecord)
class LocalRecordAdmin(ReadOnly):
    list_display = ["resource", "load"]
    list_select_related = ["resource__current_version", "load"]
    exclude = ["data", "subject_index"]


@admin.register(models.BulkLoad)
class BulkLoadAdmin(ReadOnly):
    list_display = ["file_name", "resource", "status", "declared_rows", "loaded_rows", "created_at"]
    list_select_related = ["resource__current_version"]


@admin.register(models.MaterialSubstitute)
class MaterialSubstituteAdmin(ReadOnly):
    list_display = ["material_name", "resource"]
    list_select_related = ["resource__current_version"]


@admin.register(models.MaterialVerification)
class MaterialVerificationAdmin(ReadOnly):
    list_display = ["material", "provider_label", "case_ref", "verified_at", "released_at"]
    list_select_related = ["material"]
    exclude = ["values"]


@admin.register(models.Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ["consumer", "resource", "file_format", "active", "created_at"]
    list_select_related = ["consumer", "resource__current_version"]


@admin.register(models.Extract)
class ExtractAdmin(ReadOnly):
    list_display = ["subscription", "number", "mode", "rows", "sha256", "created_at"]
    list_select_related = [
        "subscription__consumer",
        "subscription__resource__current_version",
    ]
