"""Admin for accounts. Protected personal data is never shown in full here: only masked."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from tongban.accounts import actions
from tongban.accounts.models import (
    AgentAuthorisation,
    CitizenProfile,
    EnterpriseProfile,
    StaffProfile,
    StaffRole,
    User,
)
from tongban.accounts.roles import Role
from tongban.core.admin import AuditedAdminMixin
from tongban.core.models import Department


class StaffCreationForm(forms.ModelForm):
    """Administrators create staff here; the service layer validates, writes and audits."""

    department = forms.ModelChoiceField(Department.objects.filter(is_active=True), label="所属部门")
    roles = forms.MultipleChoiceField(
        choices=Role.choices, label="角色", widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label="初始密码",
        strip=False,
        widget=forms.PasswordInput,
        help_text="至少8位，同时包含字母和数字",
    )

    class Meta:
        model = User
        fields = ["login_name", "display_name"]

    def _post_clean(self):
        data = self.cleaned_data
        if not {"login_name", "roles", "password"} <= data.keys():
            return
        try:
            actions.check_new_staff(
                login_name=data["login_name"], roles=data["roles"], password=data["password"]
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["login_name", "kind", "masked_name", "masked_phone", "is_active", "date_joined"]
    list_filter = ["kind", "is_active"]
    search_fields = ["login_name", "display_name"]
    fields = [
        "login_name",
        "kind",
        "display_name",
        "masked_phone",
        "email",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    ]
    # Entry to the admin site follows the roles (accounts.role_permissions), not a checkbox.
    readonly_fields = ["masked_phone", "date_joined", "last_login", "kind", "is_staff"]
    inlines = [StaffProfileInline, StaffRoleInline]
    actions = ["deactivate"]

    @admin.display(description="姓名/名称")
    def masked_name(self, obj):
        return obj.masked_name

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return obj.masked_phone

    def get_form(self, request, obj=None, **kwargs):
        # Citizens and enterprises register themselves; "add" here creates a staff account.
        if obj is None:
            kwargs["form"] = StaffCreationForm
            kwargs["fields"] = ["login_name", "display_name", "department", "roles", "password"]
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["login_name", "display_name", "department", "roles", "password"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if change:
            actions.update_account(actor=request.user, user=obj, changed=form.changed_data)
            return
        data = form.cleaned_data
        created = actions.create_staff(
            actor=request.user,
            login_name=data["login_name"],
            display_name=data["display_name"],
            department=data["department"],
            roles=data["roles"],
            password=data["password"],
        )
        obj.pk, obj._state.adding = created.pk, False

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffRole:
            super().save_formset(request, form, formset, change)
            return
        # Roles change through the service layer, which also moves the admin permissions.
        user = form.instance
        for removed in formset.deleted_forms:
            if removed.instance.pk:
                actions.revoke_role(actor=request.user, user=user, role=removed.instance.role)
        for role_form in formset.forms:
            if role_form in formset.deleted_forms or not role_form.has_changed():
                continue
            previous = role_form.instance.pk and StaffRole.objects.get(pk=role_form.instance.pk)
            if previous:
                actions.revoke_role(actor=request.user, user=user, role=previous.role)
            actions.grant_role(actor=request.user, user=user, role=role_form.cleaned_data["role"])
        # The admin's change message reads what a formset saved; the service layer saved it here
        # (and audited it), so the formset itself reports nothing.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description="停用所选账户")
    def deactivate(self, request, queryset):
        try:
            count = actions.deactivate_accounts(actor=request.user, users=queryset)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))  # nothing was deactivated
            return
        messages.success(request, f"已停用 {count} 个账户")


@admin.register(CitizenProfile)
class CitizenProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["masked_real_name", "masked_id_number", "gender", "verification_level"]
    list_filter = ["verification_level", "gender"]
    fields = [
        "masked_real_name",
        "masked_id_number",
        "birth_date",
        "gender",
        "verification_level",
        "address",
    ]
    readonly_fields = ["masked_real_name", "masked_id_number", "birth_date", "gender"]

    @admin.display(description="姓名")
    def masked_real_name(self, obj):
        return str(obj)

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj):
        return obj.masked_id_number

    def has_add_permission(self, request):
        return False


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "uscc", "legal_rep_name"]
    search_fields = ["name", "uscc"]
    fields = ["name", "uscc", "legal_rep_name", "address"]
    readonly_fields = ["uscc"]

    def has_add_permission(self, request):
        return False


@admin.register(AgentAuthorisation)
class AgentAuthorisationAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "agent", "all_items", "valid_until", "revoked_at", "status_label"]
    list_filter = ["all_items"]
    list_select_related = ["enterprise", "agent"]
    readonly_fields = [
        "enterprise",
        "agent",
        "all_items",
        "item_codes",
        "valid_until",
        "created_at",
        "revoked_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "department", "hall", "window", "employee_no"]
    list_filter = ["department"]
    autocomplete_fields = ["department"]
    list_select_related = ["user", "department", "hall", "window"]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    list_select_related = ["user"]

    def save_model(self, request, obj, form, change):
        if change:
            previous = StaffRole.objects.get(pk=obj.pk)
            actions.revoke_role(actor=request.user, user=previous.user, role=previous.role)
        granted = actions.grant_role(actor=request.user, user=obj.user, role=obj.role)
        obj.pk, obj._state.adding = granted.pk, False

    def delete_model(self, request, obj):
        actions.revoke_role(actor=request.user, user=obj.user, role=obj.role)

    def delete_queryset(self, request, queryset):
        for staff_role in queryset.select_related("user"):
            self.delete_model(request, staff_role)
