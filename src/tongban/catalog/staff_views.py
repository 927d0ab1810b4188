"""Staff pages under /workbench/catalog/: items, versions and history, publish, import, export,
statistics, and the draft's elements edited section by section with a preview of the guide. Every
save goes through catalog.actions."""

import itertools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import can_act_for_department, role_required, staff_department_id
from tongban.accounts.roles import Role
from tongban.catalog import actions, excel, statistics
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
from tongban.catalog.views import render_guide
from tongban.core.models import Department, Region

admin_only = role_required(Role.CATALOGUE_ADMIN)


def _visible_items(user):
    items = ServiceItem.objects.select_related("department", "current_version", "basic_item")
    if not user.has_role(Role.PLATFORM_ADMIN):
        items = items.filter(department_id=staff_department_id(user))
    return items


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


@admin_only
def item_list(request):
    items = _visible_items(request.user).order_by("implementation_code")
    status = request.GET.get("status", "")
    if status == "published":
        items = items.filter(current_version__isnull=False)
    elif status == "draft":
        items = items.filter(versions__status=ItemVersion.Status.DRAFT)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    drafts = set(
        ItemVersion.objects.filter(
            item__in=list(page.object_list), status=ItemVersion.Status.DRAFT
        ).values_list("item_id", flat=True)
    )
    rows = [(item, item.pk in drafts) for item in page.object_list]
    return render(
        request, "catalog/staff/item_list.html", {"page": page, "rows": rows, "status": status}
    )


def _own_item(request, pk) -> ServiceItem:
    item = get_object_or_404(ServiceItem.objects.select_related("department", "basic_item"), pk=pk)
    if not can_act_for_department(request.user, item.department_id):
        raise PermissionDenied(_("只能管理本部门的事项"))
    return item


@admin_only
def item_detail(request, pk):
    item = _own_item(request, pk)
    versions = list(
        item.versions.select_related("created_by", "published_by").prefetch_related(
            "halls", "materials", "handling_items", "questions"
        )
    )
    history = []
    for newer, older in itertools.pairwise(versions):
        history.append((newer, older, actions.diff_versions(older, newer)))
    draft = next((v for v in versions if v.is_draft), None)
    problems = []
    if draft is not None:
        data = {name: getattr(draft, name) for name in ItemVersion.ELEMENT_FIELDS}
        errs = actions.validate_elements(item.basic_item, data)
        errs.update(actions.completeness_problems(draft))
        problems = [m for msgs in errs.values() for m in msgs]
    return render(
        request,
        "catalog/staff/item_detail.html",
        {
            "item": item,
            "versions": versions,
            "history": history,
            "draft": draft,
            "problems": problems,
            "four_eyes": actions.four_eyes_refusal(request.user, draft) if draft else "",
        },
    )


@admin_only
@require_POST
def publish(request, pk):
    item = _own_item(request, pk)
    draft = get_object_or_404(ItemVersion, item=item, status=ItemVersion.Status.DRAFT)
    if request.POST.get("confirm") != "yes":  # one click never publishes: the box is required
        messages.error(request, _("请先勾选“我已核对草稿内容和版本变化”，再发布"))
        return redirect("catalog_staff:item", pk=item.pk)
    try:
        actions.publish(actor=request.user, version=draft)
        messages.success(request, _("已发布第 %(number)s 版") % {"number": draft.number})
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect("catalog_staff:item", pk=item.pk)


@admin_only
@require_POST
def new_draft(request, pk):
    item = _own_item(request, pk)
    try:
        draft = actions.new_draft(
            actor=request.user, item=item, change_note=request.POST.get("change_note", "")[:200]
        )
        messages.success(
            request,
            _("已创建草稿第 %(number)s 版：请在下方编辑要素、申请材料和情形引导，完成后审核发布")
            % {"number": draft.number},
        )
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect("catalog_staff:item", pk=item.pk)


@admin_only
@require_POST
def withdraw(request, pk):
    item = _own_item(request, pk)
    if item.current_version is None:
        messages.error(request, _("该事项没有已发布的版本"))
        return redirect("catalog_staff:item", pk=item.pk)
    try:
        actions.withdraw(
            actor=request.user, version=item.current_version, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("事项已停用"))
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect("catalog_staff:item", pk=item.pk)


