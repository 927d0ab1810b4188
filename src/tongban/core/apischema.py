"""drf-spectacular's AutoSchema with the API's real error answers on every operation.

Each operation gets, besides its own answers, the errors it can really give, all in the one shape
of tongban.core.apierrors ("Error"):
- 400 when it takes a body, query or path parameters (a value out of range, malformed JSON);
- 401 when one of its authentication schemes answers with a challenge (OAuth 2.0 bearer tokens);
- 403 when it needs a signed-in account or a role, or when a session-authenticated request
  changes something (CSRF);
- 404 when its path names an object, or it is a paginated list (a page past the end);
- 429 when it is rate limited.
Other statuses (409, 422, 503 …) the view declares: `extra_error_statuses = (409, …)`, or a dict
from action (or lower-case method) to statuses, or responses in extend_schema.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from tongban.core.apierrors import ErrorSerializer

DESCRIPTIONS = {
    "400": "请求有误：字段错误见 errors",
    "401": "未认证或令牌无效",
    "403": "未登录、无权限，或缺少 CSRF 令牌",
    "404": "对象不存在，或页码超出范围",
    "409": "与当前状态冲突",
    "413": "请求体过大",
    "422": "请求无法处理",
    "429": "请求过于频繁",
    "503": "服务暂时不可用",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in sorted(self.error_statuses()):
            responses.setdefault(
                str(code), self._get_response_for_code(ErrorSerializer, str(code), None, direction)
            )
        for code, response in responses.items():
            if code in DESCRIPTIONS and not response.get("description"):
                response["description"] = DESCRIPTIONS[code]
        return responses

    def error_statuses(self) -> set[int]:
        view, statuses = self.view, set()
        authenticators = [cls() for cls in getattr(view, "authentication_classes", [])]
        public = all(isinstance(p, AllowAny) for p in view.get_permissions())
        if self.method in UNSAFE - {"DELETE"} or self._has_query_parameters() or "{" in self.path:
            statuses.add(400)
        if not public and any(a.authenticate_header(None) for a in authenticators):
            statuses.add(401)
        session = any(isinstance(a, SessionAuthentication) for a in authenticators)
        if not public or (session and self.method in UNSAFE):
            statuses.add(403)
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            statuses.add(404)
        if getattr(view, "throttle_classes", None):
            statuses.add(429)
        extra = getattr(view, "extra_error_statuses", ())
        if isinstance(extra, dict):
            extra = extra.get(getattr(view, "action", None) or self.method.lower(), ())
        return statuses | set(extra)

    def _has_query_parameters(self) -> bool:
        override = self.get_override_parameters()
        return bool(override) or bool(self.get_filter_backends())
