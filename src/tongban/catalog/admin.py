"""Admin for the catalogue, made to go through the service layer: drafts only are editable, saves
call catalog.actions (validation, audit), publishing is an admin action calling actions.publish."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import translation

from tongban.accounts.roles import Role
from tongban.catalog import actions
from tongban.catalog.formsets import DraftChildrenRule
from tongban.catalog.models import (
    BasicItem,
    HandlingItem,
    ImportBatch,
    ItemVersion,
    Material,
    ServiceItem,
    SituationOption,
    SituationQuestion,
)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def can_manage_catalogue(user) -> bool:
    return user.is_active and (
        user.is_superuser or getattr(user, "has_role", lambda *r: False)(Role.CATALOGUE_ADMIN)
    )


class CatalogueAdmin(admin.ModelAdmin):
    """Access by role (catalogue or platform administrators), not by Django model permissions;
    department checks happen in catalog.actions. Nothing is ever deleted."""

    def has_module_permission(self, request):
        return can_manage_catalogue(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_catalogue(request.user)

    def has_add_permission(self, request):
        return can_manage_catalogue(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_catalogue(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


def _editable(user, parent) -> bool:
    """Inline rows of a version (or of a question of a version) change only while it is a draft."""
    version = getattr(parent, "version", parent)
    return can_manage_catalogue(user) and (version is None or version.is_draft)


class CatalogueInline:
    def has_view_permission(self, request, obj=None):
        return can_manage_catalogue(request.user)

    def has_add_permission(self, request, obj=None):
        return _editable(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return _editable(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(request.user, obj)


@admin.register(BasicItem)
class BasicItemAdmin(CatalogueAdmin):
    list_display = ["basic_code", "name", "item_type"]
    search_fields = ["basic_code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # Existing basic items are the source of locked elements; they change only by migration
        # of the national catalogue, not by hand.
        return [f.name for f in BasicItem._meta.fields] if obj else []

    def save_model(self, request, obj, form, change):
        created = actions.create_basic_item(
            actor=request.user,
            **{
                k: form.cleaned_data.get(k, "")
                for k in (
                    "basic_code",
                    "name",
                    "item_type",
                    "legal_basis",
                    "service_object",
                    "exercise_content",
                    "authority_division",
                )
            },
        )
        obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceItemForm(forms.ModelForm):
    class Meta:
        model = ServiceItem
        fields = ["basic_item", "department", "exercise_level"]

    def clean(self):
        cleaned = super().clean()
        basic, department = cleaned.get("basic_item"), cleaned.get("department")
        if (
            basic
            and department
            and ServiceItem.objects.filter(basic_item=basic, department=department).exists()
        ):
            raise forms.ValidationError("该部门已实施此基本目录事项")
        return cleaned


@admin.register(ServiceItem)
class ServiceItemAdmin(CatalogueAdmin):
    list_display = [
        "implementation_code",
        "basic_item",
        "department",
        "current_version",
        "view_count",
    ]
    list_select_related = ["basic_item", "department", "current_version"]
    search_fields = ["implementation_code", "basic_item__name"]
    list_filter = ["department"]
    form = ServiceItemForm
    actions = ["make_new_draft"]

    def get_readonly_fields(self, request, obj=None):
        return ["basic_item", "department", "exercise_level"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = actions.create_item(
            actor=request.user,
            basic_item=obj.basic_item,
            department=obj.department,
            exercise_level=obj.exercise_level,
        )
        obj.pk = created.pk

    @admin.action(description="为选中的事项新建草稿版本")
    def make_new_draft(self, request, queryset):
        for item in queryset:
            try:
                actions.new_draft(actor=request.user, item=item)
            except ValidationError as exc:
                self.message_user(request, f"{item}：{_error_text(exc)}", messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        return False


class HandlingItemInline(CatalogueInline, admin.TabularInline):
    model = HandlingItem
    extra = 0


class MaterialFormSet(DraftChildrenRule, forms.BaseInlineFormSet):
    unique_field = "name"


class MaterialInline(CatalogueInline, admin.StackedInline):
    model = Material
    formset = MaterialFormSet
    extra = 0
    filter_horizontal = ["handling_items"]


class QuestionInline(CatalogueInline, admin.TabularInline):
    model = SituationQuestion
    extra = 0
    show_change_link = True


class ItemVersionForm(forms.ModelForm):
    class Meta:
        model = ItemVersion
        fields = [*ItemVersion.ELEMENT_FIELDS, "halls", "valid_from", "valid_to", "change_note"]

    def clean(self):
        cleaned = super().clean()
        version = self.instance
        if version.pk and not version.is_draft:
            raise forms.ValidationError("已发布的版本不能修改，请新建草稿版本")
        data = {
            name: cleaned.get(name, getattr(version, name)) for name in ItemVersion.ELEMENT_FIELDS
        }
        for field, errors in actions.validate_elements(version.item.basic_item, data).items():
            target = field if field in self.fields else None
            for message in errors:
                self.add_error(target, message)
        return cleaned


@admin.register(ItemVersion)
class ItemVersionAdmin(CatalogueAdmin):
    form = ItemVersionForm
    list_display = ["name", "item", "number", "status", "valid_from", "valid_to"]
    list_filter = ["status"]
    list_select_related = ["item"]
    search_fields = ["name", "item__implementation_code"]
    inlines = [HandlingItemInline, MaterialInline, QuestionInline]
    filter_horizontal = ["halls"]
    actions = ["publish_selected"]

    def has_add_permission(self, request):
        return False  # versions come from ServiceItem creation or "新建草稿版本"

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_draft)

    def save_model(self, request, obj, form, change):
        elements = {name: form.cleaned_data[name] for name in form.changed_data}
        actions.update_draft(actor=request.user, version=obj, elements=elements)

    def save_related(self, request, form, formsets, change):
        # halls went through update_draft; the inlines go through the service layer too
        for formset in formsets:
            # The audit record names the children in the platform's language, whatever the
            # administrator reads the admin in (the label is a lazy translation).
            with translation.override(settings.LANGUAGE_CODE):
                what = str(formset.model._meta.verbose_name)
            actions.save_draft_children(
                actor=request.user, version=form.instance, what=what, save=formset.save
            )

    @admin.action(description="发布选中的草稿版本")
    def publish_selected(self, request, queryset):
        for version in queryset:
            try:
                actions.publish(actor=request.user, version=version)
                self.message_user(request, f"已发布：{version.name} 第{version.number}版")
            except ValidationError as exc:
                self.message_user(request, f"{version.name}：{_error_text(exc)}", messages.ERROR)


class OptionInline(CatalogueInline, admin.TabularInline):
    model = SituationOption
    extra = 0
    filter_horizontal = ["materials"]


@admin.register(SituationQuestion)
class SituationQuestionAdmin(CatalogueAdmin):
    list_display = ["text", "version"]
    inlines = [OptionInline]
    fields = ["text", "order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.version.is_draft)

    def save_model(self, request, obj, form, change):
        actions.save_draft_children(
            actor=request.user, version=obj.version, what="情形问题", save=obj.save
        )

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            actions.save_draft_children(
                actor=request.user,
                version=form.instance.version,
                what="情形选项",
                save=formset.save,
            )


@admin.register(ImportBatch)
class ImportBatchAdmin(CatalogueAdmin):
    list_display = [
        "original_name",
        "uploaded_by",
        "uploaded_at",
        "status",
        "total_rows",
        "good_rows",
    ]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HandlingItem, Material, SituationOption)
class VersionPartAdmin(CatalogueAdmin):
    """业务办理项, materials and situation options listed on their own (to search across items);
    they are edited on their version's page, and only while it is a draft."""

    list_display = ["__str__", "version_label"]

    @admin.display(description="事项版本")
    def version_label(self, obj):
        return getattr(obj, "version", None) or getattr(obj.question, "version", "")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