class DraftForm(forms.ModelForm):
    """The elements of a draft version; saving goes through actions.update_draft."""

    class Meta:
        model = ItemVersion
        fields = [f for f in ItemVersion.ELEMENT_FIELDS if f != "faq"] + ["halls", "change_note"]
        widgets = {"halls": forms.CheckboxSelectMultiple}


# The draft's elements in the groups a catalogue administrator thinks in, each saved on its own so
# that saving one group never touches another (and a long page is not one form with one button).
EDIT_SECTIONS = (
    (
        "basic",
        gettext_lazy("基本信息"),
        ("name", "item_type", "service_object", "keywords", "scope", "person_themes",
         "enterprise_themes"),
    ),
    (
        "legal",
        gettext_lazy("设定依据与实施主体"),
        ("legal_basis", "exercise_content", "authority_division", "implementer_nature",
         "jurisdiction"),
    ),
    (
        "limits",
        gettext_lazy("办理时限"),
        ("legal_limit", "legal_limit_unit", "legal_limit_note", "promised_limit",
         "promised_limit_unit", "promised_limit_note", "handling_type", "special_procedures"),
    ),
    (
        "process",
        gettext_lazy("受理条件与办理流程"),
        ("acceptance_conditions", "process", "joint_departments", "handling_office",
         "intermediary_service", "quantity_limit", "max_visits", "required_realname_level"),
    ),
    (
        "result",
        gettext_lazy("办理结果与收费"),
        ("result_name", "result_sample", "charges_fee", "fee_basis", "fee_standard"),
    ),
    (
        "online",
        gettext_lazy("办理形式与网上办理"),
        ("handling_forms", "supports_appointment", "online_payment", "express_delivery",
         "is_online", "online_url"),
    ),
    (
        "place",
        gettext_lazy("办理地点与咨询"),
        ("halls", "place_note", "office_hours", "consult_phone", "supervision_phone"),
    ),
    ("note", gettext_lazy("修订说明"), ("change_note",)),
)  # fmt: skip


def _section_form(key: str, fields, draft, data=None):
    form_class = forms.modelform_factory(ItemVersion, form=DraftForm, fields=list(fields))
    return form_class(data, instance=draft, prefix=key)


def _save_section(request, draft, form) -> bool:
    """Save one group's changes through actions.update_draft; errors go back onto the form."""
    if not form.is_valid():
        return False
    elements = {name: form.cleaned_data[name] for name in form.changed_data}
    try:
        actions.update_draft(actor=request.user, version=draft, elements=elements)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return False
    return True


@admin_only
def edit_draft(request, pk):
    item = _own_item(request, pk)
    draft = get_object_or_404(ItemVersion, item=item, status=ItemVersion.Status.DRAFT)
    posted = request.POST.get("section", "") if request.method == "POST" else ""
    if request.method == "POST" and posted not in {key for key, _l, _f in EDIT_SECTIONS}:
        messages.error(request, _("请在页面上的某一部分中保存"))
        return redirect("catalog_staff:edit", pk=item.pk)
    sections = []
    for key, label, fields in EDIT_SECTIONS:
        # Only the section saved is bound to what was posted; the others show the stored draft.
        form = _section_form(key, fields, draft, request.POST if key == posted else None)
        if key == posted and _save_section(request, draft, form):
            messages.success(request, _("“%(section)s”已保存") % {"section": label})
            return redirect(f"{request.path}#section-{key}")
        sections.append({"key": key, "label": label, "form": form})
    return render(
        request,
        "catalog/staff/edit_draft.html",
        {
            "item": item,
            "draft": draft,
            "sections": sections,
            "has_errors": any(s["form"].errors for s in sections),
        },
    )


@admin_only
def preview_guide(request, pk):
    """The citizen's guide page as the draft would show it, before anyone publishes it."""
    item = _own_item(request, pk)
    draft = (
        ItemVersion.objects.filter(item=item, status=ItemVersion.Status.DRAFT).first()
        or item.current_version
    )
    if draft is None:
        raise Http404(_("该事项还没有可预览的版本"))
    response = render_guide(request, item, version=draft, preview=True)
    add_never_cache_headers(response)
    return response


