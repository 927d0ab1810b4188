"""/api/v1/ratings/: the applicant rates a completed case; public statistics (no personal data)."""

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.applications.models import Application
from tongban.ratings import actions, stats
from tongban.ratings.codes import Channel, Level


class RatingInSerializer(serializers.Serializer):
    public_id = serializers.UUIDField(help_text="办件的草稿编号（public_id）")
    level = serializers.ChoiceField(choices=Level.choices, help_text="1 非常满意 … 5 非常不满意")
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5), required=False
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    channel = serializers.CharField(
        default=Channel.MOBILE, help_text="评价渠道：pc（PC端）或 mobile（移动端）"
    )

    def validate_channel(self, value):
        if value not in (Channel.PC, Channel.MOBILE):
            raise serializers.ValidationError("评价渠道应为 pc 或 mobile")
        return value


class RatingOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField(source="application.case_number")
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    channel = serializers.CharField()
    scores = serializers.DictField(child=serializers.IntegerField())
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    bad = serializers.BooleanField(source="is_bad")


class StatsRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    good_rate = serializers.FloatField(allow_null=True)
    bad = serializers.IntegerField()
    rectify_rate = serializers.FloatField(allow_null=True)
    callback_rate = serializers.FloatField(allow_null=True)
    indicators = serializers.DictField(child=serializers.FloatField())


def _errors(error: ValidationError):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"detail": error.messages}


class RatingCreateView(APIView):
    extra_error_statuses = (404,)  # an application not found among the account's own
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RatingInSerializer, responses={201: RatingOutSerializer}, tags=["ratings"]
    )
    def post(self, request):
        given = RatingInSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        application = Application.objects.filter(
            public_id=data["public_id"], owner=request.user
        ).first()
        if application is None:
            raise NotFound("没有找到该办件")
        try:
            rating = actions.rate_case(
                application=application,
                rater=request.user,
                level=data["level"],
                scores=data.get("scores") or {},
                text=data.get("text", ""),
                channel=data["channel"],
            )
        except ValidationError as error:
            raise ApiValidationError(_errors(error)) from error
        except PermissionDenied as error:
            raise ApiPermissionDenied(str(error)) from error
        return Response(RatingOutSerializer(rating).data, status=status.HTTP_201_CREATED)


class PublicStatsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=list(stats.PUBLIC_GROUPS), description="统计维度"),
            OpenApiParameter("start", str, description="起始日期 YYYY-MM-DD"),
            OpenApiParameter("end", str, description="截止日期 YYYY-MM-DD"),
        ],
        responses={
            200: inline_serializer(
                "PublicRatingStats",
                {
                    "start": serializers.DateField(),
                    "end": serializers.DateField(),
                    "by": serializers.CharField(),
                    "results": StatsRowSerializer(many=True),
                },
            )
        },
        tags=["ratings"],
    )
    def get(self, request):
        group = request.query_params.get("by", "department")
        if group not in stats.PUBLIC_GROUPS:
            raise ApiValidationError({"by": ["统计维度应为 department 或 item"]})
        period = stats.Period.parse(
            request.query_params.get("start"), request.query_params.get("end")
        )
        rows = stats.figures(group, period)
        return Response(
            {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "by": group,
                "results": StatsRowSerializer(rows, many=True).data,
            }
        )
