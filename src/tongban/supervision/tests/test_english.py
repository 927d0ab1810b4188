"""The supervision pages in English: dashboard, monitor, screens, reports and the big screen speak
English; the data on them (department, item and step names, case numbers, the monitor's recorded
reasons, report numbers) stays as it was recorded."""

import pytest
from django.conf import settings
from django.urls import reverse

from tongban.cases import actions as case_actions
from tongban.catalog.models import BasicItem, ItemVersion
from tongban.core.models import Department, Region
from tongban.supervision import actions, monitor, reports, summary
from tongban.supervision.models import Finding, StepNorm
from tongban.supervision.tests.conftest import D, accepted, approve_all, at, open_step
from tongban.testing.english import chinese_left

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervised_city(citizen, team, promise_item):
    """Finished and slow cases, a monitor finding, a monthly report and a screen token."""
    for hour in range(9, 15):
        application = accepted(citizen, promise_item, team, D(2026, 11, 2), hour)
        with at(D(2026, 11, 2), hour + 1):
            case_actions.complete_step(
                application=application,
                actor=team["handler"],
                step_id=open_step(application).pk,
                action="approve",
                opinion="意见",
            )
    done = accepted(citizen, promise_item, team, D(2026, 11, 3))
    with at(D(2026, 11, 4)):
        approve_all(done, team)
        case_actions.complete(application=done, actor=team["clerk"])
    accepted(citizen, promise_item, team, D(2026, 11, 3), 9)
    summary.fold()
    with at(D(2026, 11, 6), 9):
        monitor.run()
    with at(D(2026, 12, 1), 4):
        made = reports.make_last_month()
    _token, secret = actions.issue_screen_token(actor=team["supervisor"], name="市中心大屏")
    return made, secret


def test_every_supervision_page_speaks_english(
    client, team, promise_item, department, supervised_city
):
    made, secret = supervised_city
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(team["supervisor"])
    data = [
        department.name,
        *ItemVersion.objects.values_list("name", flat=True),
        *BasicItem.objects.values_list("name", flat=True),
        *Region.objects.values_list("name", flat=True),
        *Department.objects.values_list("name", flat=True),
        "市中心大屏",
        *(f.reason for f in Finding.objects.all()),
        *(f.case_number for f in Finding.objects.all()),
        *StepNorm.objects.values_list("step_name", flat=True),
        *(r.number for r in made),
        *(str(u) for u in team.values()),
    ]
    pages = {
        "dashboard": reverse("supervision:dashboard"),
        "dashboard, one department": reverse("supervision:dashboard")
        + f"?department={department.pk}&start=2026-11-01&end=2026-11-30",
        "monitor": reverse("supervision:findings"),
        "screens": reverse("supervision:screens"),
        "reports": reverse("supervision:reports"),
    }
    with at(D(2026, 12, 2), 10):
        for name, url in pages.items():
            page = client.get(url)
            assert page.status_code == 200, name
            assert chinese_left(page.content.decode(), data) == [], name
        # A bad filter is refused in English.
        refused = client.get(reverse("supervision:dashboard"), {"start": "2026-13-01"})
        assert "is not a valid date" in refused.content.decode()
        client.logout()  # the screen has no login; its browser is set to English
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        screen = client.get(reverse("supervision:screen", args=[secret]))
    assert screen.status_code == 200 and '<html lang="en">' in screen.content.decode()
    assert chinese_left(screen.content.decode(), data) == []
