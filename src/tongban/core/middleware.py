from tongban.core import request_context


class RequestContextMiddleware:
    """Binds the current user and client IP for the audit log; sets the elderly-mode flag."""

    ELDERLY_COOKIE = "tongban_elderly"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.elderly_mode = request.COOKIES.get(self.ELDERLY_COOKIE) == "1"
        token = request_context.bind(
            request_context.RequestMeta(
                user=getattr(request, "user", None), ip=request_context.client_ip(request)
            )
        )
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)
