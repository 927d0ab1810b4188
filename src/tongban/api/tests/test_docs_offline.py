"""The API docs page works without internet: Swagger UI comes from the platform's own static files."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def test_docs_page_loads_swagger_ui_from_own_static_files(client):
    page = client.get(reverse("api-docs")).content.decode()
    script = client.get(reverse("api-docs") + "?script=").content.decode()

    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "cdn.jsdelivr.net" not in page + script and "@latest" not in page + script
    assert "<script>" not in page  # the set-up script is served separately, not inline
    bundles = re.findall(r'src="/static/([^"]+\.js)"', page)
    assert any("swagger-ui-bundle" in path for path in bundles)
    for path in bundles + re.findall(r'href="/static/([^"]+\.css)"', page):
        assert finders.find(path), path  # shipped with the platform
    assert reverse("api-schema") in script
