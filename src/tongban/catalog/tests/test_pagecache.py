"""The page cache of the public catalogue pages: shared by anonymous visitors, renewed by every
publish (not by draft edits, which no public page shows), never shared with signed-in people, and
never sharing a CSRF token."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.catalog import actions
from tongban.catalog.tests.factories import complete_item


def _published(department, admin, **elements):
    item, draft = complete_item(department, **elements)
    actions.publish(actor=admin, version=draft)
    item.refresh_from_db()
    return item


def _guide(item):
    return reverse("catalog:guide", args=[item.implementation_code])


def test_second_anonymous_visit_is_served_from_the_cache(client, department, catalogue_admin):
    item = _published(department, catalogue_admin, name="高龄津贴申领")
    client.get(_guide(item))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(_guide(item))
    assert second.status_code == 200 and "高龄津贴申领" in second.content.decode()
    # Only the cache itself (a table in the embedded default, Redis in production) is read.
    assert not [q["sql"] for q in queries if "catalog_" in q["sql"]]


def test_publishing_a_new_version_shows_the_new_text_at_once(department, catalogue_admin):
    item = _published(department, catalogue_admin, name="高龄津贴申领", office_hours="周一至周五")
    visitor = Client()
    for url in (_guide(item), reverse("catalog:index"), reverse("catalog:search") + "?q=高龄"):
        assert visitor.get(url).status_code == 200  # now cached
    assert "周一至周五" in visitor.get(_guide(item)).content.decode()

    draft = actions.new_draft(actor=catalogue_admin, item=item, change_note="调整办理时间")
    actions.update_draft(
        actor=catalogue_admin, version=draft, elements={"office_hours": "周一至周六全天"}
    )
    actions.publish(actor=catalogue_admin, version=draft)

    assert "周一至周六全天" in visitor.get(_guide(item)).content.decode()
    actions.withdraw(
        actor=catalogue_admin, version=item.versions.get(status="published"), reason="停办"
    )
    assert visitor.get(_guide(item)).status_code == 404
    assert "高龄津贴申领" not in visitor.get(reverse("catalog:search") + "?q=高龄").content.decode()


def test_editing_a_draft_keeps_the_cached_pages_and_shows_nothing_of_it(
    department, catalogue_admin
):
    item = _published(department, catalogue_admin, name="高龄津贴申领", office_hours="周一至周五")
    visitor = Client()
    visitor.get(_guide(item))
    draft = actions.new_draft(actor=catalogue_admin, item=item, change_note="调整办理时间")
    actions.update_draft(
        actor=catalogue_admin, version=draft, elements={"office_hours": "周一至周六全天"}
    )
    with CaptureQueriesContext(connection) as queries:
        page = visitor.get(_guide(item)).content.decode()
    assert not [q["sql"] for q in queries if "catalog_" in q["sql"]]  # still the cached page
    assert "周一至周五" in page and "周一至周六全天" not in page


def test_each_visitor_gets_a_csrf_token_of_their_own(department, catalogue_admin):
    item = _published(department, catalogue_admin)
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        html = visitor.get(_guide(item)).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html).group(1)
        tokens.append(token)
        # The page's own form (the large-text switch) works with the token it was given.
        response = visitor.post(reverse("portal:elderly-mode"), {"csrfmiddlewaretoken": token})
        assert response.status_code in (200, 302)
    assert tokens[0] != tokens[1]


def test_signed_in_people_get_the_live_page(client, citizen, department, catalogue_admin):
    item = _published(department, catalogue_admin)
    Client().get(_guide(item))  # an anonymous visitor fills the cache
    client.force_login(citizen)
    html = client.get(_guide(item)).content.decode()
    assert citizen.masked_name in html


def test_views_of_cached_pages_reach_the_hot_list(client, department, catalogue_admin):
    item = _published(department, catalogue_admin)
    for _ in range(3):
        client.get(_guide(item))
    assert actions.flush_view_counts() == 3
    item.refresh_from_db()
    assert item.view_count == 3
    assert actions.flush_view_counts() == 0
