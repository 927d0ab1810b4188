"""The page cache of the public catalogue pages: shared by anonymous visitors, renewed by every
publish (not by draft edits, which no public page shows), never shared with signed-in people, and
never sharing a CSRF token."""

import re

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.catalog import actions, pagecache, tasks, views, warmup
from tongban.testing.catalog import complete_item


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


def _from_cache(visitor, url) -> str:
    """The page, asserting it came from the cache (no catalogue table read)."""
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(url)
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "catalog_" in q["sql"]], f"{url} was rendered live"
    return response.content.decode()


def test_guides_are_kept_for_hours_and_listings_for_minutes(
    department, catalogue_admin, monkeypatch
):
    # Redis keeps time by its own clock, so the lifetimes are read where the pages are stored.
    item = _published(department, catalogue_admin, name="高龄津贴申领")
    lifetimes = []
    store = cache.set

    def remember(key, value, timeout=None, **options):
        if key.startswith("catalog:page:"):
            lifetimes.append(timeout)
        return store(key, value, timeout, **options)

    monkeypatch.setattr(cache, "set", remember)
    visitor = Client()
    visitor.get(_guide(item))
    assert lifetimes == [6 * 3600]
    visitor.get(reverse("catalog:index"))  # the hot list follows the views
    assert lifetimes[1:] == [5 * 60]
    assert "高龄津贴申领" in _from_cache(visitor, _guide(item))


def test_a_department_renamed_in_the_admin_shows_on_the_cached_guide_at_once(
    department, catalogue_admin
):
    item = _published(department, catalogue_admin)
    visitor = Client()
    visitor.get(_guide(item))
    department.name = "许昌市卫生健康委员会（更名）"
    department.save()
    assert "许昌市卫生健康委员会（更名）" in visitor.get(_guide(item)).content.decode()


def test_a_new_release_does_not_serve_pages_the_old_one_cached(
    department, catalogue_admin, monkeypatch
):
    item = _published(department, catalogue_admin)
    visitor = Client()
    visitor.get(_guide(item))
    _from_cache(visitor, _guide(item))
    monkeypatch.setattr(pagecache, "code_fingerprint", lambda: "another-release")
    with CaptureQueriesContext(connection) as queries:
        assert visitor.get(_guide(item)).status_code == 200
    assert [q for q in queries if "catalog_" in q["sql"]]


def test_warm_up_renders_every_guide_ahead_of_visitors_without_counting_views(
    department, catalogue_admin
):
    first = _published(department, catalogue_admin, name="高龄津贴申领")
    second = _published(department, catalogue_admin, code="010101002000", name="出生医学证明")
    assert warmup.warm_guides() == 2
    assert warmup.warm_guides() == 0  # already there
    visitor = Client()
    assert "高龄津贴申领" in _from_cache(visitor, _guide(first))
    assert "出生医学证明" in _from_cache(visitor, _guide(second))
    # The warm-up saw nothing; the visitor's two views are the only ones counted.
    assert actions.flush_view_counts() == 2


def test_a_page_rendered_ahead_is_the_page_a_visitor_would_have_rendered(
    department, catalogue_admin
):
    item = _published(department, catalogue_admin, name="高龄津贴申领")
    key = pagecache.page_key(warmup.anonymous_request(_guide(item)))
    warmup.warm_guides()
    ahead = cache.get(key)
    cache.delete(key)
    Client().get(_guide(item))  # a live render, kept under the same key
    assert cache.get(key) == ahead


def test_a_warm_up_overtaken_by_a_publish_says_so_and_the_next_one_renders_the_new_pages(
    department, catalogue_admin, monkeypatch
):
    first = _published(department, catalogue_admin, name="高龄津贴申领")
    second = _published(department, catalogue_admin, code="010101002000", name="出生医学证明")
    monkeypatch.setattr(warmup, "CHUNK", 1)
    render_guide = views.render_guide

    def render_then_publish_elsewhere(request, item):
        actions.catalogue_changed()  # as a publish of another item does
        return render_guide(request, item)

    monkeypatch.setattr(views, "render_guide", render_then_publish_elsewhere)
    assert warmup.warm_guides() is None
    monkeypatch.setattr(views, "render_guide", render_guide)
    assert warmup.warm_guides() == 2
    assert "出生医学证明" in _from_cache(Client(), _guide(second))
    assert first.implementation_code in _from_cache(Client(), _guide(first))


def test_publishes_in_quick_succession_queue_one_warm_up(
    department, catalogue_admin, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        tasks.warm_guides, "apply_async", lambda countdown: queued.append(countdown)
    )
    with django_capture_on_commit_callbacks(execute=True):
        _published(department, catalogue_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _published(department, catalogue_admin, code="010101002000")
    assert queued == [actions.WARM_DELAY_SECONDS]
