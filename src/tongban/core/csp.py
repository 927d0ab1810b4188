"""Where browsers report Content-Security-Policy violations (the policy is in settings).

A report names the page and the thing the policy blocked. Both are URLs that can carry personal
data in their path or query (a case number, a search term), so only the scheme and host of the
blocked resource and the path of the page, with identifiers blanked, are logged. Reports come from
anybody's browser, so each address may send only CSP_REPORTS_PER_MINUTE a minute, and a body is
read only up to MAX_BODY bytes.
"""

import json
import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.core import ratelimit

log = logging.getLogger("tongban.csp")
MAX_BODY = 16 * 1024
# Path segments that look like identifiers (numbers, UUIDs, case numbers, tokens) are blanked.
IDENTIFIER = re.compile(r"(?<=/)[^/]*\d[^/]*(?=/|$)")
KEYWORDS = {"inline", "eval", "wasm-eval", "data", "blob", "self", "trusted-types-policy"}


def page_path(url: str) -> str:
    """The page's path without its query and with identifiers blanked."""
    return IDENTIFIER.sub("…", urlsplit(url or "").path)[:200]


def blocked_origin(url: str) -> str:
    """What was blocked: 'inline', 'eval' … as the browser says, or the scheme and host only."""
    url = (url or "").strip()
    if url in KEYWORDS or not url:
        return url or "inline"
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return parts.scheme
    return f"{parts.scheme}://{parts.netloc}"[:200] if parts.netloc else parts.scheme[:40]


def _reports(body: dict | list) -> list[dict]:
    """The violations of a report-uri body ({"csp-report": {…}}) or a Reporting API batch."""
    if isinstance(body, dict) and isinstance(body.get("csp-report"), dict):
        report = body["csp-report"]
        return [
            {
                "page": report.get("document-uri", ""),
                "directive": report.get("effective-directive")
                or report.get("violated-directive", ""),
                "blocked": report.get("blocked-uri", ""),
                "disposition": report.get("disposition", "enforce"),
            }
        ]
    found = []
    for entry in body if isinstance(body, list) else []:
        report = entry.get("body") if isinstance(entry, dict) else None
        if isinstance(report, dict) and entry.get("type") == "csp-violation":
            found.append(
                {
                    "page": report.get("documentURL", ""),
                    "directive": report.get("effectiveDirective", ""),
                    "blocked": report.get("blockedURL", ""),
                    "disposition": report.get("disposition", "enforce"),
                }
            )
    return found


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@csrf_exempt  # browsers send reports without a token, by design
@require_POST
def report(request):
    if ratelimit.exceeded(
        f"csp-report:{_client_address(request)}", settings.CSP_REPORTS_PER_MINUTE, 60
    ):
        return HttpResponse(status=429)
    raw = request.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return HttpResponse(status=400)
    for violation in _reports(body)[:20]:
        log.warning(
            "CSP violation (%s): %s blocked %s on %s",
            str(violation["disposition"])[:10],
            str(violation["directive"])[:40],
            blocked_origin(str(violation["blocked"])),
            page_path(str(violation["page"])),
        )
    return HttpResponse(status=204)
