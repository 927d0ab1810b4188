"""Staff pages under /workbench/exchange/: the resource catalogue (browse, search, edit drafts and
their data items, publish, withdraw, Excel import and export), access requests with approval,
grants, bulk loads and call statistics. Every change goes through exchange.actions."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from tongban.accounts.permissions import (
    can_act_for_department,
    role_required,
    staff_department_id,
    staff_required,
)
from tongban.accounts.roles import Role
from tongban.core.models import Department
from tongban.exchange import excel, policy, statistics
from tongban.exchange.actions import access, catalogue
from tongban.exchange.models import (
    AccessRequest,
    BulkLoad,
    Consumer,
    DataItem,
    Grant,
    ItemType,
    Resource,
    ResourceVersion,
    Sensitivity,
    ShareCondition,
)

admin_only = role_required(Role.CATALOGUE_ADMIN)


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _flash(request, exc: ValidationError) -> None:
    for message in _messages_of(exc):
        messages.error(request, message)


# --- resources ------------------------------------------------------------------------------------


@staff_required
def resource_list(request):
    resources = Resource.objects.select_related(
        "department", "current_version__resource_class"
    ).order_by("code")
    text = request.GET.get("q", "").strip()[:50]
    if text:
        resources = resources.filter(
            Q(code__icontains=text)
            | Q(versions__name__icontains=text)
            | Q(department__name__icontains=text)
        ).distinct()
    page = Paginator(resources, 25).get_page(request.GET.get("page"))
    return render(request, "exchange/staff/resources.html", {"page": page, "q": text})


@staff_required
def resource_detail(request, pk):
    resource = get_object_or_404(Resource.objects.select_related("department"), pk=pk)
    versions = list(resource.versions.select_related("resource_class").order_by("-number")[:20])
    shown = resource.current_version or (versions[0] if versions else None)
    draft = next((v for v in versions if v.status == ResourceVersion.Status.DRAFT), None)
    return render(
        request,
        "exchange/staff/resource.html",
        {
            "resource": resource,
            "shown": shown,
            "items": list(shown.items.all()) if shown else [],
            "versions": versions,
            "draft": draft,
            "changes": resource.changes.select_related("version", "actor").order_by("-id")[:30],
            "may_manage": policy.can_manage_resources(request.user, resource.department_id),
            "may_request": _consumers_of(request.user).exists()
            and shown is not None
            and shown.share_condition != ShareCondition.NOT_SHARED,
        },
    )


class DraftForm(forms.Form):
    name = forms.CharField(label="资源名称", max_length=100)
    description = forms.CharField(label="资源摘要", widget=forms.Textarea, required=False)
    update_frequency = forms.CharField(label="更新周期", max_length=20)
    share_condition = forms.ChoiceField(label="共享属性", choices=ShareCondition.choices)
    share_basis = forms.CharField(label="共享条件与依据", widget=forms.Textarea, required=False)
    open_condition = forms.CharField(label="开放属性", max_length=100)
    provider_label = forms.CharField(label="核验来源名称", max_length=60, required=False)


def _managed(request, pk) -> Resource:
    resource = get_object_or_404(Resource.objects.select_related("department"), pk=pk)
    if not can_act_for_department(request.user, resource.department_id):
        raise PermissionDenied(_("只能管理本部门提供的数据资源"))
    return resource


@admin_only
def edit_draft(request, pk):
    resource = _managed(request, pk)
    draft = get_object_or_404(resource.versions, status=ResourceVersion.Status.DRAFT)
    form = DraftForm(
        request.POST or None, initial={name: getattr(draft, name) for name in DraftForm.base_fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.update_draft(actor=request.user, version=draft, elements=form.cleaned_data)
            messages.success(request, _("草稿已保存"))
            return redirect("exchange_staff:resource", pk=resource.pk)
        except ValidationError as exc:
            _flash(request, exc)
    return render(
        request,
        "exchange/staff/edit_draft.html",
        {"resource": resource, "draft": draft, "form": form, "items": list(draft.items.all())},
    )


class ItemForm(forms.Form):
    code = forms.CharField(
        label=_lazy("信息项代码"),
        max_length=40,
        help_text=_lazy("以字母开头，只用字母、数字和下划线，如 xm、csrq"),
    )
    name = forms.CharField(label=_lazy("信息项名称"), max_length=60)
    item_type = forms.ChoiceField(label=_lazy("数据类型"), choices=ItemType.choices)
    code_table = forms.CharField(
        label=_lazy("代码表"),
        max_length=300,
        required=False,
        help_text=_lazy("允许的取值，以 | 分隔，如 男|女"),
    )
    description = forms.CharField(label=_lazy("说明"), max_length=200, required=False)
    sensitivity = forms.ChoiceField(label=_lazy("敏感级别"), choices=Sensitivity.choices)
    personal = forms.BooleanField(label=_lazy("个人信息"), required=False)
    required = forms.BooleanField(label=_lazy("必填"), required=False)
    rule = forms.ChoiceField(label=_lazy("校验规则"), choices=DataItem.Rule.choices, required=False)

    def spec(self) -> catalogue.ItemSpec:
        return catalogue.ItemSpec(**self.cleaned_data)

    def show(self, exc: ValidationError) -> None:
        """The service layer's reasons, next to the field they concern."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, problems in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, problems)


