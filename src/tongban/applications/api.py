"""/api/v1/applications: the same intake capabilities as the pages, for the mobile app and for
department systems. Thin: validation of the request here, everything else in actions."""

import hashlib
import json
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.accounts.models import EnterpriseProfile
from tongban.applications import actions, formdefs, formlib, views
from tongban.applications.models import (
    Application,
    ApplicationForm,
    UploadedFile,
    pinned_guide_texts,
    public_timeline,
)
from tongban.applications.states import Status
from tongban.catalog import actions as catalog
from tongban.catalog.models import ServiceItem
from tongban.core import bounds
from tongban.core.apierrors import Conflict, TooManyRequests


class TimelineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    department = serializers.CharField(source="department.name", default="")
    action = serializers.CharField()
    opinion = serializers.CharField()


class FileSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.name")

    class Meta:
        model = UploadedFile
        fields = ["id", "material", "original_name", "content_type", "size", "pages", "uploaded_at"]


class ApplicationSummarySerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item_version.name")
    implementation_code = serializers.CharField(source="service_item.implementation_code")
    department = serializers.CharField(source="service_item.department.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = Application
        fields = [
            "public_id",
            "case_number",
            "status",
            "status_label",
            "item_name",
            "implementation_code",
            "department",
            "channel",
            "created_at",
            "updated_at",
            "submitted_at",
        ]


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    form = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "form",
            "data",
            "materials",
            "problems",
            "timeline",
        ]

    def get_form(self, obj) -> dict:
        return {
            "version": obj.form.version,
            "schema": obj.form.schema,
            "layout": obj.form.layout,
            "prefilled": sorted(actions.prefilled_fields(obj)),
        }

    def get_data(self, obj) -> dict:
        """The form values, personal data (ID, phone, bank account) masked: the full value only
        through POST …/reveal, which is audited."""
        return formdefs.masked_data(obj.form.schema, obj.data)

    def _checklist(self, obj) -> list[dict]:
        """The material checklist, worked out once for both fields that show it."""
        kept = self.__dict__.setdefault("_checklists", {})
        if obj.pk not in kept:
            kept[obj.pk] = actions.material_checklist(obj)
        return kept[obj.pk]

    def get_materials(self, obj) -> list[dict]:
        return [
            {
                "id": row["material"].pk,
                "name": row["material"].name,
                "required": row["material"].required,
                "missing": row["missing"],
                "files": FileSerializer(row["files"], many=True).data,
            }
            for row in self._checklist(obj)
        ]

    def get_problems(self, obj) -> dict:
        if obj.status != Status.DRAFT:
            return {}
        return actions.submission_problems(obj, self._checklist(obj))

    def get_timeline(self, obj) -> list[dict]:
        return TimelineSerializer(public_timeline(obj), many=True).data


class StartSerializer(serializers.Serializer):
    implementation_code = serializers.CharField(max_length=31)
    answers = serializers.DictField(
        child=bounds.id_field(), required=False, help_text="情形问题编号 → 选项编号"
    )
    enterprise_uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    entrusted = serializers.BooleanField(default=False)


class WholeApplicationSerializer(StartSerializer):
    values = serializers.DictField(
        required=False, default=dict, help_text="申请表各页字段名 → 填写的值（预填字段不必填）"
    )


class PublishedFormSerializer(serializers.Serializer):
    implementation_code = serializers.CharField()
    version = serializers.IntegerField()
    schema = serializers.DictField(help_text="JSON Schema；x-prefill 标出平台预填的字段")
    layout = serializers.DictField(help_text="分页与字段顺序")


class SectionSerializer(serializers.Serializer):
    values = serializers.DictField(help_text="本页字段名 → 填写的值")


class RevealSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=60, help_text="申请表字段名")
    purpose = serializers.CharField(max_length=200, help_text="查看用途（记入审计）")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


def _fingerprint(data: dict, files: dict | None = None) -> str:
    """A digest of what a request asked for (body and uploaded files' contents)."""
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    )
    for material_id in sorted(files or {}):
        for uploaded in files[material_id]:
            digest.update(f"|{material_id}:".encode())
            for chunk in uploaded.chunks():
                digest.update(chunk)
            uploaded.seek(0)
    return digest.hexdigest()


class KeyReusedWithOtherBody(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "该 Idempotency-Key 已用于内容不同的请求：重试时请求内容须与第一次完全相同，新的申请请换一个"
        " Idempotency-Key"
    )
    default_code = "idempotency_key_reused"


def _application_for_key(scoped_key: str | None, owner, fingerprint: str) -> Application | None:
    """The application an earlier request with this Idempotency-Key made, if any; a key used
    before with a different body is refused (422), never answered with the other application."""
    if not scoped_key:
        return None
    earlier = Application.objects.filter(idempotency_key=scoped_key, owner=owner).first()
    return _same_body(earlier, fingerprint) if earlier else None


def _same_body(earlier: Application, fingerprint: str) -> Application:
    # Applications made before fingerprints were kept have none: they are answered as before.
    if earlier.idempotency_fingerprint not in ("", fingerprint):
        raise KeyReusedWithOtherBody()
    return earlier


