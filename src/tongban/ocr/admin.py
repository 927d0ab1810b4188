"""材料识别 in the admin: read-only ledgers. What was read from a document is personal data and is
not shown here; corrections show identifiers masked (they are stored masked)."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyMixin, register_read_only
from tongban.ocr import models as ocr_models
from tongban.ocr.models import FieldCorrection, Recognition, RecognitionEvent


class RecognitionEventInline(ReadOnlyMixin, admin.TabularInline):
    model = RecognitionEvent
    fields = ("at", "from_status", "to_status", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "status", "reason", "seconds")
    list_filter = ("kind", "status")
    fields = ("public_id", "kind", "status", "reason", "seconds", "created_at", "finished_at")
    readonly_fields = fields
    inlines = [RecognitionEventInline]
    list_per_page = 50


@admin.register(FieldCorrection)
class FieldCorrectionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "kind", "field", "changed", "extracted", "corrected")
    list_filter = ("kind", "field", "changed")
    list_per_page = 50


# Written only through the service layer: read here, changed there.
register_read_only(
    ocr_models.RecognitionEvent,
)