def _draft_item(request, pk, item_pk) -> tuple[Resource, DataItem]:
    resource = _managed(request, pk)
    item = get_object_or_404(
        DataItem.objects.select_related("version"), pk=item_pk, version__resource=resource
    )
    return resource, item


def _item_page(request, resource, version, form, item=None):
    return render(
        request,
        "exchange/staff/item_form.html",
        {"resource": resource, "version": version, "form": form, "item": item},
    )


@admin_only
def item_new(request, pk):
    resource = _managed(request, pk)
    draft = get_object_or_404(resource.versions, status=ResourceVersion.Status.DRAFT)
    form = ItemForm(request.POST or None, initial={"item_type": "string", "sensitivity": "general"})
    if request.method == "POST" and form.is_valid():
        try:
            item = catalogue.add_item(actor=request.user, version=draft, spec=form.spec())
            messages.success(request, _("已新增信息项 %(code)s") % {"code": item.code})
            return redirect("exchange_staff:edit", pk=resource.pk)
        except ValidationError as exc:
            form.show(exc)
    return _item_page(request, resource, draft, form)


@admin_only
def item_edit(request, pk, item_pk):
    resource, item = _draft_item(request, pk, item_pk)
    initial = {name: getattr(item, name) for name in ItemForm.base_fields}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.update_item(actor=request.user, item=item, spec=form.spec())
            messages.success(request, _("信息项已保存"))
            return redirect("exchange_staff:edit", pk=resource.pk)
        except ValidationError as exc:
            form.show(exc)
    return _item_page(request, resource, item.version, form, item)


@admin_only
@require_POST
def item_remove(request, pk, item_pk):
    resource, item = _draft_item(request, pk, item_pk)
    try:
        catalogue.remove_item(actor=request.user, item=item)
        messages.success(request, _("已删除信息项 %(code)s") % {"code": item.code})
    except ValidationError as exc:
        _flash(request, exc)
    if item.version.status != ResourceVersion.Status.DRAFT:
        return redirect("exchange_staff:resource", pk=resource.pk)
    return redirect("exchange_staff:edit", pk=resource.pk)


