"""Public endpoints of the foundation: identifier checks and working-day due dates."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tongban.api import serializers
from tongban.core import workdays
from tongban.core.identifiers import CHECKS


class IdentifierCheckView(APIView):
    """Check a citizen ID, USCC or region code as people type. POST, so numbers stay out of URLs."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "identifier_check"

    @extend_schema(
        request=serializers.IdentifierCheckRequest,
        responses=serializers.IdentifierCheckResult,
        operation_id="identifiers_check",
        summary="校验身份证号码、统一社会信用代码或行政区划代码",
    )
    def post(self, request):
        incoming = serializers.IdentifierCheckRequest(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = CHECKS[incoming.validated_data["type"]](incoming.validated_data["value"])
        return Response({"valid": result.valid, "reason": result.reason, "details": result.details})


class DueDateView(APIView):
    """The date N working days after a start date (start not counted, 民法典 art. 201)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[serializers.DueDateRequest],
        responses=serializers.DueDateResult,
        operation_id="calendar_due_date",
        summary="按工作日计算到期日",
    )
    def get(self, request):
        incoming = serializers.DueDateRequest(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        start, days = incoming.validated_data["start"], incoming.validated_data["days"]
        calendar = workdays.Calendar()
        try:
            due = calendar.add_working_days(start, days)
            latest = workdays.Calendar(latest=True).add_working_days(start, days)
        except ValueError as exc:  # beyond the calendar the platform can count
            raise ValidationError({"days": [str(exc)]}) from exc
        unconfirmed = calendar.unconfirmed_between(start, latest)
        return Response(
            {
                "start": start,
                "days": days,
                "due_date": due,
                "latest_due_date": latest,
                "confirmed": not unconfirmed,
                "unconfirmed_years": unconfirmed,
            }
        )
