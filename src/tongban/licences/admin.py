from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from tongban.core.admin import AuditedAdminMixin, ReadOnlyMixin
from tongban.licences import status
from tongban.licences.forms import CancelForm, RevokeForm
from tongban.licences.models import (
    Licence,
    LicenceStatusChange,
    LicenceType,
    LicenceUse,
    ReminderSent,
)


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
    actions = ["revoke_selected", "cancel_selected"]

    @admin.action(description="撤销所选证照（签发撤销决定书）…")
    def revoke_selected(self, request, queryset):
        return self._end_selected(request, queryset, "revoke_selected")

    @admin.action(description="注销所选证照…")
    def cancel_selected(self, request, queryset):
        return self._end_selected(request, queryset, "cancel_selected")

    def _end_selected(self, request, queryset, action: str):
        """An intermediate page asks for the reason; then licences.status does the work."""
        revoking = action == "revoke_selected"
        form_class = RevokeForm if revoking else CancelForm
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            for licence in queryset.select_related("licence_type"):
                try:
                    if revoking:
                        status.revoke(
                            licence, request.user, data["reason"], legal_basis=data["legal_basis"]
                        )
                    else:
                        status.cancel(licence, request.user, data["reason"], note=data["note"])
                except ValidationError as error:
                    messages.error(request, f"{licence.identifier}：{'；'.join(error.messages)}")
                else:
                    done = "已撤销" if revoking else "已注销"
                    messages.success(request, f"{licence.identifier}：{done}")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "撤销电子证照" if revoking else "注销电子证照",
            "licences": queryset.select_related("licence_type")[:100],
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/licences/licence/end.html", context)

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


@admin.register(LicenceStatusChange)
class LicenceStatusChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Append-only history of licence statuses (撤销, 注销, replaced by a new version …)."""

    list_display = ["changed_at", "licence", "from_status", "to_status", "reason", "actor"]
    list_filter = ["to_status"]
