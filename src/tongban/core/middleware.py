from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from tongban.core import request_context


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the person chose English with the switch (the language cookie). The
    browser's Accept-Language is not consulted: a government portal speaks the official language
    first, whatever the device was set up with."""

    def process_request(self, request):
        from django.conf import settings

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The thread goes back to the default language: whatever runs next in it (the next
        # request's early code, a test, a task) must not inherit this visitor's English.
        response = super().process_response(request, response)
        translation.deactivate()
        return response


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
