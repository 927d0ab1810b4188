from django.contrib import admin

from tongban.core.admin import ReadOnlyMixin
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
class BadRatingCaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: moves are made on the workbench through ratings.actions."""

    list_display = ("id", "department", "status", "deadline", "warning", "first_callback_at")
    list_filter = ("status", "warning")
    inlines = [CallbackInline, HistoryInline]


@admin.register(Rating, HallVisit, RatingInvitation, RatingCallback, BadRatingHistory)
class RatingRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Ratings and their records are written by ratings.actions only; the admin reads them."""

    list_display = ("__str__",)
