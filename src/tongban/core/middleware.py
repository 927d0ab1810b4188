import logging
import time

from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from tongban.core import request_context

log = logging.getLogger(__name__)


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


class IdleExpirySessionMiddleware(SessionMiddleware):
    """A session ends after SESSION_COOKIE_AGE without a request. Django's way to do that,
    SESSION_SAVE_EVERY_REQUEST, writes the session on every request; this writes it when the last
    write is TOUCH_SECONDS old, so the idle limit is kept to within that much and a signed-in
    page costs one session write a minute instead of one per click."""

    TOUCH_SECONDS = 60
    TOUCHED_KEY = "_touched"

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            last = session.get(self.TOUCHED_KEY, 0)
            # Loading an expired or unknown session empties it: nothing to extend then.
            if not session.is_empty() and now - last >= self.TOUCH_SECONDS:
                session[self.TOUCHED_KEY] = now  # marks it modified: saved with a new expiry
        return super().process_response(request, response)


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


class OutOfRangeMiddleware:
    """A value beyond what the database can hold (tongban.core.apierrors.is_out_of_range) answers
    400 with a Chinese message, on pages and in the API, instead of a server error. The edge
    (forms, serializers) bounds what it documents; this catches what slips past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from tongban.core import apierrors

        if not apierrors.is_out_of_range(exception):
            return None
        log.warning("out-of-range value refused on %s: %s", request.path, type(exception).__name__)
        if apierrors.is_api(request):
            return apierrors.out_of_range_json()
        return render(request, "errors/400.html", status=400)
