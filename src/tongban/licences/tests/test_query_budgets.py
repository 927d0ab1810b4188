"""Query budget of the wallet (我的证照): a fixed number of queries however many licences the
holder has (no N+1 for type, issuer or status), and no more than the budget."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.licences import actions
from tongban.testing.clock import at

WALLET_QUERIES = 8


def _issue(citizen, licence_type):
    return actions.issue(
        licence_type=licence_type,
        holder_name="示例老人",
        holder_id_type="111",
        holder_id_number=citizen.citizen.id_number,
        data={"request_detail": "餐饮场所"},
    )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("licences:wallet"))
    assert response.status_code == 200
    return len(queries)


def test_the_wallet_reads_the_same_for_one_licence_or_many(client, citizen, licence_type):
    with at(datetime.date(2026, 10, 8)):
        held = [_issue(citizen, licence_type)]
        client.force_login(citizen)
        client.get(reverse("licences:wallet"))  # warm the session
        one = _queries(client)
        held += [_issue(citizen, licence_type) for _ in range(2)]
        many = _queries(client)
        page = client.get(reverse("licences:wallet")).content.decode()
    assert all(reverse("licences:detail", args=[licence.pk]) in page for licence in held)
    assert many == one
    assert one <= WALLET_QUERIES
