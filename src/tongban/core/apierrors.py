"""The one error shape of the whole API, and the errors the domain APIs raise.

Every error answer of /api/v1/ is {"code": "<machine-readable>", "detail": "<中文说明>",
"errors": {field: [message, …]}} ("errors" only when fields are at fault). The exception handler
(tongban.api.errors) makes it out of whatever was raised; the OpenAPI file describes it once as
the component "Error" (tongban.api.schema adds it to every operation with its real statuses).
Domain APIs raise these exceptions instead of building error answers by hand.
"""

from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码，例如 invalid、not_found、throttled")
    detail = serializers.CharField(help_text="给人看的说明（中文；界面为英文时为英文）")
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="出错的字段 → 该字段的错误说明列表（仅在字段有误时出现）",
    )


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("请求与当前状态冲突")
    default_code = "conflict"


class Unprocessable(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("请求无法处理")
    default_code = "unprocessable"


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("服务暂时不可用，请稍后再试")
    default_code = "service_unavailable"


class TooManyRequests(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("请求过于频繁，请稍后再试")
    default_code = "throttled"


def error_body(code: str, detail: str, errors: dict | None = None) -> dict:
    body = {"code": code, "detail": str(detail)}
    if errors:
        body["errors"] = errors
    return body


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found_json() -> JsonResponse:
    """A 404 under /api/ that no view answered (a URL no route matches)."""
    body = error_body("not_found", gettext("未找到请求的接口或对象"))
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)


def server_error_json(reference: str = "") -> JsonResponse:
    detail = gettext("系统暂时无法处理您的请求，错误已被记录，请稍后再试")
    if reference:  # the same reference is on the failure's log line
        detail += gettext("（参考编号 %(reference)s）") % {"reference": reference}
    body = error_body("server_error", detail)
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


# A number or text beyond what the database can hold (an id of 10**20, a year 10000 that slipped
# through) cannot name anything stored: the request is wrong, not the server. SQLite raises
# OverflowError before the query; PostgreSQL answers DataError ("value out of range").
OUT_OF_RANGE_MESSAGE = _("数值、日期或文本超出允许的范围")


def is_out_of_range(exc: BaseException) -> bool:
    from django.db import DataError

    return isinstance(exc, OverflowError | DataError)


def out_of_range_json() -> JsonResponse:
    body = error_body("out_of_range", gettext(str(OUT_OF_RANGE_MESSAGE)))
    return JsonResponse(body, status=status.HTTP_400_BAD_REQUEST)
