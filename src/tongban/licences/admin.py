from django.contrib import admin

from tongban.core.admin import AuditedAdminMixin, ReadOnlyMixin
from tongban.licences.models import Licence, LicenceType, LicenceUse, ReminderSent


@admin.register(LicenceType)
class LicenceTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "type_code", "issuing_department", "holder_kind", "validity_years"]
    search_fields = ["name", "type_code"]
    filter_horizontal = ["issued_for_items"]
    raw_id_fields = ["renewal_item"]


@admin.register(Licence)
class LicenceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["identifier", "licence_type", "version", "status", "issued_on", "valid_until"]
    list_filter = ["status", "licence_type"]
    search_fields = ["identifier"]
    readonly_fields = [f.name for f in Licence._meta.fields if f.name != "id"]
    exclude = ["holder_id_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LicenceUse)
class LicenceUseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """用证记录: written when a licence is used (免证可办, verification); read here only."""

    list_display = ["licence", "purpose", "application", "department", "used_at"]
    list_filter = ["purpose"]
    raw_id_fields = ["licence", "application", "material"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Expiry reminders sent (90/30/7 days): the record that stops a second reminder."""

    list_display = ["licence", "days_before", "sent_at"]
    raw_id_fields = ["licence"]
