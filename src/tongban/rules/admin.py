"""Rules in the admin: read-only. Rule sets are written and published on the staff pages
(/workbench/rules/) through the service layer, where validation and tests are enforced."""

from django.contrib import admin

from tongban.rules.models import DataElement, RuleDecision, RuleSet, RuleSetVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataElement)
class DataElementAdmin(ReadOnlyAdmin):
    list_display = ["name", "label", "type", "source", "resource_code"]
    list_filter = ["source", "type"]
    search_fields = ["name", "label"]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "department"]
    search_fields = ["code", "name"]


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(ReadOnlyAdmin):
    list_display = ["rule_set", "number", "status", "valid_from", "valid_to", "published_at"]
    list_filter = ["status"]


@admin.register(RuleDecision)
class RuleDecisionAdmin(ReadOnlyAdmin):
    list_display = ["subject_ref", "version", "outcome", "blocking_clause", "evaluated_at"]
    list_filter = ["outcome"]
    search_fields = ["subject_ref"]
