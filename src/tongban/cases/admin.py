"""Case handling records are written by the service layer only; the admin shows them read-only."""

from django.contrib import admin

from tongban.cases import models as cases_models
from tongban.cases.models import (
    Case,
    CaseDocument,
    CorrectionNotice,
    Extension,
    ReviewStep,
    SupervisionNotice,
    Suspension,
    WarningEvent,
)
from tongban.core.admin import ReadOnlyMixin, register_read_only


class StepInline(ReadOnlyMixin, admin.TabularInline):
    model = ReviewStep
    extra = 0
    fields = [
        "name",
        "role",
        "department",
        "assignee",
        "action",
        "opinion",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields


class SuspensionInline(ReadOnlyMixin, admin.TabularInline):
    model = Suspension
    extra = 0
    fields = ["kind", "reason", "started_on", "ended_on", "working_days", "result"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "application",
        "department",
        "accepted_on",
        "effective_due_date",
        "warning",
        "decision",
        "completion_result",
    ]
    list_filter = ["warning", "decision", "completion_result", "deemed_accepted"]
    search_fields = ["application__case_number"]
    list_select_related = ["application", "department"]
    inlines = [StepInline, SuspensionInline]


for model in (
    CaseDocument,
    CorrectionNotice,
    Extension,
    ReviewStep,
    SupervisionNotice,
    Suspension,
    WarningEvent,
):
    admin.site.register(
        model, type(f"{model.__name__}Admin", (ReadOnlyMixin, admin.ModelAdmin), {})
    )


# Written only through the service layer: read here, changed there.
register_read_only(
    cases_models.InstantApprovalConfig,
    cases_models.InstantApprovalConfigChange,
    cases_models.InstantDecision,
)
