"""Admin for review processes. Uploading a BPMN file goes through definitions.upload_definition
(validation, next version, audit); stored versions are read-only; publishing is an admin action."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from tongban.core.admin import AuditedAdminMixin, ReadOnlyMixin
from tongban.workflow import bpmn, definitions
from tongban.workflow.models import ItemProcess, ProcessDefinition, WorkflowInstance


class UploadForm(forms.ModelForm):
    bpmn_file = forms.FileField(
        label="BPMN 文件", required=False, help_text="上传 .bpmn 文件，或在下方粘贴 XML"
    )
    publish = forms.BooleanField(
        label="立即发布", required=False, initial=True, help_text="发布后新办件使用此版本"
    )

    class Meta:
        model = ProcessDefinition
        fields = ["key", "name", "bpmn_xml"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["bpmn_xml"].required = False
        self.fields["name"].help_text = "为空时取 BPMN 中流程的名称"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("bpmn_file")
        xml = cleaned.get("bpmn_xml") or ""
        if upload:
            raw = upload.read()
            try:
                xml = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError("BPMN 文件必须是 UTF-8 编码") from None
        if not xml.strip():
            raise ValidationError("请上传 BPMN 文件或粘贴 BPMN XML")
        try:
            definitions.validate_key(cleaned.get("key") or "")
            bpmn.parse(xml)
        except ValidationError as err:
            raise ValidationError(err.messages) from None
        cleaned["bpmn_xml"] = xml
        return cleaned

    def validate_unique(self):
        pass  # the version number is assigned by the service function


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ["key", "version", "name", "status", "process_id", "uploaded_by", "created_at"]
    list_filter = ["status", "key"]
    search_fields = ["key", "name"]
    actions = ["publish_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = UploadForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["key", "name", "bpmn_file", "bpmn_xml", "publish"]
        return [f.name for f in ProcessDefinition._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def save_model(self, request, obj, form, change):
        created = definitions.upload_definition(
            form.cleaned_data["key"],
            form.cleaned_data["bpmn_xml"],
            name=form.cleaned_data.get("name") or "",
            uploaded_by=request.user,
            publish=form.cleaned_data.get("publish", False),
        )
        for field in ProcessDefinition._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="发布所选版本（同一流程的原发布版本将停用）")
    def publish_selected(self, request, queryset):
        for definition in queryset:
            try:
                definitions.publish_definition(definition, actor=request.user)
            except ValidationError as err:
                self.message_user(
                    request, f"{definition}：{'；'.join(err.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"已发布 {definition}", messages.SUCCESS)


class ItemProcessForm(forms.ModelForm):
    class Meta:
        model = ItemProcess
        fields = ["item", "process_key", "joint_departments", "separate_duties"]


@admin.register(ItemProcess)
class ItemProcessAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ItemProcessForm
    list_display = ["item", "process_key", "separate_duties", "updated_at"]
    search_fields = ["process_key", "item__implementation_code", "item__basic_item__name"]
    raw_id_fields = ["item"]
    filter_horizontal = ["joint_departments"]


@admin.register(WorkflowInstance)
class WorkflowInstanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Process state is the engine's (workflow.engine): read here only."""

    list_display = ["id", "subject_type", "subject_id", "definition", "status", "outcome"]
    list_filter = ["status", "definition__key"]
    search_fields = ["subject_id"]
    list_select_related = ["definition"]