class NewItemForm(forms.Form):
    basic_item = forms.ModelChoiceField(
        label=gettext_lazy("基本目录事项"), queryset=BasicItem.objects.order_by("basic_code")
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("实施主体"), queryset=Department.objects.filter(is_active=True)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.has_role(Role.PLATFORM_ADMIN):
            self.fields["department"].queryset = Department.objects.filter(
                pk=staff_department_id(user)
            )


@admin_only
def new_item(request):
    """A new implementation item of a 基本目录 item for one's department (draft version 1)."""
    form = NewItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.create_item(
                actor=request.user,
                basic_item=form.cleaned_data["basic_item"],
                department=form.cleaned_data["department"],
            )
            messages.success(request, _("已创建事项草稿，请完善要素和材料后发布"))
            return redirect("catalog_staff:item", pk=item.pk)
        except ValidationError as exc:
            for message in _messages_of(exc):
                form.add_error(None, message)
    return render(request, "catalog/staff/new_item.html", {"form": form})


ALLOWED_FILE_SIGNATURES = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "Office Open XML（docx/xlsx）",
    b"\xd0\xcf\x11\xe0": "Office 97-2003（doc/xls）",
}
MAX_FORM_FILE = 5 * 1024 * 1024


def _check_form_file(upload):
    """Blank forms and samples are checked by content (PDF or Office files), not by name."""
    if not upload:
        return upload
    if upload.size > MAX_FORM_FILE:
        raise forms.ValidationError(_("文件不能超过5MB"))
    head = upload.read(4)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in ALLOWED_FILE_SIGNATURES):
        raise forms.ValidationError(_("只能上传 PDF、Word 或 Excel 文件"))
    return upload


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = [
            "order",
            "name",
            "issuer",
            "issue_time_requirement",
            "original_count",
            "copy_count",
            "required",
            "notes",
            "allows_deficiency",
            "commitment_replaceable",
            "replaceable_by_licence_type",
            "document_kind",
            "handling_items",
            "blank_form",
            "sample",
        ]
        widgets = {
            "handling_items": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handling_items"].queryset = version.handling_items.all()
        self.fields["handling_items"].help_text = _("不选表示适用全部业务办理项")

    def clean_blank_form(self):
        return _check_form_file(self.cleaned_data.get("blank_form"))

    def clean_sample(self):
        return _check_form_file(self.cleaned_data.get("sample"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("original_count") == 0 and cleaned.get("copy_count") == 0:
            raise forms.ValidationError(_("原件和复印件份数不能都为0"))
        return cleaned


@admin_only
def edit_materials(request, pk):
    """The materials of a draft (names, counts, 容缺/告知承诺/证照替代, forms and samples)."""
    item = _own_item(request, pk)
    draft = get_object_or_404(ItemVersion, item=item, status=ItemVersion.Status.DRAFT)
    formset_class = forms.modelformset_factory(
        Material, form=MaterialForm, extra=1, can_delete=True
    )
    formset = formset_class(
        request.POST or None,
        request.FILES or None,
        queryset=draft.materials.all(),
        form_kwargs={"version": draft},
    )
    if request.method == "POST" and formset.is_valid():
        try:  # the service layer refuses duplicate names and rolls the save back
            actions.save_draft_children(
                actor=request.user,
                version=draft,
                what="申请材料",
                save=_save_formset(formset, version=draft),
            )
            messages.success(request, _("申请材料已保存"))
            return redirect("catalog_staff:item", pk=item.pk)
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(_messages_of(exc))
    return render(
        request,
        "catalog/staff/edit_materials.html",
        {"item": item, "draft": draft, "formset": formset},
    )


class HandlingItemForm(forms.ModelForm):
    class Meta:
        model = HandlingItem
        fields = ["serial", "name", "description"]
        widgets = {"description": forms.TextInput}

    def clean_serial(self):
        serial = self.cleaned_data["serial"].strip()
        if len(serial) != 2 or not serial.isdigit() or serial == "00":
            raise forms.ValidationError(_("序号应为01至99的两位数字"))
        return serial


class BaseHandlingItemFormSet(DraftChildrenRule, forms.BaseModelFormSet):
    unique_field = "serial"  # before saving: the database would refuse the duplicate row


class QuestionForm(forms.ModelForm):
    class Meta:
        model = SituationQuestion
        fields = ["order", "text"]


class OptionForm(forms.ModelForm):
    class Meta:
        model = SituationOption
        fields = ["question", "order", "text", "handling_item", "materials"]
        widgets = {"materials": forms.CheckboxSelectMultiple}

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = version.questions.all()
        self.fields["handling_item"].queryset = version.handling_items.all()
        self.fields["handling_item"].help_text = _("选择此项时办理的业务办理项（可不选）")
        self.fields["materials"].queryset = version.materials.all()
        self.fields["materials"].help_text = _("只有选择此项时才需要的材料")


def _save_formset(formset, **parent):
    def save():
        for obj in formset.save(commit=False):
            for name, value in parent.items():
                setattr(obj, name, value)
            obj.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()

    return save


@admin_only
def edit_situations(request, pk):
    """业务办理项 and situation questions of a draft; options refer to saved questions."""
    item = _own_item(request, pk)
    draft = get_object_or_404(ItemVersion, item=item, status=ItemVersion.Status.DRAFT)
    part = request.POST.get("part", "")
    handling_set = forms.modelformset_factory(
        HandlingItem,
        form=HandlingItemForm,
        formset=BaseHandlingItemFormSet,
        extra=1,
        can_delete=True,
    )(
        request.POST if part == "handling" else None,
        queryset=draft.handling_items.all(),
        prefix="handling",
    )
    question_set = forms.modelformset_factory(
        SituationQuestion, form=QuestionForm, extra=1, can_delete=True
    )(
        request.POST if part == "questions" else None,
        queryset=draft.questions.all(),
        prefix="questions",
    )
    option_set = forms.modelformset_factory(
        SituationOption, form=OptionForm, extra=2, can_delete=True
    )(
        request.POST if part == "options" else None,
        queryset=SituationOption.objects.filter(question__version=draft).select_related("question"),
        prefix="options",
        form_kwargs={"version": draft},
    )
    current = {"handling": handling_set, "questions": question_set, "options": option_set}.get(part)
    if request.method == "POST" and current is not None and current.is_valid():
        parent = {"version": draft} if part in ("handling", "questions") else {}
        try:
            actions.save_draft_children(
                actor=request.user, version=draft, what=part, save=_save_formset(current, **parent)
            )
            messages.success(request, _("已保存"))
            return redirect("catalog_staff:situations", pk=item.pk)
        except (ValidationError, IntegrityError) as exc:
            reasons = (
                _messages_of(exc)
                if isinstance(exc, ValidationError)
                else [_("保存失败：数据冲突，请刷新后重试")]
            )
            current._non_form_errors = current.error_class(reasons)
    return render(
        request,
        "catalog/staff/edit_situations.html",
        {
            "item": item,
            "draft": draft,
            "handling_set": handling_set,
            "question_set": question_set,
            "option_set": option_set,
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("事项清单 Excel 文件（.xlsx）"))


@admin_only
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = excel.validate_workbook(
                actor=request.user, uploaded=upload, original_name=upload.name
            )
            return redirect("catalog_staff:import-batch", pk=batch.pk)
        except ValidationError as exc:
            error = "；".join(_messages_of(exc))
    recent = ImportBatch.objects.filter(uploaded_by=request.user)[:10]
    return render(
        request, "catalog/staff/import.html", {"form": form, "error": error, "recent": recent}
    )


@admin_only
def import_batch(request, pk):
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by=request.user)
    if request.method == "POST":
        try:
            excel.confirm_batch(actor=request.user, batch=batch)
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        return redirect("catalog_staff:import-batch", pk=batch.pk)
    done_total = None
    if batch.status == ImportBatch.Status.APPLYING:
        done_total = excel.progress.get(batch.pk) or (0, batch.good_rows)
    return render(
        request, "catalog/staff/import_batch.html", {"batch": batch, "progress": done_total}
    )


@admin_only
def export(request):
    items = _visible_items(request.user).filter(current_version__isnull=False)
    content = excel.export_workbook(items)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"catalog-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin_only
def statistics_page(request):
    department = region = None
    if request.GET.get("department", "").isdigit():
        department = get_object_or_404(Department, pk=request.GET["department"])
    if request.GET.get("region", "").isdigit():
        region = get_object_or_404(Region, code=request.GET["region"])
    figures = statistics.compute(department=department, region=region)
    return render(
        request,
        "catalog/staff/statistics.html",
        {"figures": figures, "department": department, "region": region},
    )
