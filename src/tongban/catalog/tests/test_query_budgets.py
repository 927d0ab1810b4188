"""Query budget of the catalogue staff list (事项管理): a fixed number of queries however many
items the page shows, published or with drafts (no N+1), and no more than the budget."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.catalog import actions
from tongban.testing.catalog import complete_item

STAFF_LIST_QUERIES = 10


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_catalogue_staff_list_reads_the_same_for_one_item_or_many(
    client, department, catalogue_admin
):
    _item, draft = complete_item(department, code="010101001000", name="甲事项")
    actions.publish(actor=catalogue_admin, version=draft)
    client.force_login(catalogue_admin)
    url = reverse("catalog_staff:items")
    client.get(url)  # warm the session and content types
    one = _queries(client, url)
    names = ["乙事项", "丙事项", "丁事项"]
    for n, name in enumerate(names, start=2):
        _other, other_draft = complete_item(department, code=f"01010100{n}000", name=name)
        if n % 2:
            actions.publish(actor=catalogue_admin, version=other_draft)
    many = _queries(client, url)
    page = client.get(url).content.decode()
    assert all(name in page for name in ["甲事项", *names])
    assert many == one
    assert one <= STAFF_LIST_QUERIES
