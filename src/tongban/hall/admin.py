"""Admin: a hall's settings and window groups are configuration and edited here; bookings and
tickets are read-only (every move goes through hall.actions, with history and audit)."""

from django.contrib import admin

from tongban.hall.models import (
    Appointment,
    AppointmentEvent,
    HallSettings,
    Ticket,
    TicketCounter,
    TicketEvent,
    WindowDesk,
    WindowGroup,
)


@admin.register(HallSettings)
class HallSettingsAdmin(admin.ModelAdmin):
    list_display = ("hall", "slot_minutes", "booking_days", "wait_alert_minutes", "target_minutes")
    filter_horizontal = ("managers",)
    readonly_fields = ("kiosk_key",)


@admin.register(WindowGroup)
class WindowGroupAdmin(admin.ModelAdmin):
    list_display = ("hall", "prefix", "name", "slot_capacity", "is_active")
    list_filter = ("hall", "is_active")
    filter_horizontal = ("items", "windows")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "event", "from_status", "to_status", "actor", "note")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnly):
    list_display = ("reference", "group", "day", "start", "status")
    list_filter = ("status", "group__hall")
    search_fields = ("reference",)
    date_hierarchy = "day"
    exclude = ("visitor",)
    inlines = [AppointmentEventInline]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "event", "from_status", "to_status", "window", "actor", "note")


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ("__str__", "hall", "day", "group", "status", "priority", "window")
    list_filter = ("status", "priority", "hall")
    date_hierarchy = "day"
    exclude = ("visitor", "visitor_phone", "visitor_phone_index", "token")
    inlines = [TicketEventInline]


@admin.register(AppointmentEvent)
class AppointmentEventAdmin(ReadOnly):
    list_display = ("at", "appointment", "event", "from_status", "to_status")
    list_filter = ("event",)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnly):
    list_display = ("at", "ticket", "event", "from_status", "to_status", "window")
    list_filter = ("event",)


@admin.register(TicketCounter)
class TicketCounterAdmin(ReadOnly):
    list_display = ("hall", "day", "prefix", "last")


@admin.register(WindowDesk)
class WindowDeskAdmin(ReadOnly):
    list_display = ("window", "status", "clerk", "current", "changed_at")
    list_filter = ("status",)
