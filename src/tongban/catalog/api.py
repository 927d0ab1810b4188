"""REST API of the catalogue: public reads (items, guides, search, situation guidance, statistics)
and writes for catalogue administrators of the item's department. Writes call catalog.actions."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.accounts.permissions import HasStaffRole, can_act_for_department
from tongban.accounts.roles import Role
from tongban.catalog import actions, search, statistics
from tongban.catalog.models import BasicItem, ItemVersion, Material, ServiceItem
from tongban.catalog.views import GUIDE_PREFETCH, published_items
from tongban.core import bounds
from tongban.core.models import Department, Region

# --- serializers ----------------------------------------------------------------------------------


class ItemSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="current_version.name")
    department = serializers.CharField(source="department.name")
    region = serializers.CharField(source="region_id")
    handling_type = serializers.CharField(source="current_version.get_handling_type_display")
    is_online = serializers.BooleanField(source="current_version.is_online")
    max_visits = serializers.IntegerField(source="current_version.max_visits")
    version = serializers.IntegerField(source="current_version.number")

    class Meta:
        model = ServiceItem
        fields = [
            "implementation_code",
            "name",
            "department",
            "region",
            "handling_type",
            "is_online",
            "max_visits",
            "version",
        ]


class MaterialSerializer(serializers.ModelSerializer):
    handling_items = serializers.SlugRelatedField(slug_field="serial", many=True, read_only=True)

    class Meta:
        model = Material
        fields = [
            "id",
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
        ]


class VersionSerializer(serializers.ModelSerializer):
    materials = MaterialSerializer(many=True, read_only=True)
    handling_items = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    halls = serializers.StringRelatedField(many=True, read_only=True)

    class Meta:
        model = ItemVersion
        fields = [
            "id",
            "number",
            "status",
            "valid_from",
            "valid_to",
            *ItemVersion.ELEMENT_FIELDS,
            "halls",
            "materials",
            "handling_items",
            "questions",
        ]

    def get_handling_items(self, version) -> list[dict]:
        code = version.item.implementation_code
        return [
            {"code": f"{code}{h.serial}", "name": h.name, "description": h.description}
            for h in version.handling_items.all()
        ]

    def get_questions(self, version) -> list[dict]:
        return [
            {
                "id": q.pk,
                "text": q.text,
                "options": [{"id": o.pk, "text": o.text} for o in q.options.all()],
            }
            for q in version.questions.all()
        ]


class ItemDetailSerializer(serializers.ModelSerializer):
    basic_code = serializers.CharField(source="basic_item.basic_code")
    department = serializers.CharField(source="department.name")
    guide = VersionSerializer(source="current_version")

    class Meta:
        model = ServiceItem
        fields = [
            "implementation_code",
            "basic_code",
            "department",
            "region_id",
            "exercise_level",
            "guide",
        ]


class ItemCreateSerializer(serializers.Serializer):
    basic_code = serializers.CharField(max_length=12)
    department = bounds.id_field()
    exercise_level = serializers.IntegerField(required=False, min_value=1, max_value=7)
    elements = serializers.DictField(required=False)


class SituationRequest(serializers.Serializer):
    answers = serializers.DictField(child=bounds.id_field(), help_text="{问题id: 选项id}")


class SituationResult(serializers.Serializer):
    handling_item = serializers.DictField(allow_null=True)
    materials = MaterialSerializer(many=True)
    unanswered = serializers.ListField(child=serializers.IntegerField())


class StructureSerializer(serializers.Serializer):
    handling_items = serializers.ListField(
        child=serializers.DictField(), required=False, default=list
    )
    materials = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    questions = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class CreatedItemSerializer(serializers.Serializer):
    implementation_code = serializers.CharField()
    draft_version = serializers.IntegerField(help_text="草稿第1版的编号（versions/{id}）")


class FiguresSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    online = serializers.IntegerField()
    online_rate = serializers.FloatField(allow_null=True, help_text="百分比；没有事项时为空")
    at_most_once = serializers.IntegerField()
    at_most_once_rate = serializers.FloatField(allow_null=True)
    zero_visit = serializers.IntegerField()
    zero_visit_rate = serializers.FloatField(allow_null=True)
    immediate = serializers.IntegerField()
    immediate_share = serializers.FloatField(allow_null=True)
    compression_ratio = serializers.FloatField(allow_null=True, help_text="承诺时限压缩比，百分比")


class DepartmentFiguresSerializer(FiguresSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegionFiguresSerializer(FiguresSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    total = FiguresSerializer()
    departments = DepartmentFiguresSerializer(many=True)
    regions = RegionFiguresSerializer(many=True)


class StatisticsQuery(serializers.Serializer):
    department = bounds.id_field(required=False, help_text="部门编号")
    region = serializers.RegexField(
        r"^\d{6}(\d{3})?(\d{3})?$",
        required=False,
        help_text="行政区划代码（6、9 或 12 位数字）",
        error_messages={"invalid": "行政区划代码应为 6、9 或 12 位数字"},
    )


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="事项名称、关键词或拼音首字母"
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


# --- permissions ------------------------------------------------------------------------------------


class ReadOrCatalogueAdmin(BasePermission):
    message = "只有事项管理员可以维护事项"

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "action", "") == "situation":
            return True
        return HasStaffRole().has_permission(request, view)


def _check_department(request, department_id) -> None:
    if not can_act_for_department(request.user, department_id):
        raise PermissionDenied("只能维护本部门的事项")


# --- views -------------------------------------------------------------------------------------------


class ItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Published implementation items (实施清单) and their guides."""

    lookup_field = "implementation_code"
    extra_error_statuses = {"create": (404,)}  # an unknown department
    permission_classes = [ReadOrCatalogueAdmin]
    required_roles = (Role.CATALOGUE_ADMIN,)

    def get_queryset(self):
        items = published_items().order_by("implementation_code")
        if self.action == "list":
            params = self.request.query_params
            if params.get("department", "").isdigit():
                items = items.filter(department_id=params["department"])
            if params.get("region", "").isdigit():
                items = items.filter(region_id=params["region"])
        if self.action in ("retrieve", "situation"):
            items = items.select_related("basic_item").prefetch_related(
                *(f"current_version__{p}" for p in GUIDE_PREFETCH)
            )
        return items

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ItemDetailSerializer
        if self.action == "create":
            return ItemCreateSerializer
        return ItemSummarySerializer

    @extend_schema(
        request=ItemCreateSerializer,
        responses={201: CreatedItemSerializer},
        summary="新建实施清单事项（生成草稿第1版）",
    )
    def create(self, request, *args, **kwargs):
        incoming = ItemCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        department = get_object_or_404(Department, pk=data["department"])
        _check_department(request, department.pk)
        basic = BasicItem.objects.filter(basic_code=data["basic_code"]).first()
        if basic is None:
            raise ValidationError({"basic_code": ["该基本编码不存在"]})
        item = actions.create_item(
            actor=request.user,
            basic_item=basic,
            department=department,
            elements=data.get("elements") or {},
            exercise_level=data.get("exercise_level"),
        )
        draft = item.versions.get()
        return Response(
            {"implementation_code": item.implementation_code, "draft_version": draft.pk},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=SituationRequest,
        responses=SituationResult,
        summary="情形引导：按回答得出业务办理项和材料",
    )
    @action(detail=True, methods=["post"], permission_classes=[AllowAny], authentication_classes=[])
    def situation(self, request, implementation_code=None):
        item = self.get_object()
        incoming = SituationRequest(data=request.data)
        incoming.is_valid(raise_exception=True)
        answers = actions.answers_from(incoming.validated_data["answers"])
        guidance = actions.resolve_situation(item.current_version, answers)
        if guidance.invalid:
            raise ValidationError({"answers": guidance.invalid})
        handling = guidance.handling_item
        return Response(
            {
                "handling_item": {"code": handling.code_for(item), "name": handling.name}
                if handling
                else None,
                "materials": MaterialSerializer(guidance.materials, many=True).data,
                "unanswered": [q.pk for q in guidance.unanswered],
            }
        )

    @extend_schema(
        request=None, responses={201: VersionSerializer}, summary="以现行版本为基础新建草稿版本"
    )
    @action(detail=True, methods=["post"], url_path="new-draft")
    def new_draft(self, request, implementation_code=None):
        item = get_object_or_404(ServiceItem, implementation_code=implementation_code)
        _check_department(request, item.department_id)
        draft = actions.new_draft(
            actor=request.user,
            item=item,
            change_note=str(request.data.get("change_note", ""))[:200],
        )
        return Response(VersionSerializer(draft).data, status=status.HTTP_201_CREATED)


class VersionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Versions of items, for catalogue administrators: edit drafts, publish, withdraw."""

    permission_classes = [HasStaffRole]
    required_roles = (Role.CATALOGUE_ADMIN,)
    serializer_class = VersionSerializer
    lookup_value_regex = bounds.ID_PATTERN

    def get_queryset(self):
        return ItemVersion.objects.select_related("item").prefetch_related(*GUIDE_PREFETCH)

    def get_object(self):
        version = super().get_object()
        _check_department(self.request, version.item.department_id)
        return version

    @extend_schema(
        request=VersionSerializer, responses=VersionSerializer, summary="修改草稿版本要素"
    )
    def partial_update(self, request, pk=None):
        version = self.get_object()
        elements = {k: v for k, v in request.data.items() if k in ItemVersion.ELEMENT_FIELDS}
        unknown = set(request.data) - set(elements)
        if unknown:
            raise ValidationError(
                {"elements": [f"未知或不可修改的要素：{'、'.join(sorted(unknown))}"]}
            )
        actions.update_draft(actor=request.user, version=version, elements=elements)
        return Response(VersionSerializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(
        request=StructureSerializer,
        responses=VersionSerializer,
        summary="设置草稿的业务办理项、材料和情形问题",
    )
    @action(detail=True, methods=["put"])
    def structure(self, request, pk=None):
        version = self.get_object()
        incoming = StructureSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            handling = [
                (h["serial"], h["name"], h.get("description", "")) for h in data["handling_items"]
            ]
            materials = [
                actions.MaterialSpec(
                    **{**m, "handling_serials": tuple(m.get("handling_serials", ()))}
                )
                for m in data["materials"]
            ]
        except (KeyError, TypeError) as exc:
            raise ValidationError({"structure": [f"格式有误：{exc}"]}) from exc
        actions.set_structure(
            actor=request.user,
            version=version,
            handling_items=handling,
            materials=materials,
            questions=data["questions"],
        )
        return Response(VersionSerializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(request=None, responses=VersionSerializer, summary="发布草稿版本")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        version = actions.publish(actor=request.user, version=self.get_object())
        return Response(VersionSerializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(request=ReasonSerializer, responses=VersionSerializer, summary="停用已发布版本")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        version = actions.withdraw(
            actor=request.user,
            version=self.get_object(),
            reason=str(request.data.get("reason", "")),
        )
        return Response(VersionSerializer(self.get_queryset().get(pk=version.pk)).data)


class SearchView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    pagination_class = PageNumberPagination  # so the schema shows the paginated answer

    @extend_schema(
        parameters=[SearchQuery], responses=ItemSummarySerializer(many=True), summary="搜索事项"
    )
    def get(self, request):
        query = (request.query_params.get("q") or "").strip()[:50]
        ids = search.search(query) if query else []
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(ids, request, view=self)
        found = published_items().in_bulk(page)
        items = [found[pk] for pk in page if pk in found]
        return paginator.get_paginated_response(ItemSummarySerializer(items, many=True).data)


class StatisticsView(APIView):
    permission_classes = [AllowAny]
    extra_error_statuses = (404,)  # an unknown department or region
    authentication_classes: list = []

    @extend_schema(
        parameters=[StatisticsQuery],
        responses=StatisticsSerializer,
        summary="事项统计（网上可办率、最多跑一次率等）",
    )
    def get(self, request):
        incoming = StatisticsQuery(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        params = incoming.validated_data
        department = (
            get_object_or_404(Department, pk=params["department"])
            if "department" in params
            else None
        )
        region = get_object_or_404(Region, code=params["region"]) if "region" in params else None
        figures = statistics.compute(department=department, region=region)
        return Response(
            {
                "total": figures["total"].as_dict(),
                "departments": [
                    {"id": d.pk, "name": d.name, **f.as_dict()} for d, f in figures["departments"]
                ],
                "regions": [
                    {"code": r.code, "name": r.name, **f.as_dict()} for r, f in figures["regions"]
                ],
            }
        )
