"""/api/v1/bundles: 一件事 for the mobile app and other systems — the published bundles and their
one guide (public), the signed-in account's bundle applications with their joint status, one
idempotent submission of the one form, and 补正 in one place. Thin: every change goes through
`actions.applying` and `actions.correcting`."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.accounts.models import User
from tongban.applications.models import Application
from tongban.bundles import access
from tongban.bundles.actions import applying, correcting, joint
from tongban.bundles.models import Bundle, BundleApplication, BundleVersion
from tongban.core.paging import ShortListPaginator

KEY_MAX = 60


class BundleSummarySerializer(serializers.Serializer):
    code = serializers.CharField(source="bundle.code")
    name = serializers.CharField()
    theme = serializers.CharField()
    theme_label = serializers.CharField(source="get_theme_display")
    description = serializers.CharField()
    promised_days = serializers.IntegerField(allow_null=True)
    members = serializers.SerializerMethodField()

    def get_members(self, obj) -> list[str]:
        return [m.implementation_code for m in obj.members.all()]


class GuideMaterialSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="一次提交时上传文件的部分名为 material_<key>")
    name = serializers.CharField()
    required = serializers.BooleanField()
    asked = serializers.BooleanField(help_text="false：由前置事项的电子证照提供，无需提交")
    provided_by = serializers.CharField()
    members = serializers.ListField(child=serializers.CharField())


class BundleGuideSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    questions = serializers.ListField(child=serializers.DictField())
    available = serializers.BooleanField()
    unavailable_reason = serializers.CharField()
    members = serializers.ListField(child=serializers.DictField(), required=False)
    materials = GuideMaterialSerializer(many=True, required=False)
    form = serializers.DictField(required=False, help_text="一表：JSON Schema 与分页")


class BundleApplicationSerializer(serializers.ModelSerializer):
    bundle_code = serializers.CharField(source="version.bundle.code")
    bundle_name = serializers.CharField(source="version.name")
    status = serializers.CharField(
        help_text="submitted 待受理 · handling 办理中 · correction 待补正 · completed 已办结"
    )
    status_label = serializers.CharField(source="get_status_display")
    filed_by = serializers.CharField(
        source="owner.masked_name",
        help_text="提交人（经办人姓名已遮盖；企业账户可看到其经办人以本企业名义提交的一件事）",
    )

    class Meta:
        model = BundleApplication
        fields = [
            "public_id",
            "number",
            "bundle_code",
            "bundle_name",
            "status",
            "status_label",
            "filed_by",
            "submitted_at",
            "accepted_on",
            "due_date",
            "warning",
            "completed_at",
        ]


class MemberStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    department = serializers.CharField()
    case_number = serializers.CharField()
    status = serializers.CharField()
    result = serializers.CharField()
    reason = serializers.CharField()
    licences = serializers.ListField(child=serializers.CharField())


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    item = serializers.CharField()
    department = serializers.CharField()
    action = serializers.CharField()
    opinion = serializers.CharField()


class BundleStatusSerializer(BundleApplicationSerializer):
    members = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    result_available = serializers.SerializerMethodField()

    class Meta(BundleApplicationSerializer.Meta):
        fields = [
            *BundleApplicationSerializer.Meta.fields,
            "members",
            "timeline",
            "result_available",
        ]

    def get_members(self, obj) -> list[dict]:
        rows = [joint.member_result(r) for r in joint.memberships(obj)]
        return MemberStatusSerializer(
            [{**r, "licences": [str(lic.identifier) for lic in r["licences"]]} for r in rows],
            many=True,
        ).data

    def get_timeline(self, obj) -> list[dict]:
        return TimelineEntrySerializer(joint.timeline(obj), many=True).data

    def get_result_available(self, obj) -> bool:
        return obj.result_document_id is not None


class SubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=dict,
        help_text="情形问题编号 → 选项编号",
    )
    values = serializers.DictField(required=False, default=dict, help_text="一表字段名 → 值")
    use_licences = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        help_text="用电子证照代替的材料 key（免证可办）",
    )
    licence_consent = serializers.BooleanField(
        default=False, help_text="同意后续事项启动时使用前置事项签发的电子证照"
    )
    member_values = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        default=dict,
        help_text="实施编码 → 该事项的字段值（须与一表一致）",
    )


def _published(code: str) -> BundleVersion:
    bundle = get_object_or_404(Bundle.objects.select_related("current_version"), code=code)
    if bundle.current_version is None:
        raise Http404("该一件事已停用")
    return bundle.current_version


def _applicant(user: User):
    enterprise = getattr(user, "enterprise", None) if user.kind == User.Kind.ENTERPRISE else None
    return user, enterprise


class BundleListView(APIView):
    """The published 一件事, by theme and name (public)."""

    permission_classes = [AllowAny]
    extra_error_statuses = {"get": (400,)}

    @extend_schema(
        responses=BundleSummarySerializer(many=True),
        parameters=[OpenApiParameter("theme", str, enum=["person", "enterprise"], required=False)],
    )
    def get(self, request):
        versions = (
            BundleVersion.objects.filter(status="published")
            .select_related("bundle")
            .prefetch_related("members")
            .order_by("theme", "name")
        )
        theme = request.query_params.get("theme")
        if theme:
            if theme not in BundleVersion.Theme.values:
                raise ValidationError(
                    {"theme": ["theme 应为 person（个人一件事）或 enterprise（企业一件事）"]}
                )
            versions = versions.filter(theme=theme)
        return Response(BundleSummarySerializer(versions[:200], many=True).data)


class BundleGuideView(APIView):
    """一次告知 (public): the situation questions; with every question answered (query parameters
    q<问题编号>=<选项编号>), the chosen members, the materials asked once and the one form."""

    permission_classes = [AllowAny]
    extra_error_statuses = {"get": (400, 404)}

    @extend_schema(responses=BundleGuideSerializer)
    def get(self, request, code: str):
        version = _published(code)
        questions = list(version.questions.prefetch_related("options"))
        body = {
            "code": code,
            "name": version.name,
            "questions": [
                {
                    "id": q.pk,
                    "text": q.text,
                    "options": [{"id": o.pk, "label": o.text} for o in q.options.all()],
                }
                for q in questions
            ],
            "available": True,
            "unavailable_reason": "",
        }
        raw = {
            str(q.pk): request.query_params[f"q{q.pk}"]
            for q in questions
            if request.query_params.get(f"q{q.pk}")
        }
        if len(raw) < len(questions):
            return Response(body)
        try:
            prepared = applying.prepare(version, applying.check_answers(version, raw))
        except applying.BundleUnavailable as exc:
            return Response({**body, "available": False, "unavailable_reason": exc.messages[0]})
        body["members"] = [
            {
                "implementation_code": p.member.implementation_code,
                "name": p.version.name,
                "department": p.item.department.name,
            }
            for p in prepared.plans
        ]
        body["materials"] = GuideMaterialSerializer(
            [
                {
                    "key": m.key,
                    "name": m.name,
                    "required": m.required,
                    "asked": m.asked,
                    "provided_by": m.provided_by,
                    "members": m.members,
                }
                for m in prepared.materials
            ],
            many=True,
        ).data
        body["form"] = {"schema": prepared.schema, "layout": prepared.layout}
        return Response(body)


def _visible(user: User):
    return access.visible_to(user).select_related("version__bundle", "owner")


class MyBundlesView(APIView):
    """The signed-in account's bundle applications, newest first (20 a page)."""

    permission_classes = [IsAuthenticated]
    extra_error_statuses = {"get": (400,)}

    @extend_schema(
        responses=BundleApplicationSerializer(many=True),
        parameters=[OpenApiParameter("page", int, required=False)],
    )
    def get(self, request):
        page = ShortListPaginator(_visible(request.user).order_by("-submitted_at"), 20).get_page(
            request.query_params.get("page")
        )
        return Response(BundleApplicationSerializer(page.object_list, many=True).data)


