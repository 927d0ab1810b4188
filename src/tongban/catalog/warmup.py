"""Guide pages rendered into the page cache ahead of their visitors.

A publish or withdrawal renews the catalogue generation, and a deployment the code fingerprint;
either leaves every cached guide page unused. Instead of the next visitor of each item waiting
for a live render, the worker renders them all again (catalog.tasks.warm_guides, queued after each
publish; `tongban warm_guides` after a deployment), as an anonymous visitor in the default
language sees them. Views are not counted: nobody has seen the page yet.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from tongban.catalog import pagecache, search

CHUNK = 200  # items read (with their guide's prefetches) per round of queries


def anonymous_request(path: str) -> HttpRequest:
    """A GET of `path` as the middleware leaves it for an anonymous visitor in the default view."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = settings.LANGUAGE_CODE
    request.elderly_mode = False
    return request


def warm_guides() -> int | None:
    """Render every published item's guide page that is not in the cache; return how many were
    rendered, or None if the catalogue changed meanwhile (what was rendered belongs to the old
    generation: the caller starts again)."""
    from tongban.catalog import views

    generation = search.current_generation()
    rows = list(views.published_items().order_by("pk").values_list("pk", "implementation_code"))
    rendered = 0
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(rows), CHUNK):
            if search.current_generation() != generation:
                return None
            requests = {
                pk: anonymous_request(_guide_path(code)) for pk, code in rows[start : start + CHUNK]
            }
            keys = {pk: pagecache.page_key(request) for pk, request in requests.items()}
            missing = [pk for pk, key in keys.items() if not cache.has_key(key)]
            for item in views.guide_items().filter(pk__in=missing):
                response = views.render_guide(requests[item.pk], item)
                pagecache.store(keys[item.pk], response, pagecache.GUIDE_PAGE_SECONDS)
                rendered += 1
    return rendered


def _guide_path(code: str) -> str:
    return reverse("catalog:guide", args=[code])
