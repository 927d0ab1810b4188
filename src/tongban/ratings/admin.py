from django.contrib import admin

from tongban.ratings.models import (
    BadRatingCase,
    BadRatingHistory,
    HallVisit,
    Rating,
    RatingCallback,
    RatingInvitation,
)


class CallbackInline(admin.TabularInline):
    model = RatingCallback
    extra = 0
    readonly_fields = ("called_at", "called_by", "reached", "summary")
    can_delete = False


class HistoryInline(admin.TabularInline):
    model = BadRatingHistory
    extra = 0
    readonly_fields = ("at", "event", "from_status", "to_status", "actor", "note")
    can_delete = False


@admin.register(BadRatingCase)
class BadRatingCaseAdmin(admin.ModelAdmin):
    """Read-only: moves are made on the workbench through ratings.actions."""

    list_display = ("id", "department", "status", "deadline", "warning", "first_callback_at")
    list_filter = ("status", "warning")
    inlines = [CallbackInline, HistoryInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating, HallVisit, RatingInvitation, RatingCallback, BadRatingHistory)
class RatingRecordAdmin(admin.ModelAdmin):
    """Ratings and their records are written by ratings.actions only; the admin reads them."""

    list_display = ("__str__",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