@admin_only
@require_POST
def new_draft(request, pk):
    resource = _managed(request, pk)
    try:
        catalogue.new_draft(
            actor=request.user, resource=resource, change_note=request.POST.get("note", "")[:200]
        )
        messages.success(request, _("已新建草稿"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("exchange_staff:resource", pk=resource.pk)


@admin_only
@require_POST
def publish(request, pk):
    resource = _managed(request, pk)
    draft = get_object_or_404(resource.versions, status=ResourceVersion.Status.DRAFT)
    try:
        catalogue.publish(actor=request.user, version=draft)
        messages.success(request, _("已发布第 %(n)s 版") % {"n": draft.number})
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("exchange_staff:resource", pk=resource.pk)


@admin_only
@require_POST
def withdraw(request, pk):
    resource = _managed(request, pk)
    if resource.current_version is None:
        messages.error(request, _("该资源没有已发布的版本"))
        return redirect("exchange_staff:resource", pk=resource.pk)
    try:
        catalogue.withdraw(
            actor=request.user,
            version=resource.current_version,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("已停用"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("exchange_staff:resource", pk=resource.pk)


@staff_required
def export(request):
    response = HttpResponse(
        excel.export_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="exchange-resources.xlsx"'
    return response


@admin_only
def import_upload(request):
    report = None
    if request.method == "POST":
        upload = request.FILES.get("workbook")
        if upload is None:
            messages.error(request, _("请选择要导入的 Excel 文件"))
        else:
            report = excel.import_workbook(actor=request.user, content=upload.read())
            if report.ok:
                messages.success(
                    request, _("已导入 %(n)s 个数据资源（草稿）") % {"n": report.created}
                )
    return render(request, "exchange/staff/import.html", {"report": report})


# --- requests and grants --------------------------------------------------------------------------


def _consumers_of(user):
    consumers = Consumer.objects.filter(active=True)
    if user.has_role(Role.PLATFORM_ADMIN):
        return consumers
    return consumers.filter(department_id=staff_department_id(user))


_may_decide = policy.can_decide


@staff_required
def request_list(request):
    user = request.user
    requests = AccessRequest.objects.select_related(
        "consumer", "resource__department", "resource__current_version"
    )
    if not user.has_role(Role.PLATFORM_ADMIN):
        department = staff_department_id(user)
        requests = requests.filter(
            Q(resource__department_id=department) | Q(consumer__department_id=department)
        )
    status = request.GET.get("status", "pending")
    if status in AccessRequest.Status.values:
        requests = requests.filter(status=status)
    page = Paginator(requests.order_by("-id"), 25).get_page(request.GET.get("page"))
    rows = [(r, _may_decide(user, r)) for r in page.object_list]
    return render(
        request,
        "exchange/staff/requests.html",
        {"page": page, "rows": rows, "status": status, "statuses": AccessRequest.Status.choices},
    )


class RequestForm(forms.Form):
    consumer = forms.ModelChoiceField(label="使用方", queryset=Consumer.objects.none())
    items = forms.MultipleChoiceField(label="信息项", widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label="用途", max_length=200)
    legal_basis = forms.CharField(label="法律依据", max_length=300)
    valid_until = forms.DateField(
        label="使用期限至", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, user, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consumer"].queryset = _consumers_of(user)
        self.fields["items"].choices = [
            (i.code, f"{i.name}（{i.code}）") for i in version.items.all()
        ]


@staff_required
def new_request(request, pk):
    resource = get_object_or_404(Resource.objects.select_related("current_version"), pk=pk)
    version = resource.current_version
    if version is None:
        raise PermissionDenied(_("该资源未发布"))
    form = RequestForm(
        request.POST or None,
        user=request.user,
        version=version,
        initial={"valid_until": timezone.localdate() + datetime.timedelta(days=365)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = access.request_access(
                actor=request.user,
                consumer=data["consumer"],
                resource=resource,
                items=data["items"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
                valid_until=data["valid_until"],
            )
            if created.status == AccessRequest.Status.APPROVED:
                messages.success(request, _("无条件共享资源，已自动授权"))
            else:
                messages.success(request, _("申请已提交，等待提供部门审核"))
            return redirect("exchange_staff:requests")
        except ValidationError as exc:
            _flash(request, exc)
    return render(
        request,
        "exchange/staff/new_request.html",
        {"resource": resource, "version": version, "form": form},
    )


def _decidable(request, pk) -> AccessRequest:
    obj = get_object_or_404(
        AccessRequest.objects.select_related("resource__department", "consumer"), pk=pk
    )
    if not _may_decide(request.user, obj):
        raise PermissionDenied(_("只有提供部门的资源管理员可以审核"))
    return obj


@admin_only
@require_POST
def approve(request, pk):
    obj = _decidable(request, pk)
    try:
        access.approve(actor=request.user, request=obj, note=request.POST.get("note", ""))
        messages.success(request, _("已同意，授权即时生效"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("exchange_staff:requests")


@admin_only
@require_POST
def refuse(request, pk):
    obj = _decidable(request, pk)
    try:
        access.refuse(actor=request.user, request=obj, reason=request.POST.get("reason", ""))
        messages.success(request, _("已拒绝"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("exchange_staff:requests")


@staff_required
def grant_list(request):
    grants = Grant.objects.select_related(
        "consumer", "resource__department", "resource__current_version"
    )
    user = request.user
    if not user.has_role(Role.PLATFORM_ADMIN):
        department = staff_department_id(user)
        grants = grants.filter(
            Q(resource__department_id=department) | Q(consumer__department_id=department)
        )
    page = Paginator(grants.order_by("-id"), 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        (
            g,
            g.revoked_at is None and g.valid_until >= today,
            policy.can_manage_resources(user, g.resource.department_id),
        )
        for g in page.object_list
    ]
    return render(request, "exchange/staff/grants.html", {"page": page, "rows": rows})


@admin_only
@require_POST
def revoke(request, pk):
    grant = get_object_or_404(Grant, pk=pk)
    try:
        access.revoke_grant(actor=request.user, grant=grant, reason=request.POST.get("reason", ""))
        messages.success(request, _("授权已撤销"))
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("exchange_staff:grants")


# --- consumers (platform administrators) -----------------------------------------------------------

platform_admin_only = role_required(Role.PLATFORM_ADMIN)


@platform_admin_only
def consumer_list(request):
    consumers = Consumer.objects.select_related("department", "application").order_by("code")
    page = Paginator(consumers, 25).get_page(request.GET.get("page"))
    return render(request, "exchange/staff/consumers.html", {"page": page})


class ConsumerForm(forms.Form):
    code = forms.RegexField(
        label="使用方代码",
        max_length=40,
        regex=r"^[a-z0-9][a-z0-9._-]*$",
        error_messages={"invalid": "使用方代码只能用小写字母、数字、点、下划线和连字符"},
        help_text="例如 wj.csyxzm",
    )
    name = forms.CharField(label="使用方名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Consumer.Kind.choices)
    department = forms.ModelChoiceField(
        label="所属部门", queryset=Department.objects.order_by("name"), required=False
    )
    rate_limit_per_minute = forms.IntegerField(
        label="每分钟调用上限", min_value=1, max_value=1_000_000, initial=600
    )


def _secret_page(request, consumer, secret):
    """The client secret, this once: never stored in clear, never shown again, never cached."""
    response = render(
        request, "exchange/staff/consumer_secret.html", {"consumer": consumer, "secret": secret}
    )
    response["Cache-Control"] = "no-store"
    return response


@platform_admin_only
def consumer_new(request):
    form = ConsumerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consumer, secret = access.create_consumer(actor=request.user, **data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            if not secret:
                messages.success(request, _("已登记平台功能使用方"))
                return redirect("exchange_staff:consumers")
            return _secret_page(request, consumer, secret)
    return render(request, "exchange/staff/consumer_new.html", {"form": form})


@platform_admin_only
@require_POST
def consumer_rotate(request, pk):
    consumer = get_object_or_404(Consumer.objects.select_related("application"), pk=pk)
    try:
        secret = access.rotate_secret(actor=request.user, consumer=consumer)
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("exchange_staff:consumers")
    return _secret_page(request, consumer, secret)


@staff_required
def load_list(request):
    loads = BulkLoad.objects.select_related("resource__current_version").order_by("-id")
    page = Paginator(loads, 25).get_page(request.GET.get("page"))
    return render(request, "exchange/staff/loads.html", {"page": page})


@role_required(Role.CATALOGUE_ADMIN, Role.SUPERVISOR)
def statistics_page(request):
    end = timezone.localdate()
    start = end - datetime.timedelta(days=6)
    rows = statistics.daily(start, end)
    return render(
        request, "exchange/staff/statistics.html", {"rows": rows, "start": start, "end": end}
    )