def _applying_for(data: dict) -> dict:
    """What starting an application takes from a request: the item (its current version checked
    and pinned, its department shown in the response), the enterprise applied for, if any, and the
    情形引导 answers (question id → option id)."""
    item = get_object_or_404(
        ServiceItem.objects.select_related("current_version", "department"),
        implementation_code=data["implementation_code"],
    )
    enterprise = None
    if data.get("enterprise_uscc"):
        enterprise = get_object_or_404(EnterpriseProfile, uscc=data["enterprise_uscc"].upper())
    return {
        "service_item": item,
        "enterprise": enterprise,
        "entrusted": data["entrusted"],
        "answers": catalog.answers_from(data.get("answers") or {}),
    }


def _whole_application_data(request) -> dict:
    """The application of a one-call submission: the JSON body, or the multipart part named
    "application" when files come with it."""
    if request.content_type.startswith("multipart/"):
        try:
            data = json.loads(request.data.get("application") or "")
        except ValueError as exc:
            raise ValidationError({"application": ["application 部分应为 JSON 文本"]}) from exc
    else:
        data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"application": ["application 应为 JSON 对象"]})
    return data


def _files_by_material(request) -> dict[int, list]:
    files: dict[int, list] = {}
    for name in request.FILES:
        prefix, _, material_id = name.partition("_")
        if prefix != "material" or not material_id.isdigit():
            raise ValidationError({name: ["文件部分应命名为 material_<材料编号>"]})
        files[int(material_id)] = request.FILES.getlist(name)
    return files


