"""The Content-Security-Policy: on every response, strict, kept by the templates, reports logged
without personal data (docs/security.md, ASVS V14.4)."""

import json
import logging
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

import tongban

pytestmark = pytest.mark.django_db
TEMPLATES = Path(tongban.__file__).resolve().parent
# What a strict policy blocks in a template: inline scripts, inline event handlers, style
# attributes and <style> elements, javascript: URLs.
INLINE = {
    "inline <script>": re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
    ),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I),
}

COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.S)


def _blank(match) -> str:
    return "\n" * match.group().count("\n")  # keeps the line numbers


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/services/",
        "/accounts/login/",
        "/api/v1/docs/",
        "/api/v1/catalog/items/",
        "/no-such-page/",
        "/healthz",
    ],
)
def test_every_response_carries_the_strict_policy(client, path):
    policy = _policy(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["report-uri"] == ["/csp-report"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


def test_no_template_has_inline_script_or_style():
    found = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = COMMENTS.sub(_blank, template.read_text(encoding="utf-8"))
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "the Content-Security-Policy blocks these:\n" + "\n".join(found)


def test_the_checker_sees_what_the_policy_blocks():
    samples = {
        "inline <script>": "<script>alert(1)</script>",
        "event handler attribute": '<button type="button" onclick="print()">',
        "style attribute": '<div class="x" style="color:red">',
        "<style> element": "<style>p{}</style>",
        "javascript: URL": '<a href="javascript:void(0)">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not INLINE["inline <script>"].search('<script src="/static/x.js" defer></script>')
    assert not INLINE["event handler attribute"].search('<a data-confirm="确定？" href="/">')


def test_api_docs_page_has_no_inline_style(client):
    page = client.get(reverse("api-docs")).content.decode()
    assert "<style" not in page and "swagger-page.css" in page


def _report(client, body, content_type="application/csp-report"):
    return client.post(reverse("csp-report"), json.dumps(body), content_type=content_type)


def test_a_violation_report_is_logged_without_personal_data(client, caplog):
    cache.clear()
    body = {
        "csp-report": {
            "document-uri": "http://127.0.0.1/applications/20260101-000123/?phone=13800001111",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://evil.example/steal.js?id=410102199001011234",
        }
    }
    with caplog.at_level(logging.WARNING, logger="tongban.csp"):
        assert _report(client, body).status_code == 204
    logged = caplog.text
    assert "script-src-elem" in logged and "https://evil.example" in logged
    assert "/applications/…/" in logged
    for secret in ("13800001111", "410102199001011234", "20260101-000123", "steal.js"):
        assert secret not in logged


def test_reporting_api_batches_are_read_too(client, caplog):
    cache.clear()
    batch = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "http://127.0.0.1/services/",
                "effectiveDirective": "style-src-attr",
                "blockedURL": "inline",
            },
        }
    ]
    with caplog.at_level(logging.WARNING, logger="tongban.csp"):
        assert _report(client, batch, "application/reports+json").status_code == 204
    assert "style-src-attr blocked inline on /services/" in caplog.text


def test_reports_are_rate_limited_and_bounded(client, settings):
    cache.clear()
    settings.CSP_REPORTS_PER_MINUTE = 2
    body = {"csp-report": {"document-uri": "http://127.0.0.1/", "blocked-uri": "inline"}}
    assert [_report(client, body).status_code for _ in range(3)] == [204, 204, 429]
    cache.clear()
    huge = {"csp-report": {"document-uri": "x" * 20_000}}
    assert _report(client, huge).status_code == 413
    assert (
        client.post(reverse("csp-report"), "{", content_type="application/json").status_code == 400
    )
    assert client.get(reverse("csp-report")).status_code == 405
