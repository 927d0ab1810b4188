from django.contrib import admin

from tongban.core.models import (
    AuditChainHead,
    AuditRecord,
    CalendarDay,
    Department,
    Office,
    Region,
    ServiceHall,
    Window,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "region", "level", "is_active"]
    list_filter = ["level", "is_active", "region"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ["departments"]


@admin.register(ServiceHall)
class ServiceHallAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["region"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "is_comprehensive"]
    list_filter = ["hall", "is_comprehensive"]
    filter_horizontal = ["departments"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "name", "updated_at"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]


class ReadOnlyMixin:
    """For ledgers and records that only the service layer writes (audit log, history, deliveries,
    用证记录 …): administrators read them and never add, change or delete one. The one read-only
    admin of the project, for model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "sequence",
        "occurred_at",
        "actor_label",
        "role",
        "action",
        "object_type",
        "object_id",
        "ip_address",
        "purpose",
    ]
    list_filter = ["action"]
    search_fields = ["action", "object_id", "actor_label"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["last_sequence", "last_hash"]
