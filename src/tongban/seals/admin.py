"""Admin for seals. Creating, rotating and revoking go through seals.actions (validated, audited) and
are reserved to platform administrators; keys and certificates are never editable here."""

import base64

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from tongban.core.admin import ReadOnlyMixin
from tongban.core.models import Department
from tongban.seals import actions, policy
from tongban.seals.models import (
    DocumentNumberCounter,
    IssuedDocument,
    PlatformCA,
    Seal,
    SealUse,
)

is_platform_admin = policy.can_keep_seals


class SealCreateForm(forms.ModelForm):
    department = forms.ModelChoiceField(Department.objects.filter(is_active=True), label="所属部门")
    valid_days = forms.IntegerField(
        label="有效期（天）",
        initial=actions.DEFAULT_VALID_DAYS,
        min_value=1,
        max_value=actions.MAX_VALID_DAYS,
    )

    class Meta:
        model = Seal
        fields = ["department", "name", "kind"]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="注销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "status_label", "valid_until", "serial_hex"]
    list_filter = ["kind", "status", "department"]
    search_fields = ["name", "department__name", "serial_hex"]
    list_select_related = ["department"]
    actions = ["rotate_selected"]
    readonly_fields = [
        "preview",
        "department",
        "name",
        "kind",
        "status_label",
        "valid_from",
        "valid_until",
        "serial_hex",
        "fingerprint_sha256",
        "issuer_ca",
        "revoked_at",
        "revocation_reason",
        "replaced_by",
        "created_by",
        "created_at",
        "certificate_pem",
        "revoke_link",
    ]
    fields = readonly_fields

    @admin.display(description="状态")
    def status_label(self, obj):
        return obj.effective_status_label

    @admin.display(description="印模")
    def preview(self, obj):
        encoded = base64.b64encode(bytes(obj.image_png)).decode()
        return format_html(
            '<img src="{}" width="140" height="140" alt="SVG"> '
            '<img src="data:image/png;base64,{}" width="140" height="140" alt="PNG">',
            reverse("seals:seal-image", args=[obj.pk]),
            encoded,
        )

    @admin.display(description="注销")
    def revoke_link(self, obj):
        if obj.status == Seal.Status.REVOKED:
            return "已注销"
        return format_html(
            '<a class="button" href="{}">注销此印章…</a>',
            reverse("admin:seals_seal_revoke", args=[obj.pk]),
        )

    def has_add_permission(self, request):
        return is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_platform_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SealCreateForm
            kwargs["fields"] = ["department", "name", "kind", "valid_days"]
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["department", "name", "kind", "valid_days"]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on a seal is edited in place
        data = form.cleaned_data
        created = actions.create_seal(
            request.user, data["department"], data["name"], data["kind"], data["valid_days"]
        )
        # Let the admin log and redirect to the row the service layer wrote.
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
        obj._state.adding, obj._state.db = False, created._state.db

    @admin.action(description="更换所选印章（生成新密钥和证书，旧印章仅用于核验）")
    def rotate_selected(self, request, queryset):
        if not is_platform_admin(request.user):
            raise PermissionDenied
        for seal in queryset:
            try:
                new = actions.rotate_seal(request.user, seal)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, f"已更换印章“{seal.name}”，新证书序列号 {new.serial_hex}")

    def get_urls(self):
        return [
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="seals_seal_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, pk):
        if not is_platform_admin(request.user):
            raise PermissionDenied
        seal = get_object_or_404(Seal, pk=pk)
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                actions.revoke_seal(request.user, seal, form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"印章“{seal.name}”已注销")
                return redirect("admin:seals_seal_change", seal.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "seal": seal,
            "form": form,
            "title": f"注销印章：{seal.name}",
        }
        return TemplateResponse(request, "admin/seals/seal/revoke.html", context)


@admin.register(SealUse)
class SealUseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["used_at", "seal", "document_type", "document_number", "actor", "sha256"]
    list_filter = ["document_type"]
    search_fields = ["document_number", "sha256", "seal__name"]
    list_select_related = ["seal", "seal__department", "actor"]
    date_hierarchy = "used_at"


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "document_type", "title", "department", "issued_on", "seal"]
    list_filter = ["document_type", "department"]
    search_fields = ["number", "sha256", "title"]
    list_select_related = ["department", "seal", "seal__department"]
    date_hierarchy = "issued_on"
    exclude = ["file"]  # files are served only by views that check who may see them


@admin.register(PlatformCA)
class PlatformCAAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "serial_hex", "valid_from", "valid_until", "is_current"]
    exclude = ["private_key_encrypted"]


@admin.register(DocumentNumberCounter)
class DocumentNumberCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["department", "year", "prefix", "last_number"]
    list_filter = ["year"]
