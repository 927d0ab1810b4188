"""/api/v1/workorders/: classify a text, report a problem, follow an order, receive sensor alerts;
/api/v1/open311/v2/: the same orders as Open311 GeoReport v2 (services, requests)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, Throttled
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.core import ratelimit
from tongban.core.apierrors import ServiceUnavailable, error_body
from tongban.core.logging import redact
from tongban.core.request_context import client_ip
from tongban.workorders import classifier, routing
from tongban.workorders.actions import alerts, closure, intake
from tongban.workorders.codes import FINAL, Channel, Kind, Urgency
from tongban.workorders.models import Category, WorkOrder

LIMITS = {  # per address: (attempts, seconds)
    "classify": (120, 60),
    "report": (30, 3600),
    "track": (30, 3600),
}


def limited(request, name: str) -> None:
    limit, window = LIMITS[name]
    if ratelimit.exceeded(f"workorders-{name}:{client_ip(request)}", limit, window):
        raise Throttled(detail=_("请求过于频繁，请稍后再试"))


class ClassifyIn(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=True, trim_whitespace=True)


class DepartmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClassifyOut(serializers.Serializer):
    category = serializers.CharField(help_text="分类代码")
    category_name = serializers.CharField()
    department = DepartmentOut(allow_null=True)
    confidence = serializers.FloatField()
    confident = serializers.BooleanField(help_text="低于阈值时由派单员人工判断")
    model_version = serializers.CharField()


class ClassifyView(APIView):
    """Suggest a category and department while a citizen types; no order is created."""

    extra_error_statuses = (429, 503)
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=ClassifyIn, responses={200: ClassifyOut}, tags=["workorders"])
    def post(self, request):
        limited(request, "classify")
        given = ClassifyIn(data=request.data)
        given.is_valid(raise_exception=True)
        text = given.validated_data["text"]
        if not text:
            raise ValidationError({"text": ["请填写诉求内容"]})
        prediction = classifier.predict(text)
        if prediction is None:
            raise ServiceUnavailable("智能分类模型尚未训练，请由派单员人工分类")
        category = (
            Category.objects.select_related("parent", "department")
            .filter(code=prediction.category_code)
            .first()
        )
        if category is None:  # a model trained on categories since removed: retrain it
            raise ServiceUnavailable("智能分类模型与现行类别不一致，请由派单员人工分类")
        department = routing.route(category).department
        return Response(
            {
                "category": category.code,
                "category_name": category.path,
                "department": {"id": department.pk, "name": department.name}
                if department
                else None,
                "confidence": prediction.confidence,
                "confident": prediction.confident,
                "model_version": prediction.version,
            }
        )


class ReportIn(serializers.Serializer):
    text = serializers.CharField(max_length=4000, allow_blank=True, trim_whitespace=False)
    kind = serializers.CharField(
        default=Kind.COMPLAINT, help_text="consult/help/complaint/report/suggestion/praise"
    )
    urgency = serializers.CharField(default=Urgency.NORMAL)
    address = serializers.CharField(required=False, allow_blank=True, max_length=400)
    lng = serializers.CharField(required=False, allow_blank=True, max_length=20)
    lat = serializers.CharField(required=False, allow_blank=True, max_length=20)
    name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class OrderOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    kind = serializers.CharField()
    category = serializers.CharField(source="category.path", default=None)
    department = serializers.CharField(source="department.name", default=None)
    reply = serializers.CharField()
    created_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    merged_into = serializers.CharField(source="merged_into.number", default=None)


class ReportView(APIView):
    """A citizen's report (text, photos as multipart, location). Signed-in citizens may leave out
    the phone; it is taken from the account."""

    extra_error_statuses = (429,)
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ReportIn, "application/json": ReportIn},
        responses={201: OrderOut},
        tags=["workorders"],
    )
    def post(self, request):
        limited(request, "report")
        given = ReportIn(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = request.user if request.user.is_authenticated else None
        order = intake.submit(
            intake.Report(
                text=data["text"],
                kind=data["kind"],
                urgency=data["urgency"],
                channel=Channel.API,
                address=data.get("address", ""),
                lng=data.get("lng") or None,
                lat=data.get("lat") or None,
                reporter_name=data.get("name", ""),
                reporter_phone=data.get("phone", ""),
                reporter=user if user and user.kind != "staff" else None,
                photos=request.FILES.getlist("photos"),
            )
        )
        return Response(OrderOut(order).data, status=status.HTTP_201_CREATED)


class TrackView(APIView):
    """Progress of one order by its number and the last four digits of the reporter's phone."""

    extra_error_statuses = (404, 429)
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, description="14位工单编号"),
            OpenApiParameter("phone_tail", str, description="联系电话后四位"),
        ],
        responses={200: OrderOut},
        tags=["workorders"],
    )
    def get(self, request):
        limited(request, "track")
        order, error = closure.track(
            request.query_params.get("number", ""), request.query_params.get("phone_tail", "")
        )
        if order is None:
            raise NotFound(error)
        return Response(OrderOut(order).data)


