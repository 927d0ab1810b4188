import pytest
from django.core.cache import cache
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from tongban.notify import actions
from tongban.notify.models import InboxMessage

CONTEXT = {"item_name": "高龄津贴申领", "case_number": "TB-0001", "due_date": "2026年12月1日"}


def _inbox_message(user, **context):
    notification = actions.send(
        user, "application.accepted", {**CONTEXT, **context}, channels=["inapp"], link="/cases/7/"
    )
    return InboxMessage.objects.get(delivery__notification=notification)


@pytest.mark.django_db
def test_inbox_requires_login(client):
    response = client.get(reverse("notify:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_inbox_lists_own_messages_unread_first_and_opening_marks_read(client, citizen):
    older = _inbox_message(citizen, item_name="健康证明")
    newer = _inbox_message(citizen, item_name="出生医学证明")
    actions.mark_read(citizen, newer.pk)
    client.force_login(citizen)

    page = client.get(reverse("notify:inbox"))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("健康证明") < text.index("出生医学证明")  # unread first, though older
    assert "<strong>已受理：健康证明</strong>" in text
    assert "全部标为已读" in text
    assert page.context["inbox_unread_count"]() == 1

    detail = client.get(reverse("notify:message", args=[older.pk]))
    assert detail.status_code == 200
    assert "健康证明" in detail.content.decode() and 'href="/cases/7/"' in detail.content.decode()
    older.refresh_from_db()
    assert older.read_at is not None


@pytest.mark.django_db
def test_other_users_cannot_see_or_open_a_message(client, citizen, second_citizen):
    message = _inbox_message(citizen, item_name="高龄津贴申领")
    client.force_login(second_citizen)
    assert "高龄津贴申领" not in client.get(reverse("notify:inbox")).content.decode()
    assert client.get(reverse("notify:message", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.django_db
def test_read_all_is_post_only_and_marks_only_own_messages(client, citizen, second_citizen):
    _inbox_message(citizen)
    _inbox_message(citizen)
    theirs = _inbox_message(second_citizen)
    client.force_login(citizen)
    assert client.get(reverse("notify:read-all")).status_code == 405
    response = client.post(reverse("notify:read-all"), follow=True)
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert actions.unread_count(citizen) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_message_page_shows_user_values_escaped(client, citizen):
    message = _inbox_message(citizen, item_name='<img src=x onerror="alert(1)">')
    client.force_login(citizen)
    html = client.get(reverse("notify:message", args=[message.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    listing = client.get(reverse("notify:inbox")).content.decode()
    assert "<img src=x" not in listing


@pytest.mark.django_db
def test_inbox_is_paginated(client, citizen):
    for number in range(23):
        _inbox_message(citizen, item_name=f"事项{number}")
    client.force_login(citizen)
    first = client.get(reverse("notify:inbox"))
    assert len(first.context["page"].object_list) == 20
    second = client.get(reverse("notify:inbox") + "?page=2")
    assert len(second.context["page"].object_list) == 3


@pytest.mark.django_db
def test_unread_count_header_snippet(citizen, django_assert_num_queries):
    _inbox_message(citizen)
    request = RequestFactory().get("/")
    request.user = citizen
    snippet = Template(
        "{% if user.is_authenticated %}消息中心{% if inbox_unread_count %}"
        "（{{ inbox_unread_count }}）{% endif %}{% endif %}"
    )
    with django_assert_num_queries(1):  # counted once, however often the header uses it
        assert snippet.render(RequestContext(request, {})) == "消息中心（1）"
    # Pages that do not use the count pay nothing.
    with django_assert_num_queries(0):
        Template("{{ platform_name }}").render(RequestContext(request, {}))
    assert Template("{{ inbox_unread_count }}").render(Context({})) == ""


@pytest.mark.django_db
def test_inbox_query_count_does_not_grow_with_messages(
    client, citizen, django_assert_max_num_queries
):
    for number in range(25):
        _inbox_message(citizen, item_name=f"事项{number}")
    client.force_login(citizen)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("notify:inbox")).status_code == 200


SHARED_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "unread"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"},
}


@pytest.mark.django_db
def test_unread_count_is_kept_in_a_shared_cache_and_follows_every_change(
    settings, citizen, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """With Redis the header's count costs no query, yet a message arriving, one read or all read
    shows at once, and a count made before a change is never read after it."""
    settings.CACHES = SHARED_CACHE
    with django_capture_on_commit_callbacks(execute=True):
        first = _inbox_message(citizen)
        _inbox_message(citizen)
    assert actions.unread_count(citizen) == 2
    with django_assert_num_queries(0):
        assert actions.unread_count(citizen) == 2

    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_read(citizen, first.pk)
    assert actions.unread_count(citizen) == 1
    with django_capture_on_commit_callbacks(execute=True):
        _inbox_message(citizen)
    assert actions.unread_count(citizen) == 2

    # A reader that counted before a change but stored its count after the change committed
    # stored it under the old version: it is counted again.
    version_key, count_key = actions._unread_keys(citizen.pk)
    old_version = cache.get(version_key)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.mark_all_read(citizen) == 2
    cache.set(count_key, (old_version, 2))
    assert actions.unread_count(citizen) == 0

    # A version evicted from the cache does not bring back counts kept under an earlier one.
    cache.set(count_key, (None, 7))
    cache.delete(version_key)
    assert actions.unread_count(citizen) == 0


@pytest.mark.django_db
def test_the_header_shows_the_new_count_after_a_message_is_read(
    client, settings, citizen, django_capture_on_commit_callbacks
):
    settings.CACHES = SHARED_CACHE
    with django_capture_on_commit_callbacks(execute=True):
        message = _inbox_message(citizen)
        _inbox_message(citizen)
    client.force_login(citizen)
    badge = '<span class="badge badge--ok">{}<span class="visually-hidden">条未读'
    assert badge.format(2) in client.get(reverse("applications:mine")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("notify:message", args=[message.pk]))
    assert badge.format(1) in client.get(reverse("applications:mine")).content.decode()
