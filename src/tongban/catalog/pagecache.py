"""Whole-page cache of the public catalogue pages (browse, search, guide, situation) for anonymous
visitors, who make most of a portal's traffic.

Keys carry the catalogue generation (catalog.search.current_generation), which the catalogue
service layer renews whenever a version is published or withdrawn, and catalog.signals whenever a
department, region, service hall or basic item changes, so a change is visible on the next request
(draft edits leave it: no public page shows a draft). Keys also carry the code's fingerprint, so a
deployment never serves pages rendered by the release before it. Listing pages live PAGE_SECONDS
(they show the hot list, which follows the views); guide pages GUIDE_PAGE_SECONDS, and the worker
renders them again after every publish (catalog.tasks.warm_guides), so visitors rarely wait for a
live guide. Signed-in visitors and anyone with a pending message get the live page. The
CSRF token of the page's forms (language switch, large-text mode) is never shared: it is cut out
before storing and each visitor's own token is put back on the way out.
"""

import functools
import hashlib
import re
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from tongban.catalog import search

PAGE_SECONDS = 300
GUIDE_PAGE_SECONDS = 6 * 3600
PLACEHOLDER = b"__tongban_csrf_token__"
TOKEN_RE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')


def _cacheable(request) -> bool:
    if request.method != "GET" or request.user.is_authenticated:
        return False
    if request.COOKIES.get("messages"):
        return False
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.get("_messages")
    )


@functools.cache
def code_fingerprint() -> str:
    """A digest of this release's code, templates, translations and static file names (read once
    per process): pages cached by another release name static files this one no longer has."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"} and "tests" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def page_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:40]
    flags = f"{int(getattr(request, 'elderly_mode', False))}{int('HX-Request' in request.headers)}"
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    generation = search.current_generation()
    return f"catalog:page:{code_fingerprint()}:{generation}:{language}:{flags}:{path}"


def store(key: str, response, seconds: int) -> None:
    """Keep a rendered page for the visitors after this one, without its CSRF token. The key is
    taken before rendering: a page rendered while a publish renews the generation is kept under
    the old generation, where nobody looks for it any more."""
    if response.status_code == 200 and not response.streaming and not response.cookies:
        content = TOKEN_RE.sub(rb"\g<1>" + PLACEHOLDER + rb"\g<2>", response.content)
        meta = getattr(response, "cache_meta", None)
        cache.set(key, (content, response["Content-Type"], meta), seconds)


def cached_page(on_hit=None, seconds=PAGE_SECONDS):
    """Decorator of a public GET view. `on_hit(request, meta)` runs when the page comes from the
    cache, with what the view left in `response.cache_meta` (e.g. the item whose view to count)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = page_key(request)
            stored = cache.get(key)
            if stored is not None:
                content, content_type, meta = stored
                if on_hit is not None:
                    on_hit(request, meta)
                if PLACEHOLDER in content:
                    content = content.replace(PLACEHOLDER, get_token(request).encode())
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            store(key, response, seconds)
            return response

        return wrapper

    return decorate
