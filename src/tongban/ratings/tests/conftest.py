"""Ratings fixtures: the case-handling team and item (tongban.testing), a hall with a window for the
clerk; `complete_case` (tongban.testing.builders) takes a case from submission to 办结."""

import pytest

from tongban.core.models import ServiceHall, Window
from tongban.testing.builders import complete_case  # noqa: F401 (this app's tests import it here)
from tongban.testing.clock import at  # noqa: F401 (this app's tests import it here)


@pytest.fixture
def hall_clerk(team, region_city, department):
    hall = ServiceHall.objects.create(
        name="许昌市政务服务中心",
        kind=ServiceHall.Kind.CENTRE,
        region=region_city,
        address="许昌市魏都区示例路1号",
    )
    window = Window.objects.create(hall=hall, number="A08", name="民政综合窗口")
    window.departments.add(department)
    clerk = team["clerk"]
    profile = clerk.staff_profile
    profile.hall, profile.window = hall, window
    profile.save()
    return clerk
