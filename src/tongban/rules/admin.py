"""Rules in the admin: read-only. Rule sets are written and published on the staff pages
(/workbench/rules/) through the service layer, where validation and tests are enforced."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyMixin
from tongban.rules.models import (
    DataElement,
    RuleDecision,
    RuleSet,
    RuleSetVersion,
    RuleSetVersionEvent,
    RuleTestCase,
)


@admin.register(DataElement)
class DataElementAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "label", "type", "source", "resource_code"]
    list_filter = ["source", "type"]
    search_fields = ["name", "label"]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    search_fields = ["code", "name"]


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["rule_set", "number", "status", "valid_from", "valid_to", "published_at"]
    list_filter = ["status"]


@admin.register(RuleSetVersionEvent)
class RuleSetVersionEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "version", "from_status", "to_status", "actor", "note"]


@admin.register(RuleTestCase)
class RuleTestCaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "version", "as_of", "expected", "expected_clause"]


@admin.register(RuleDecision)
class RuleDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["subject_ref", "version", "outcome", "blocking_clause", "evaluated_at"]
    list_filter = ["outcome"]
    search_fields = ["subject_ref"]
