"""The demo hall works end to end: the demo clerk sits at a window of a group, the demo elderly
citizen takes a green-channel ticket and is called there."""

import pytest

from tongban.accounts.models import CitizenProfile, User
from tongban.hall import demo
from tongban.hall.actions import queue
from tongban.hall.models import HallSettings, WindowGroup
from tongban.hall.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def test_demo_hall_serves_the_demo_people():
    from tongban.accounts import demo as accounts_demo
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo
    from tongban.seals import demo as seals_demo

    lines = []
    for loader in (core_demo, accounts_demo, seals_demo, catalog_demo, demo, demo):
        loader.load(lines.append)
    assert WindowGroup.objects.count() == 3  # loaded twice, created once
    clerk = User.objects.get(login_name="clerk")
    window = clerk.staff_profile.window
    group = WindowGroup.objects.get(windows=window)
    assert group.items.exists()
    assert HallSettings.objects.get(hall=window.hall).managers.filter(login_name="supervisor")
    zhang = CitizenProfile.objects.get(real_name="张示例").user
    with at(MONDAY):
        ticket = queue.take_ticket(group=group, source="kiosk", visitor=zhang, green="elderly")
        queue.set_window(actor=clerk, window=window, status="open")
        assert queue.call_next(actor=clerk, window=window) == ticket
