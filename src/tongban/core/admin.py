from django import forms
from django.contrib import admin

from tongban.core import audit, calendar_actions
from tongban.core.audit_actions import AdminAction
from tongban.core.models import (
    AuditChainHead,
    AuditRecord,
    CalendarDay,
    CalendarYear,
    Department,
    Office,
    Region,
    ServiceHall,
    Window,
)


class AuditedAdminMixin:
    """Reference data with no service function of its own (regions, departments, halls, the
    calendar, message templates, licence types …) is edited in the admin directly: every add,
    change and delete, of the object and of its inline rows, leaves an audit record naming the
    fields changed (never their values, which may be personal data)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_admin(
            AdminAction.CHANGE if change else AdminAction.ADD, request, obj, form.changed_data
        )

    def save_formset(self, request, form, formset, change):
        deleted = [(f.instance._meta.label_lower, f.instance.pk) for f in formset.deleted_forms]
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _audit_admin(AdminAction.ADD, request, obj)
        for obj, fields in formset.changed_objects:
            _audit_admin(AdminAction.CHANGE, request, obj, fields)
        for object_type, pk in deleted:
            if pk is not None:
                audit.record(
                    AdminAction.DELETE,
                    actor=request.user,
                    object_type=object_type,
                    object_id=str(pk),
                )

    def delete_model(self, request, obj):
        _audit_admin(AdminAction.DELETE, request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _audit_admin(AdminAction.DELETE, request, obj)
        super().delete_queryset(request, queryset)


def _audit_admin(action: AdminAction, request, obj, fields=()) -> None:
    detail = {"fields": sorted(fields)} if fields else {}
    audit.record(action, actor=request.user, obj=obj, detail=detail)


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "uscc", "region", "level", "is_active"]
    list_filter = ["level", "is_active", "region"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "department"]
    search_fields = ["name", "department__name"]
    list_select_related = ["department"]


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    filter_horizontal = ["departments"]


@admin.register(ServiceHall)
class ServiceHallAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "region", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["region"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["hall", "number", "name", "is_comprehensive"]
    list_filter = ["hall", "is_comprehensive"]
    filter_horizontal = ["departments"]


class CalendarPermissions:
    """The calendar is kept by platform administrators, through core.calendar_actions."""

    def has_module_permission(self, request):
        return calendar_actions.may_edit(request.user)

    def has_view_permission(self, request, obj=None):
        return calendar_actions.may_edit(request.user)

    def has_add_permission(self, request):
        return calendar_actions.may_edit(request.user)

    def has_delete_permission(self, request, obj=None):
        return calendar_actions.may_edit(request.user)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        calendar_actions.check_year(date.year, "date")
        return date


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarPermissions, admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "is_working_day", "name", "updated_at"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return calendar_actions.may_edit(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj else []  # a new date is a new row, not a moved one

    def save_model(self, request, obj, form, change):
        calendar_actions.set_day(
            actor=request.user, date=obj.date, is_working_day=obj.is_working_day, name=obj.name
        )

    def delete_model(self, request, obj):
        calendar_actions.remove_day(actor=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            calendar_actions.remove_day(actor=request.user, date=day.date)


class CalendarYearForm(forms.ModelForm):
    checked = forms.BooleanField(
        label="我已将该年度全部放假日期和调休上班日期录入“工作日历调整”，并与下方清单核对无误",
        required=True,
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "basis"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        calendar_actions.check_confirmable(year)
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarPermissions, admin.ModelAdmin):
    """Adding a row confirms a year; deleting it withdraws the confirmation. The add page lists
    what the platform counts for the year, to be checked against the State Council's notice."""

    form = CalendarYearForm
    list_display = ["year", "basis", "confirmed_by", "confirmed_at"]

    def has_change_permission(self, request, obj=None):
        return False  # withdraw and confirm again: each step is its own audited act

    def _year(self, request) -> int | None:
        raw = request.POST.get("year") or request.GET.get("year") or ""
        return (
            int(raw)
            if raw.isdigit() and calendar_actions.EARLIEST_YEAR <= int(raw) < 10000
            else None
        )

    def add_view(self, request, form_url="", extra_context=None):
        year = self._year(request)
        extra_context = {
            **(extra_context or {}),
            "schedule_year": year,
            "schedule": calendar_actions.year_schedule(year) if year else [],
        }
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        record = calendar_actions.confirm_year(actor=request.user, year=obj.year, basis=obj.basis)
        obj.confirmed_by, obj.confirmed_at = record.confirmed_by, record.confirmed_at

    def delete_model(self, request, obj):
        calendar_actions.withdraw_year(actor=request.user, year=obj.year)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            calendar_actions.withdraw_year(actor=request.user, year=record.year)


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


# Field names that hold a secret or a lookup key and are never shown, even read-only.
HIDDEN_IN_ADMIN = {"code_hash", "phone_index", "subject_index", "number", "secret_hash"}


def register_read_only(*models) -> None:
    """Register records only the service layer writes (histories, snapshots, ledgers) as read-only
    admin pages, without their secret or lookup-key fields."""
    for model in models:
        hidden = [f.name for f in model._meta.fields if f.name in HIDDEN_IN_ADMIN]
        options = {"exclude": hidden} if hidden else {}
        admin_class = type(f"{model.__name__}Admin", (ReadOnlyMixin, admin.ModelAdmin), options)
        admin.site.register(model, admin_class)