class AlertView(APIView):
    """IoT alerts. One alert: the raw JSON body {"sensor": …, "value": …} signed with HMAC-SHA256
    (hex) in X-Signature. A gateway's batch: a JSON array (up to 1,000) of the MQTT envelope
    {"body": "<the alert's raw JSON>", "signature": "<hex>"}, each alert signed by its own sensor;
    the batch is folded per sensor in one transaction and every refusal is answered with its
    position, so nothing is lost silently."""

    extra_error_statuses = (403, 413)
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=inline_serializer(
            "AlertIn",
            {
                "sensor": serializers.CharField(help_text="单条告警：设备编码"),
                "value": serializers.CharField(required=False),
            },
        ),
        parameters=[
            OpenApiParameter(
                "X-Signature",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="单条告警：HMAC-SHA256(设备密钥, 请求体) 十六进制；批量提交（JSON 数组，"
                "每项 {body, signature}）时不用",
            )
        ],
        responses={
            202: inline_serializer(
                "AlertOut",
                {
                    "order": serializers.CharField(required=False),
                    "created": serializers.BooleanField(required=False),
                    "accepted": serializers.IntegerField(required=False),
                    "orders": serializers.ListField(child=serializers.CharField(), required=False),
                    "refused": serializers.ListField(
                        child=inline_serializer(
                            "AlertRefused",
                            {
                                "index": serializers.IntegerField(),
                                "reason": serializers.CharField(),
                            },
                        ),
                        required=False,
                    ),
                },
            )
        },
        tags=["workorders"],
    )
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > alerts.MAX_BATCH_BYTES:
            return Response(
                error_body(
                    "too_large",
                    f"请求过大：一次最多提交{alerts.MAX_BATCH}条、{alerts.MAX_BATCH_BYTES // 1000}KB",
                ),
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        body = request.body
        if body.lstrip()[:1] == b"[":
            return self._batch(body)
        try:
            accepted = alerts.receive(body, request.headers.get("X-Signature", ""))
        except alerts.AlertRejected as error:
            raise PermissionDenied(str(error)) from error
        return Response(
            {"order": accepted.order_number, "created": accepted.created},
            status=status.HTTP_202_ACCEPTED,
        )

    def _batch(self, body: bytes) -> Response:
        try:
            messages = alerts.parse_envelopes(body)
        except alerts.AlertRejected as error:
            raise PermissionDenied(str(error)) from error
        result = alerts.check_batch(messages)
        refused = [{"index": index, "reason": reason} for index, reason in result.refused]
        if not result.alerts:
            return Response(
                # The error shape every API error has, plus why each alert was refused.
                {
                    **error_body("permission_denied", "告警全部被拒绝"),
                    "accepted": 0,
                    "orders": [],
                    "refused": refused,
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        return Response(
            {
                "accepted": result.alerts,
                "orders": sorted({a.order_number for a in result.accepted}),
                "refused": refused,
            },
            status=status.HTTP_202_ACCEPTED,
        )


# --- Open311 GeoReport v2 -------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def service_of(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.parent.name if category.parent_id else ''}·{category.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": category.name,
        "group": category.parent.name if category.parent_id else "",
    }


def request_of(order: WorkOrder) -> dict:
    """An order as a GeoReport v2 service request; the text is published with ID and phone numbers
    masked, the reporter never."""
    return {
        "service_request_id": order.number,
        "status": "closed" if order.status in FINAL else "open",
        "status_notes": order.get_status_display(),
        "service_name": order.category.name if order.category_id else "",
        "service_code": order.category.code if order.category_id else "",
        "description": redact(order.text),
        "agency_responsible": order.department.name if order.department_id else "",
        "service_notice": redact(order.reply) if order.reply else "",
        "requested_datetime": _iso(order.created_at),
        "updated_datetime": _iso(order.updated_at),
        "expected_datetime": _iso(order.due_at),
        "address": order.address,
        "address_id": order.grid_cell.code if order.grid_cell_id else "",
        "zipcode": "",
        "lat": float(order.lat) if order.lat is not None else None,
        "long": float(order.lng) if order.lng is not None else None,
        "media_url": "",
    }


class Open311Services(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses={
            200: inline_serializer(
                "Open311Service",
                {
                    "service_code": serializers.CharField(),
                    "service_name": serializers.CharField(),
                    "description": serializers.CharField(),
                    "metadata": serializers.BooleanField(),
                    "type": serializers.CharField(),
                    "keywords": serializers.CharField(),
                    "group": serializers.CharField(),
                },
                many=True,
            )
        },
        tags=["open311"],
    )
    def get(self, request):
        leaves = Category.objects.filter(is_active=True, parent__isnull=False).select_related(
            "parent"
        )
        return Response([service_of(c) for c in leaves])


REQUEST_FIELDS = {
    name: serializers.CharField(allow_null=True)
    for name in (
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "media_url",
    )
} | {
    "lat": serializers.FloatField(allow_null=True),
    "long": serializers.FloatField(allow_null=True),
}


class Open311Requests(APIView):
    extra_error_statuses = {"post": (429,)}
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser]
    PAGE = 50

    @extend_schema(
        parameters=[
            OpenApiParameter("service_request_id", str, description="逗号分隔的工单编号"),
            OpenApiParameter("service_code", str),
            OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter("start_date", str, description="ISO 8601"),
            OpenApiParameter("end_date", str, description="ISO 8601"),
        ],
        responses={200: inline_serializer("Open311Request", REQUEST_FIELDS, many=True)},
        tags=["open311"],
    )
    def get(self, request):
        orders = WorkOrder.objects.select_related("category", "department", "grid_cell")
        params = request.query_params
        if params.get("service_request_id"):
            orders = orders.filter(number__in=params["service_request_id"].split(",")[:50])
        if params.get("service_code"):
            orders = orders.filter(category__code=params["service_code"])
        if params.get("status") == "open":
            orders = orders.exclude(status__in=FINAL)
        elif params.get("status") == "closed":
            orders = orders.filter(status__in=FINAL)
        for name, lookup in (("start_date", "created_at__gte"), ("end_date", "created_at__lte")):
            if params.get(name):
                from django.utils.dateparse import parse_datetime

                moment = parse_datetime(params[name])
                if moment is None:
                    raise ValidationError({name: ["日期时间格式应为 ISO 8601"]})
                orders = orders.filter(**{lookup: moment})
        return Response([request_of(o) for o in orders.order_by("-created_at")[: self.PAGE]])

    @extend_schema(
        request=inline_serializer(
            "Open311RequestIn",
            {
                "service_code": serializers.CharField(),
                "description": serializers.CharField(),
                "lat": serializers.CharField(required=False),
                "long": serializers.CharField(required=False),
                "address_string": serializers.CharField(required=False),
                "phone": serializers.CharField(required=False),
                "first_name": serializers.CharField(required=False),
                "last_name": serializers.CharField(required=False),
            },
        ),
        responses={
            201: inline_serializer(
                "Open311Created",
                {
                    "service_request_id": serializers.CharField(),
                    "service_notice": serializers.CharField(),
                },
                many=True,
            )
        },
        tags=["open311"],
    )
    def post(self, request):
        limited(request, "report")
        data = request.data
        category = Category.objects.filter(
            code=data.get("service_code", ""), is_active=True
        ).first()
        if category is None:
            raise ValidationError({"service_code": ["未知的服务类别（service_code）"]})
        order = intake.submit(
            intake.Report(
                text=data.get("description", ""),
                kind=Kind.COMPLAINT,
                channel=Channel.API,
                address=data.get("address_string", ""),
                lng=data.get("long") or None,
                lat=data.get("lat") or None,
                reporter_name=f"{data.get('last_name', '')}{data.get('first_name', '')}",
                reporter_phone=data.get("phone", ""),
                category_code=category.code,
            )
        )
        notice = "已立案，可凭工单编号和电话后四位查询进度"
        return Response(
            [{"service_request_id": order.number, "service_notice": notice}],
            status=status.HTTP_201_CREATED,
        )


class Open311Request(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses={200: inline_serializer("Open311RequestOne", REQUEST_FIELDS, many=True)},
        tags=["open311"],
    )
    def get(self, request, number):
        order = (
            WorkOrder.objects.select_related("category", "department", "grid_cell")
            .filter(number=number)
            .first()
        )
        if order is None:
            raise NotFound("没有该工单")
        return Response([request_of(order)])