class BundleStatusView(APIView):
    """Joint status of one of the account's bundle applications: every member side by side and
    one timeline."""

    permission_classes = [IsAuthenticated]
    extra_error_statuses = {"get": (404,)}

    @extend_schema(responses=BundleStatusSerializer)
    def get(self, request, public_id):
        bundle = get_object_or_404(_visible(request.user), public_id=public_id)
        return Response(BundleStatusSerializer(bundle).data)


def _submission(request) -> tuple[dict, dict]:
    if request.content_type.startswith("multipart/"):
        try:
            data = json.loads(request.data.get("bundle") or "")
        except ValueError as exc:
            raise ValidationError({"bundle": ["bundle 部分应为 JSON 文本"]}) from exc
        files: dict[str, list] = {}
        for name in request.FILES:
            prefix, _sep, key = name.partition("_")
            if prefix != "material" or not key:
                raise ValidationError({name: ["文件部分应命名为 material_<材料 key>"]})
            files[key] = request.FILES.getlist(name)
    else:
        data, files = request.data, {}
    if not isinstance(data, dict):
        raise ValidationError({"bundle": ["请求体应为 JSON 对象"]})
    return data, files


class BundleSubmitView(APIView):
    """一表申请, one call: the answers, the one form's values and the materials; every chosen member
    becomes an ordinary application in one transaction. Requires an Idempotency-Key: a retry with
    the same key and body answers with the first bundle application (200)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]
    extra_error_statuses = {"post": (400, 404)}

    @extend_schema(
        request={
            "application/json": SubmitSerializer,
            "multipart/form-data": inline_serializer(
                "BundleSubmitWithFiles",
                {
                    "bundle": serializers.CharField(help_text="JSON 文本，内容同 JSON 请求体"),
                    "material_<key>": serializers.ListField(child=serializers.FileField()),
                },
            ),
        },
        responses={201: BundleApplicationSerializer, 200: BundleApplicationSerializer},
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)
        ],
    )
    def post(self, request, code: str):
        key = request.headers.get("Idempotency-Key", "").strip()[:KEY_MAX]
        if not key:
            raise ValidationError(
                {"Idempotency-Key": ["提交一件事必须带 Idempotency-Key 请求头，重试时用同一个值"]}
            )
        version = _published(code)
        raw, files = _submission(request)
        incoming = SubmitSerializer(data=raw)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        owner, enterprise = _applicant(request.user)
        scoped = f"bundle:{owner.pk}:api:{key}"[:80]
        existed = BundleApplication.objects.filter(idempotency_key=scoped).exists()
        bundle = applying.submit_bundle(
            owner=owner,
            version=version,
            channel=Application.Channel.API,
            answers=data["answers"],
            values=data["values"],
            files=files,
            use_licences=set(data["use_licences"]),
            enterprise=enterprise,
            licence_consent=data["licence_consent"],
            idempotency_key=scoped,
            member_values=data["member_values"],
        )
        return Response(
            BundleApplicationSerializer(bundle).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class BundleCorrectionMaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="补正时上传文件的部分名为 material_<id>")
    name = serializers.CharField()
    required = serializers.BooleanField()


class BundleCorrectionMemberSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    notice_items = serializers.ListField(
        child=serializers.CharField(), help_text="补正告知书列明的需补正内容"
    )
    respond_by = serializers.DateField(
        allow_null=True, help_text="补正期限，逾期视为放弃该事项的申请"
    )
    materials = BundleCorrectionMaterialSerializer(many=True)


class BundleCorrectionChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField()
    label = serializers.CharField()


class BundleCorrectableFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="补正时 values 中的键")
    title = serializers.CharField()
    type = serializers.CharField()
    choices = BundleCorrectionChoiceSerializer(
        many=True, help_text="只能取其中之一的字段；其他为空"
    )
    value = serializers.JSONField(
        allow_null=True,
        help_text="当前值；身份证号、电话、银行账号不返回（null），需更正时重新填写",
    )
    personal = serializers.BooleanField()
    members = serializers.ListField(
        child=serializers.CharField(), help_text="一次更正、同步到的各事项"
    )


class BundleCorrectionSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text="false：没有需要补正的事项")
    members = BundleCorrectionMemberSerializer(many=True, help_text="待补正的事项，各有其补正告知")
    fields = BundleCorrectableFieldSerializer(many=True, help_text="可在此一次更正的申请表内容")


class BundleCorrectionInputSerializer(serializers.Serializer):
    values = serializers.DictField(
        required=False, default=dict, help_text="字段名 → 更正后的值（只填需要更正的）"
    )


class BundleCorrectionResultSerializer(serializers.Serializer):
    resubmitted = serializers.ListField(
        child=serializers.CharField(), help_text="补正后重新提交的办件编号；空：没有需要补正的事项"
    )
    detail = serializers.CharField()


def _correction_body(bundle: BundleApplication) -> dict:
    members = []
    for entry in correcting.under_correction(bundle):
        application, notice = entry["application"], entry["notice"]
        members.append(
            {
                "case_number": application.case_number,
                "name": application.item_version.name,
                "department": application.service_item.department.name,
                "notice_items": [str(item) for item in (notice.items if notice else [])],
                "respond_by": notice.respond_by if notice else None,
                "materials": [
                    {"id": m.pk, "name": m.name, "required": m.required} for m in entry["materials"]
                ],
            }
        )
    fields = [
        {
            "name": f.name,
            "title": f.title,
            "type": f.prop.get("type", "string"),
            "choices": [{"value": v, "label": str(label)} for v, label in f.choices],
            "value": f.value,
            "personal": f.personal,
            "members": f.member_names,
        }
        for f in (correcting.correctable_fields(bundle) if members else [])
    ]
    return {"open": bool(members), "members": members, "fields": fields}


def _correction_request(request) -> tuple[dict, dict[int, list]]:
    """The values (JSON body, or the `correction` JSON part of a multipart body) and the files
    (parts `material_<id>`) of one correction."""
    files: dict[int, list] = {}
    if request.content_type.startswith("multipart/"):
        try:
            data = json.loads(request.data.get("correction") or "{}")
        except ValueError as exc:
            raise ValidationError({"correction": ["correction 部分应为 JSON 文本"]}) from exc
        for name in request.FILES:
            prefix, _sep, key = name.partition("_")
            if prefix != "material" or not key.isdigit():
                raise ValidationError({name: ["文件部分应命名为 material_<材料 id>"]})
            files[int(key)] = request.FILES.getlist(name)
    else:
        data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"correction": ["请求体应为 JSON 对象"]})
    incoming = BundleCorrectionInputSerializer(data=data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data["values"], files


class BundleCorrectionView(APIView):
    """补正 in one place, as on the bundle page: GET the open correction (the members under 补正
    with their notices and materials, the form fields to correct once for every member that asks
    for them); POST the corrected values and files, every member under 补正 resubmitted together,
    all or nothing. Only the applicant who filed the bundle corrects it (403 for the enterprise
    account that follows its agent's bundle, 404 for anyone else). A repeated POST (a retry, a
    second device) finds nothing left under 补正 and changes nothing: 200 with no case numbers."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]
    extra_error_statuses = {"get": (403, 404), "post": (400, 403, 404)}

    def _bundle(self, request, public_id) -> BundleApplication:
        bundle = get_object_or_404(_visible(request.user), public_id=public_id)
        if not access.may_correct(request.user, bundle):
            raise PermissionDenied(_("补正由提交该一件事的经办人办理，本企业账户只能查看进度"))
        return bundle

    @extend_schema(responses=BundleCorrectionSerializer)
    def get(self, request, public_id):
        bundle = self._bundle(request, public_id)
        return Response(BundleCorrectionSerializer(_correction_body(bundle)).data)

    @extend_schema(
        request={
            "application/json": BundleCorrectionInputSerializer,
            "multipart/form-data": inline_serializer(
                "BundleCorrectionWithFiles",
                {
                    "correction": serializers.CharField(
                        required=False, help_text="JSON 文本，内容同 JSON 请求体"
                    ),
                    "material_<id>": serializers.ListField(child=serializers.FileField()),
                },
            ),
        },
        responses=BundleCorrectionResultSerializer,
    )
    def post(self, request, public_id):
        bundle = self._bundle(request, public_id)
        values, files = _correction_request(request)
        numbers = correcting.correct(bundle=bundle, actor=request.user, files=files, values=values)
        detail = (
            _("补正材料已提交，相关部门将重新受理。")
            if numbers
            else _("没有需要补正的事项，无需重复提交。")
        )
        return Response(
            BundleCorrectionResultSerializer({"resubmitted": numbers, "detail": detail}).data
        )
