from django.contrib import admin

from tongban.licences.models import Licence, LicenceType, LicenceUse, ReminderSent


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "type_code", "issuing_department", "holder_kind", "validity_years"]
    search_fields = ["name", "type_code"]
    filter_horizontal = ["issued_for_items"]
    raw_id_fields = ["renewal_item"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
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
class LicenceUseAdmin(admin.ModelAdmin):
    list_display = ["licence", "purpose", "application", "department", "used_at"]
    list_filter = ["purpose"]
    raw_id_fields = ["licence", "application", "material"]


admin.site.register(ReminderSent)