def _submitted_before(application: Application, fingerprint: str) -> Response:
    if application.submitted_at is None:  # the key was used for a draft made step by step
        raise Conflict("该 Idempotency-Key 已用于创建一份草稿，请换一个或继续提交该草稿")
    _same_body(application, fingerprint)
    return Response(ApplicationSummarySerializer(application).data, status=status.HTTP_200_OK)


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in account's applications. Creating one accepts an Idempotency-Key header: the
    same key returns the same draft instead of a second one."""

    extra_error_statuses = {"create": (404, 422), "submit_whole": (404, 409, 422)}
    lookup_field = "public_id"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Application.objects.none()
        return (
            Application.objects.filter(owner=self.request.user)
            .exclude(status=Status.DISCARDED)
            .select_related("item_version", "service_item__department", "form")
            .defer(*pinned_guide_texts())
            .order_by("-updated_at")
        )

    def get_serializer_class(self):
        return (
            ApplicationDetailSerializer
            if self.action == "retrieve"
            else ApplicationSummarySerializer
        )

    @extend_schema(
        request=StartSerializer,
        responses={201: ApplicationDetailSerializer},
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
    )
    def create(self, request):
        incoming = StartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key = request.headers.get("Idempotency-Key", "").strip()[:60]
        scoped_key = f"{request.user.pk}:{key}" if key else None
        fingerprint = _fingerprint(data)
        existing = _application_for_key(scoped_key, request.user, fingerprint)
        if existing:
            return Response(ApplicationDetailSerializer(existing).data, status=status.HTTP_200_OK)
        try:
            application = actions.start_application(
                owner=request.user,
                channel=Application.Channel.API,
                idempotency_key=scoped_key,
                idempotency_fingerprint=fingerprint,
                **_applying_for(data),
            )
        except IntegrityError:  # the same key raced in from a retry: answer with the first draft
            application = _same_body(
                Application.objects.get(idempotency_key=scoped_key), fingerprint
            )
        return Response(
            ApplicationDetailSerializer(application).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "WholeApplicationWithFiles",
                {
                    "application": serializers.CharField(
                        help_text="JSON 文本，内容同 application/json 请求体"
                    ),
                    "material_<id>": serializers.ListField(
                        child=serializers.FileField(), help_text="该材料的文件，可多个"
                    ),
                },
            ),
            "application/json": WholeApplicationSerializer,
        },
        responses={201: ApplicationSummarySerializer, 200: ApplicationSummarySerializer},
        operation_id="applications_submit_whole",
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="submit",
        parser_classes=[MultiPartParser, JSONParser],
    )
    def submit_whole(self, request):
        """一次提交: create, fill, upload and submit in one request, all or nothing. A retry with
        the same Idempotency-Key answers with the application the first attempt submitted."""
        key = request.headers.get("Idempotency-Key", "").strip()[:60]
        if not key:
            raise ValidationError(
                {"Idempotency-Key": ["一次提交必须带 Idempotency-Key 请求头，重试时用同一个值"]}
            )
        scoped_key = f"{request.user.pk}:{key}"
        raw = _whole_application_data(request)
        files = _files_by_material(request)
        fingerprint = _fingerprint(raw, files)
        existing = Application.objects.filter(idempotency_key=scoped_key, owner=request.user)
        if existing.exists():
            return _submitted_before(existing.get(), fingerprint)
        incoming = WholeApplicationSerializer(data=raw)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            application = actions.apply_in_one(
                owner=request.user,
                channel=Application.Channel.API,
                values=data["values"],
                files=files,
                idempotency_key=scoped_key,
                idempotency_fingerprint=fingerprint,
                **_applying_for(data),
            )
        except IntegrityError:  # the same key raced in from a retry: the first one stands
            earlier = Application.objects.get(idempotency_key=scoped_key)
            return _submitted_before(earlier, fingerprint)
        return Response(
            ApplicationSummarySerializer(application).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=PublishedFormSerializer)
    @action(detail=False, methods=["get"], url_path=r"forms/(?P<implementation_code>[0-9A-Za-z]+)")
    def form(self, request, implementation_code=None):
        """The application form an item takes now: its fields (JSON Schema; "x-prefill" marks
        the ones the platform fills in) and pages, for a one-call submission's "values"."""
        item = get_object_or_404(ServiceItem, implementation_code=implementation_code)
        form = item.forms.filter(status=ApplicationForm.Status.PUBLISHED).first()
        # An item without a form of its own takes the standard form, published as version 1 by
        # the first application (actions.published_form); reading it here writes nothing.
        schema, layout = (form.schema, form.layout) if form else formlib.standard_definition()
        return Response(
            {
                "implementation_code": item.implementation_code,
                "version": form.version if form else 1,
                "schema": schema,
                "layout": layout,
            }
        )

    @extend_schema(
        request=SectionSerializer,
        responses=inline_serializer(
            "SectionResult", {"errors": serializers.DictField(child=serializers.CharField())}
        ),
    )
    @action(detail=True, methods=["put"], url_path=r"sections/(?P<section>\d+)")
    def section(self, request, public_id=None, section=None):
        incoming = SectionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        errors = actions.save_section(
            application=self.get_object(),
            actor=request.user,
            section=int(section),
            raw=incoming.validated_data["values"],
        )
        return Response({"errors": errors})

    @extend_schema(
        request=inline_serializer(
            "Upload",
            {
                "material": serializers.IntegerField(),
                "file": serializers.FileField(),
                "replaces": serializers.IntegerField(
                    required=False,
                    help_text="The id of one of the material's current files: the new file takes "
                    "its place (the old one is kept in the application's history only).",
                ),
            },
        ),
        responses={201: FileSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def files(self, request, public_id=None):
        raw = str(request.data.get("material", ""))
        if not re.fullmatch(bounds.ID_PATTERN, raw):
            raise ValidationError({"material": ["请指定材料编号"]})
        material_id = int(raw)
        replaces = str(request.data.get("replaces", "") or "")
        if replaces and not re.fullmatch(bounds.ID_PATTERN, replaces):
            raise ValidationError({"replaces": ["请指定要替换的文件编号"]})
        stored = actions.attach_file(
            application=self.get_object(),
            actor=request.user,
            material_id=material_id,
            uploaded=request.FILES.get("file"),
            replaces=int(replaces) if replaces else None,
        )
        return Response(FileSerializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=rf"files/(?P<file_id>{bounds.ID_PATTERN})")
    def delete_file(self, request, public_id=None, file_id=None):
        actions.remove_file(application=self.get_object(), actor=request.user, file_id=int(file_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, public_id=None):
        application = actions.submit(application=self.get_object(), actor=request.user)
        return Response(ApplicationDetailSerializer(application).data)

    @extend_schema(
        request=RevealSerializer,
        responses=inline_serializer(
            "RevealedValue", {"field": serializers.CharField(), "value": serializers.CharField()}
        ),
        summary="查看申请表中一项个人信息的完整值（记录审计）",
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, public_id=None):
        incoming = RevealSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        value = actions.reveal_form_value(
            actor=request.user, application=self.get_object(), **incoming.validated_data
        )
        return Response({"field": incoming.validated_data["field"], "value": value})

    @extend_schema(request=WithdrawSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, public_id=None):
        incoming = WithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        application = actions.withdraw(
            application=self.get_object(),
            actor=request.user,
            reason=incoming.validated_data["reason"],
        )
        return Response(ApplicationDetailSerializer(application).data)


class ProgressQuerySerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=43)
    phone_tail = serializers.CharField(max_length=4, min_length=4)


class ProgressView(APIView):
    """Public progress query by case number and the last four digits of the phone."""

    extra_error_statuses = (404, 429)
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=ProgressQuerySerializer,
        responses=inline_serializer(
            "Progress",
            {
                "case_number": serializers.CharField(),
                "item_name": serializers.CharField(),
                "status": serializers.CharField(),
                "status_label": serializers.CharField(),
                "department": serializers.CharField(),
                "timeline": TimelineSerializer(many=True),
            },
        ),
        operation_id="progress_query",
    )
    def post(self, request):
        incoming = ProgressQuerySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if views.progress_limited(request):
            raise TooManyRequests("查询过于频繁，请一小时后再试")
        result, error = views.progress_lookup(**incoming.validated_data)
        if result is None:
            raise NotFound(error)
        application = result["application"]
        return Response(
            {
                "case_number": application.case_number,
                "item_name": application.item_version.name,
                "status": application.status,
                "status_label": application.get_status_display(),
                "department": application.service_item.department.name,
                "timeline": TimelineSerializer(result["events"], many=True).data,
            }
        )
