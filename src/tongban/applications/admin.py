"""Admin for intake. Forms are edited as JSON and published through the service layer; the
post-submission pipeline can be re-run from here. Applicant data shows masked only."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from tongban.applications import actions, pipeline
from tongban.applications.models import (
    Application,
    ApplicationForm,
    CaseNumberCounter,
    MaterialCommitment,
    PipelineStep,
    Receipt,
    ReplacedFile,
    StatusChange,
    TimelineEvent,
    UploadedFile,
)
from tongban.core.admin import ReadOnlyMixin


class ApplicationFormAdminForm(forms.ModelForm):
    class Meta:
        model = ApplicationForm
        fields = ["service_item", "schema", "layout"]

    def clean(self):
        data = super().clean()
        if "schema" in data and "layout" in data:
            try:
                from tongban.applications import formdefs

                formdefs.check_definition(data["schema"], data["layout"])
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


@admin.register(ApplicationForm)
class ApplicationFormAdmin(admin.ModelAdmin):
    """Saving here publishes a new version (the published one is never edited in place)."""

    form = ApplicationFormAdminForm
    list_display = ["service_item", "version", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["service_item__implementation_code", "service_item__basic_item__name"]
    autocomplete_fields = ["service_item"]

    def get_changeform_initial_data(self, request):
        # Start from the published form of the chosen item, or the standard one.
        from tongban.applications import formlib

        schema, layout = formlib.standard_definition()
        return {
            "schema": json.dumps(schema, ensure_ascii=False, indent=2),
            "layout": json.dumps(layout, ensure_ascii=False, indent=2),
        }

    def save_model(self, request, obj, form, change):
        published = actions.publish_form(
            actor=request.user,
            service_item=form.cleaned_data["service_item"],
            schema=form.cleaned_data["schema"],
            layout=form.cleaned_data["layout"],
        )
        obj.pk, obj._state.adding = published.pk, False
        messages.info(request, f"已发布表单第 {published.version} 版，原版本已停用。")

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


class TimelineInline(ReadOnlyInline):
    model = TimelineEvent
    fields = ["at", "department", "action", "opinion", "is_public", "actor_label"]
    readonly_fields = fields


class FileInline(ReadOnlyInline):
    model = UploadedFile
    fields = ["material", "original_name", "content_type", "size", "pages", "uploaded_at"]
    readonly_fields = fields


class PipelineInline(ReadOnlyInline):
    model = PipelineStep
    fields = ["kind", "state", "attempts", "next_attempt_at", "last_error", "done_at"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "status",
        "service_item",
        "applicant_name",
        "channel",
        "submitted_at",
    ]
    list_filter = ["status", "channel", "applicant_kind"]
    search_fields = ["case_number"]
    date_hierarchy = "created_at"
    list_select_related = ["service_item__basic_item", "service_item__department"]
    fields = [
        "case_number",
        "status",
        "service_item",
        "item_version",
        "handling_item",
        "form",
        "owner",
        "applicant_kind",
        "enterprise",
        "entrusted",
        "window_staff",
        "channel",
        "applicant_name",
        "masked_applicant_id",
        "masked_contact_phone",
        "submitted_at",
        "withdrawn_at",
    ]
    readonly_fields = fields
    inlines = [StatusChangeInline, TimelineInline, FileInline, PipelineInline]
    show_full_result_count = False

    @admin.display(description="申请人证件号码")
    def masked_applicant_id(self, obj):
        return obj.masked_applicant_id

    @admin.display(description="联系电话")
    def masked_contact_phone(self, obj):
        return obj.masked_contact_phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PipelineStep)
class PipelineStepAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "state", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["state", "kind"]
    readonly_fields = [
        "application",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "done_at",
    ]
    actions = ["run_again"]

    @admin.action(description="重新执行所选步骤")
    def run_again(self, request, queryset):
        for step in queryset:
            pipeline.rerun(step.pk, request.user)
        messages.success(request, f"已重新排队 {queryset.count()} 个步骤")

    def has_add_permission(self, request):
        return False


@admin.register(Receipt, CaseNumberCounter)
class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(StatusChange, TimelineEvent, UploadedFile, ReplacedFile, MaterialCommitment)
class HistoryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """History and files of applications: written by the service layer, read here."""

    list_display = ["__str__", "application"]
    list_select_related = ["application"]
