"""Configuration (categories, routing rules, grid, sensors, knowledge base) is edited here; orders
are read-only: every move goes through workorders.actions on the workbench."""

from django.contrib import admin

from tongban.workorders.models import (
    Assist,
    Callback,
    Category,
    Correction,
    Extension,
    GridCell,
    KnowledgeArticle,
    NumberSequence,
    Photo,
    RoutingRule,
    Sensor,
    WorkOrder,
    WorkOrderHistory,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "parent",
        "department",
        "urgent_hours",
        "pressing_hours",
        "normal_working_days",
        "is_active",
    )
    list_filter = ("parent", "is_active")
    search_fields = ("code", "name")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "position",
        "name",
        "category",
        "region",
        "grid_cell",
        "department",
        "is_active",
    )
    list_editable = ("is_active",)
    autocomplete_fields = ("grid_cell",)


@admin.register(GridCell)
class GridCellAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name")


@admin.register(Sensor)
class SensorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "urgency", "address", "is_active")
    search_fields = ("code", "name")


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "is_active", "updated_at")
    search_fields = ("title", "keywords", "answer")


class HistoryInline(admin.TabularInline):
    model = WorkOrderHistory
    extra = 0
    can_delete = False
    readonly_fields = (
        "at",
        "move",
        "from_status",
        "to_status",
        "actor",
        "actor_kind",
        "department",
        "note",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "channel",
        "category",
        "department",
        "status",
        "warning",
        "created_at",
    )
    list_filter = ("status", "channel", "kind", "warning")
    search_fields = ("number",)
    inlines = [HistoryInline]
    exclude = ("reporter_name", "reporter_phone", "reporter_phone_index", "alert_key")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by workorders.actions only: shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (WorkOrderHistory, Photo, Extension, Assist, Callback, Correction, NumberSequence):
    admin.site.register(model, ReadOnlyAdmin)
