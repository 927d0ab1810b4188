"""Query budgets of the staff case list and the supervision page (督办): a fixed number of
queries however many cases a page shows (no N+1), and no more than the budget."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tongban.cases import actions
from tongban.cases.models import Case
from tongban.testing.builders import submit_application
from tongban.testing.clock import at

D = datetime.date
CASE_LIST_QUERIES = 16
SUPERVISION_QUERIES = 16


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _submitted(people, item, count):
    return [submit_application(people[n % len(people)], item) for n in range(count)]


def test_the_staff_case_list_reads_the_same_for_one_case_or_many(
    client, citizen, second_citizen, team, promise_item
):
    with at(D(2026, 9, 21)):
        first = _submitted([citizen], promise_item, 1)
    client.force_login(team["clerk"])
    with at(D(2026, 9, 22)):
        url = reverse("cases:list") + "?tab=accept"
        client.get(url)  # warm the session and content types
        one = _queries(client, url)
        more = _submitted([citizen, second_citizen], promise_item, 3)
        many = _queries(client, url)
        page = client.get(url).content.decode()
    assert all(a.case_number in page for a in first + more)
    assert many == one
    assert one <= CASE_LIST_QUERIES


def test_the_supervision_page_reads_the_same_for_one_warned_case_or_many(
    client, citizen, second_citizen, team, promise_item
):
    with at(D(2026, 9, 21)):
        applications = _submitted([citizen, second_citizen], promise_item, 4)
        for application in applications:
            actions.accept(application=application, actor=team["clerk"])
    client.force_login(team["supervisor"])
    url = reverse("cases:supervision")
    with at(D(2026, 9, 28)):
        Case.objects.filter(application=applications[0]).update(warning="red")
        client.get(url)
        one = _queries(client, url)
        Case.objects.filter(application__in=applications[1:]).update(warning="yellow")
        many = _queries(client, url)
        page = client.get(url).content.decode()
    assert all(a.case_number in page for a in applications)
    assert many == one
    assert one <= SUPERVISION_QUERIES
