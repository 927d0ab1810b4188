"""Issue 31, the workbench opens on the queue: counts of 已超期, 将超期, 待受理 and 待审核 that link to
their lists (a red count only when something is overdue), and the cases to handle first with the
deadline that matters (the acceptance deadline for 待受理)."""

import datetime

import pytest
from django.urls import reverse

from tongban.cases import actions as cases
from tongban.testing.builders import submit_application
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def _count(page: str, tab: str) -> str:
    return page.split(f'data-count="{tab}"')[1].split('class="wb-count__n">')[1].split("<")[0]


def test_a_clerk_opens_on_the_acceptance_queue_with_its_deadline(
    client,
    citizen,
    team,
    promise_item,
):
    with at(D(2026, 9, 21)):  # Monday
        application = submit_application(citizen, promise_item)
    client.force_login(team["clerk"])
    with at(D(2026, 9, 22)):
        page = client.get(reverse("workbench:home")).content.decode()
    assert _count(page, "accept") == "1" and _count(page, "red") == "0"
    assert "wb-count--red" not in page  # no red at 0
    row = page.split('data-urgent="accept"')[1].split("</tr>")[0]
    # 5 working days, the day of receipt not counted; 9/25 中秋 is a rest day.
    assert "受理期限 2026-09-29" in row
    assert reverse("cases:detail", args=[application.public_id]) in row
    assert citizen.citizen.real_name not in row  # the applicant's name masked
    assert f"{reverse('cases:list')}?tab=accept" in page


def test_overdue_cases_come_first_and_count_red(
    client,
    citizen,
    team,
    promise_item,
):
    with at(D(2026, 9, 21)):
        late = submit_application(citizen, promise_item)
    with at(D(2026, 9, 22)):
        cases.accept(application=late, actor=team["clerk"])
        fresh = submit_application(citizen, promise_item)
    with at(D(2026, 11, 20)):  # far past the promised 5 working days
        cases.raise_warnings()  # the hourly job marks it red
        client.force_login(team["handler"])
        page = client.get(reverse("workbench:home")).content.decode()
    assert _count(page, "red") == "1" and "wb-count--red" in page
    rows = page.split('data-urgent="')[1:]
    assert rows[0].startswith("red") and reverse("cases:detail", args=[late.public_id]) in rows[0]
    assert "已超期" in rows[0]
    assert fresh.case_number  # still waiting for acceptance: listed after the overdue one
    assert reverse("cases:detail", args=[fresh.public_id]) in page.split(rows[0])[1]


def test_a_catalogue_administrator_sees_no_case_queue(client, team):
    client.force_login(team["catalogue"])
    page = client.get(reverse("workbench:home")).content.decode()
    assert "data-queue" not in page
