"""REST endpoints of outgoing bulk delivery (批量交付/订阅) for department systems (OAuth 2.0 client
credentials, scope "exchange"): subscribe to a resource, have an extract produced on demand, list
the extracts with their manifests, download a file."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from tongban.exchange.actions import subscriptions
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.api import Refusal
from tongban.exchange.models import BulkLoad, Extract, FileFormat, Subscription
from tongban.exchange.tokens import ExchangeClientView

EXTRACTS_LISTED = 50


class SubscriptionRequest(serializers.Serializer):
    resource = serializers.CharField(max_length=40, help_text="数据资源代码")
    items = serializers.ListField(
        child=serializers.CharField(max_length=40),
        min_length=1,
        max_length=200,
        help_text="订阅的信息项代码，须全部在有效授权之内",
    )
    format = serializers.ChoiceField(choices=FileFormat.choices, help_text="文件格式")
    purpose = serializers.CharField(max_length=200, allow_blank=True, help_text="用途（必填）")
    full_every_days = serializers.IntegerField(
        required=False,
        default=7,
        min_value=1,
        max_value=366,
        help_text="按计划交付的全量间隔（天）",
    )


class SubscriptionAnswer(serializers.Serializer):
    id = serializers.IntegerField()
    resource = serializers.CharField(source="resource.code")
    items = serializers.ListField(child=serializers.CharField())
    format = serializers.CharField(source="file_format")
    purpose = serializers.CharField()
    full_every_days = serializers.IntegerField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ExtractRequest(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=BulkLoad.Mode.choices, help_text="full：全量；incremental：自上一个文件以来的增量"
    )


class Manifest(serializers.Serializer):
    id = serializers.IntegerField()
    subscription = serializers.IntegerField()
    number = serializers.IntegerField(help_text="该订阅的第几个文件")
    resource = serializers.CharField()
    resource_version = serializers.IntegerField(help_text="生成时的资源版本号")
    mode = serializers.ChoiceField(choices=BulkLoad.Mode.choices)
    format = serializers.ChoiceField(choices=FileFormat.choices)
    rows = serializers.IntegerField(help_text="行数")
    items = serializers.ListField(child=serializers.CharField(), help_text="交付的信息项")
    period_start = serializers.DateTimeField(
        allow_null=True, help_text="增量的起点（不含）；全量为空"
    )
    period_end = serializers.DateTimeField(help_text="截至时间")
    sha256 = serializers.CharField(help_text="文件的 SHA-256（十六进制）")
    size = serializers.IntegerField(help_text="字节数")
    created_at = serializers.DateTimeField()


def _denied(denial: ExchangeDenied) -> Response:
    return Response({"code": denial.code, "detail": denial.message}, status=denial.status)


def _invalid(exc: ValidationError):
    raise ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class _ConsumerView(ExchangeClientView):
    def _subscription(self, request, pk) -> Subscription:
        subscription = (
            Subscription.objects.select_related("resource", "consumer")
            .filter(pk=pk, consumer=request.exchange_consumer)
            .first()
        )
        if subscription is None:
            raise NotFound("没有这个订阅")
        return subscription


class SubscriptionsView(_ConsumerView):
    @extend_schema(
        responses=SubscriptionAnswer(many=True),
        summary="本系统的批量交付订阅",
        tags=["exchange"],
    )
    def get(self, request):
        rows = Subscription.objects.filter(consumer=request.exchange_consumer).select_related(
            "resource"
        )
        return Response(SubscriptionAnswer(rows.order_by("id")[:200], many=True).data)

    @extend_schema(
        request=SubscriptionRequest,
        responses={
            200: OpenApiResponse(SubscriptionAnswer, description="已有订阅，已按请求修改"),
            201: OpenApiResponse(SubscriptionAnswer, description="新订阅"),
            400: OpenApiResponse(Refusal, description="请求有误（缺少用途、格式无效等）"),
            403: OpenApiResponse(Refusal, description="未获授权、授权过期、含未授权信息项"),
            404: OpenApiResponse(Refusal, description="数据资源不存在或未发布"),
        },
        summary="订阅数据资源的批量文件（全量、增量；CSV 或 Parquet）",
        tags=["exchange"],
    )
    def post(self, request):
        payload = SubscriptionRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            subscription, created = subscriptions.subscribe(
                consumer=request.exchange_consumer,
                resource_code=data["resource"],
                items=data["items"],
                file_format=data["format"],
                purpose=data["purpose"],
                full_every_days=data["full_every_days"],
            )
        except ExchangeDenied as denial:
            return _denied(denial)
        except ValidationError as exc:
            _invalid(exc)
        return Response(SubscriptionAnswer(subscription).data, status=201 if created else 200)


class ExtractsView(_ConsumerView):
    @extend_schema(
        responses=Manifest(many=True),
        summary=f"订阅的交付文件清单（最近 {EXTRACTS_LISTED} 个，新的在前）",
        tags=["exchange"],
    )
    def get(self, request, pk):
        subscription = self._subscription(request, pk)
        extracts = subscription.extracts.select_related("subscription__resource").order_by(
            "-number"
        )[:EXTRACTS_LISTED]
        return Response(Manifest([subscriptions.manifest(e) for e in extracts], many=True).data)

    @extend_schema(
        request=ExtractRequest,
        responses={
            201: Manifest,
            400: OpenApiResponse(Refusal, description="方式无效"),
            403: OpenApiResponse(Refusal, description="授权已过期、被撤销或不再覆盖订阅的信息项"),
            404: OpenApiResponse(Refusal, description="订阅不存在，或数据资源已停用"),
            409: OpenApiResponse(Refusal, description="订阅已停止，或还没有全量文件就要增量"),
        },
        summary="立即生成一个交付文件（全量或增量）",
        tags=["exchange"],
    )
    def post(self, request, pk):
        subscription = self._subscription(request, pk)
        payload = ExtractRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            extract = subscriptions.produce(
                subscription=subscription,
                mode=payload.validated_data["mode"],
                trigger=Extract.Trigger.DEMAND,
            )
        except ExchangeDenied as denial:
            return _denied(denial)
        return Response(Manifest(subscriptions.manifest(extract)).data, status=201)


class ExtractFileView(_ConsumerView):
    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV 文件"),
            (200, "application/vnd.apache.parquet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="Parquet 文件"
            ),
            403: OpenApiResponse(Refusal, description="授权已过期、被撤销或不再覆盖文件的信息项"),
            404: OpenApiResponse(Refusal, description="没有这个交付文件"),
            409: OpenApiResponse(Refusal, description="文件与其校验和不符"),
        },
        summary="下载交付文件（响应头 Repr-Digest 带 SHA-256；每次下载记入用数记录）",
        tags=["exchange"],
    )
    def get(self, request, pk):
        extract = (
            Extract.objects.select_related("subscription__resource", "subscription__consumer")
            .filter(pk=pk)
            .first()
        )
        if extract is None:
            raise NotFound("没有这个交付文件")
        try:
            content = subscriptions.download(consumer=request.exchange_consumer, extract=extract)
        except ExchangeDenied as denial:
            return _denied(denial)
        response = HttpResponse(
            content, content_type=subscriptions.CONTENT_TYPES[extract.file_format]
        )
        name = (
            f"{extract.subscription.resource.code}-{extract.number:06d}-{extract.mode}"
            f".{extract.file_format}"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Repr-Digest"] = f"sha-256=:{subscriptions.digest_base64(extract.sha256)}:"
        response["X-Checksum-SHA256"] = extract.sha256
        response["X-Row-Count"] = str(extract.rows)
        response["Cache-Control"] = "no-store"
        return response
