"""Platform administrators register department systems, approve them (by another administrator),
suspend them and rotate their secrets here; every change goes through identity.actions. A secret
is shown once, on the page that made it, and never stored readable."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from tongban.core.admin import ReadOnlyMixin, register_read_only
from tongban.identity import actions, keys
from tongban.identity import models as identity_models
from tongban.identity.models import (
    SCOPES,
    SYSTEM_SCOPES,
    ClientRegistration,
    LoginEvent,
    RegistrationChange,
    SigningKey,
)


class RegistrationForm(forms.ModelForm):
    allowed_scopes = forms.MultipleChoiceField(
        label="允许的权限范围",
        choices=[*SCOPES.items(), *SYSTEM_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ClientRegistration
        fields = [
            "name",
            "department",
            "grant",
            "confidential",
            "redirect_uris",
            "post_logout_redirect_uris",
            "backchannel_logout_uri",
            "allowed_scopes",
        ]


class ChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = RegistrationChange
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(ClientRegistration)
class ClientRegistrationAdmin(admin.ModelAdmin):
    form = RegistrationForm
    list_display = ["name", "department", "grant", "status", "client_id", "created_at"]
    list_filter = ["status", "grant", "department"]
    search_fields = ["name", "application__client_id"]
    inlines = [ChangeInline]
    actions = ["approve", "suspend", "rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*RegistrationForm.Meta.fields, "status", "client_id", "requested_by"]

    @admin.display(description="客户端标识")
    def client_id(self, obj):
        return obj.application.client_id

    def save_model(self, request, obj, form, change):
        if change:
            return  # registrations change only through the actions below
        data = form.cleaned_data
        try:
            created = actions.register_client(
                actor=request.user,
                name=data["name"],
                department=data["department"],
                grant=data["grant"],
                confidential=data["confidential"],
                redirect_uris=data["redirect_uris"],
                post_logout_redirect_uris=data["post_logout_redirect_uris"],
                backchannel_logout_uri=data["backchannel_logout_uri"],
                allowed_scopes=data["allowed_scopes"],
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        return None

    def has_delete_permission(self, request, obj=None):
        return False

    def _secret_page(self, request, registration, secret):
        return TemplateResponse(
            request,
            "identity/admin_secret.html",
            {
                **self.admin_site.each_context(request),
                "registration": registration,
                "secret": secret,
                "title": "客户端密钥（只显示这一次）",
            },
        )

    @admin.action(description="批准所选接入系统（或恢复已停用的）")
    def approve(self, request, queryset):
        for registration in queryset.select_related("application")[:20]:
            try:
                secret = actions.approve_client(actor=request.user, registration=registration)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
                continue
            if secret:
                return self._secret_page(request, registration, secret)
            self.message_user(request, f"已批准：{registration.name}")
        return None

    @admin.action(description="停用所选接入系统（令牌立即作废）")
    def suspend(self, request, queryset):
        for registration in queryset[:20]:
            try:
                count = actions.suspend_client(
                    actor=request.user, registration=registration, reason="平台管理员停用"
                )
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"已停用：{registration.name}，作废令牌 {count} 个")

    @admin.action(description="更换客户端密钥")
    def rotate_secret(self, request, queryset):
        registration = queryset.select_related("application").first()
        try:
            secret = actions.rotate_secret(actor=request.user, registration=registration)
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return None
        return self._secret_page(request, registration, secret)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["kid", "state_label", "created_at", "retired_at", "expires_at"]
    fields = ["kid", "created_at", "retired_at", "expires_at"]
    actions = ["rotate"]

    @admin.action(description="轮换签名密钥（新密钥签发，旧密钥在过渡期内仍可验证）")
    def rotate(self, request, queryset):
        new = keys.rotate(actor=request.user)
        self.message_user(request, f"已生成新签名密钥 {new.kid}")


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "method", "succeeded", "device", "address", "at"]
    list_filter = ["method", "succeeded"]
    fields = list_display


# Written only through the service layer: read here, changed there.
register_read_only(
    identity_models.RegistrationChange,
    identity_models.Consent,
    identity_models.SignInSession,
    identity_models.SmsCode,
)
