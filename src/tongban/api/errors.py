"""Every API error answers in one shape (tongban.core.apierrors): {"code", "detail", "errors"?},
with Chinese text; 404 and 500 under /api/ answer it too instead of an HTML page."""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from tongban.core import apierrors
from tongban.core.apierrors import error_body

# Django's get_object_or_404 says "No Application matches the given query.": English, and it names
# a model. Our own 404 messages are Chinese and kept.
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
    503: "service_unavailable",
}


def _messages(detail):
    """DRF's error detail as plain strings, nested as the fields are."""
    if isinstance(detail, dict):
        return {str(key): _messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_messages(value) for value in detail]
    return str(detail)


def _code(exc, status_code: int) -> str:
    code = getattr(exc, "default_code", None)
    detail = getattr(exc, "detail", None)
    if hasattr(detail, "code") and detail.code and status_code != 400:
        code = detail.code
    return str(code or CODES.get(status_code, "error"))


def _as_drf(exc):
    if apierrors.is_out_of_range(exc):
        return exceptions.ValidationError(
            {"non_field_errors": [str(apierrors.OUT_OF_RANGE_MESSAGE)]}
        )
    if isinstance(exc, DjangoValidationError):
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(errors)
    if isinstance(exc, Http404):
        message = str(exc.args[0]) if exc.args else ""
        return exceptions.NotFound(message if CHINESE.search(message) else _("未找到请求的对象"))
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc.args[0]) if exc.args else ""
        return exceptions.PermissionDenied(message or None)
    if isinstance(exc, exceptions.ParseError):
        return exceptions.ParseError(_("请求体格式有误，无法解析（应为有效的 JSON 或表单）"))
    return exc


def exception_handler(exc, context):
    out_of_range = apierrors.is_out_of_range(exc)
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = _code(exc, response.status_code)
    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
        code = "out_of_range" if out_of_range else "invalid"
        response.data = error_body(code, _("提交的数据有误"), errors)
        return response
    detail = getattr(exc, "detail", response.data)
    if isinstance(detail, dict | list):  # a hand-made dict or list: its fields are the errors
        errors = _messages(detail)
        response.data = error_body(
            code, _("提交的数据有误"), errors if isinstance(errors, dict) else {"detail": errors}
        )
    else:
        response.data = error_body(code, str(detail))
    return response
