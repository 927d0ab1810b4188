from django.contrib import admin

from tongban.core.admin import ReadOnlyMixin
from tongban.credit.models import CreditRecord


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: records are made by case handling (credit.actions), never typed in here."""

    list_display = ("kind", "__str__", "department", "recorded_at", "ends_on")
    list_filter = ("kind", "department")
    exclude = ("subject_id_number", "subject_id_index")
    readonly_fields = ("masked_id_number",)

    @admin.display(description="证件号码")
    def masked_id_number(self, obj):
        return obj.masked_id_number
