"""REST endpoints of the exchange: the query API for department systems (OAuth 2.0 client
credentials, scope "exchange") and the call statistics for staff."""

import datetime

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.accounts.permissions import HasStaffRole
from tongban.accounts.roles import Role
from tongban.core import bounds
from tongban.exchange import statistics
from tongban.exchange.actions import query
from tongban.exchange.actions.errors import ExchangeDenied, ProviderUnavailable
from tongban.exchange.models import CASE_REF_LENGTH
from tongban.exchange.tokens import ExchangeClientView


class QueryRequest(serializers.Serializer):
    resource = serializers.CharField(max_length=40, help_text="数据资源代码，例如 RK_RKJBXX")
    subjects = serializers.ListField(
        child=serializers.CharField(max_length=30),
        allow_empty=True,
        help_text="查询主体的公民身份号码或统一社会信用代码（一次最多 EXCHANGE_MAX_BATCH 个）",
    )
    items = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="要查询的信息项代码；省略时返回已授权的全部信息项",
    )
    purpose = serializers.CharField(
        max_length=200, allow_blank=True, help_text="用途（必填，记入用数记录）"
    )
    case = serializers.CharField(
        max_length=CASE_REF_LENGTH, required=False, allow_blank=True, help_text="所服务的办件编号"
    )


class QueryRecord(serializers.Serializer):
    subject = serializers.CharField()
    found = serializers.BooleanField()
    data = serializers.DictField(allow_null=True)


class QueryAnswer(serializers.Serializer):
    resource = serializers.CharField()
    resource_name = serializers.CharField()
    provider = serializers.CharField(help_text="提供部门")
    items = serializers.ListField(child=serializers.CharField())
    records = QueryRecord(many=True)


class Refusal(serializers.Serializer):
    code = serializers.CharField(help_text="稳定的拒绝原因代码")
    detail = serializers.CharField(help_text="中文说明")


class QueryView(ExchangeClientView):
    @extend_schema(
        request=QueryRequest,
        responses={
            200: QueryAnswer,
            400: OpenApiResponse(Refusal, description="请求有误（缺少用途、主体格式不正确等）"),
            403: OpenApiResponse(Refusal, description="未获授权、授权过期或被撤销"),
            404: OpenApiResponse(Refusal, description="数据资源不存在或已停用"),
            413: OpenApiResponse(Refusal, description="一次查询的主体过多"),
            429: OpenApiResponse(Refusal, description="调用过于频繁"),
            503: OpenApiResponse(Refusal, description="提供方暂时无法应答"),
        },
        summary="查询共享数据（按授权返回信息项，记入用数记录）",
        tags=["exchange"],
    )
    def post(self, request):
        payload = QueryRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            result = query.query(
                consumer=request.exchange_consumer,
                resource_code=data["resource"],
                subjects=data["subjects"],
                items=data.get("items") or [],
                purpose=data["purpose"],
                case_ref=data.get("case", ""),
            )
        except ExchangeDenied as denial:
            return Response({"code": denial.code, "detail": denial.message}, status=denial.status)
        except ProviderUnavailable as exc:
            return Response(
                {"code": "provider_unavailable", "detail": f"提供方暂时无法应答：{exc}"},
                status=503,
            )
        return Response(
            {
                "resource": result.resource_code,
                "resource_name": result.resource_name,
                "provider": result.provider_department,
                "items": result.items,
                "records": [
                    {"subject": subject, "found": record is not None, "data": record}
                    for subject, record in result.records.items()
                ],
            }
        )


class StatisticsQuery(serializers.Serializer):
    start = bounds.BoundedDateField(required=False)
    end = bounds.BoundedDateField(required=False)


class StatisticsRow(serializers.Serializer):
    day = serializers.DateField()
    resource = serializers.CharField()
    consumer = serializers.CharField()
    calls = serializers.IntegerField()
    answered = serializers.IntegerField()
    denied = serializers.IntegerField()
    failed = serializers.IntegerField()
    rows = serializers.IntegerField()
    p50_ms = serializers.IntegerField()
    p95_ms = serializers.IntegerField()
    p99_ms = serializers.IntegerField()


class StatisticsView(APIView):
    permission_classes = [HasStaffRole]
    required_roles = (Role.CATALOGUE_ADMIN, Role.SUPERVISOR)

    @extend_schema(
        parameters=[StatisticsQuery],
        responses=StatisticsRow(many=True),
        summary="调用统计（按资源、使用方、日）",
        tags=["exchange"],
    )
    def get(self, request):
        params = StatisticsQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        end = params.validated_data.get("end") or datetime.date.today()
        start = params.validated_data.get("start") or end - datetime.timedelta(days=6)
        if (end - start).days > 92 or start > end:
            raise ApiValidationError({"start": ["统计区间应在 1 至 92 天之间"]})
        return Response(StatisticsRow(statistics.daily(start, end), many=True).data)
