"""Hall fixtures shared by every app's tests: the city hall with two window groups (A 综合,
B 不动产), two windows, a clerk signed in at window 5, and a clock on a working day inside office
hours. Import the fixtures a test module needs from here."""

import datetime

import pytest

from tongban.core.models import ServiceHall, Window
from tongban.hall.actions import queue
from tongban.hall.codes import WindowStatus
from tongban.hall.models import HallSettings, WindowGroup
from tongban.testing.clock import at
from tongban.testing.factories import staff

MONDAY = datetime.date(2026, 11, 2)


@pytest.fixture
def clock():
    with at(MONDAY) as traveller:
        yield traveller


@pytest.fixture
def hall(region_city, department):
    hall = ServiceHall.objects.create(
        name="许昌市政务服务中心",
        kind=ServiceHall.Kind.CENTRE,
        region=region_city,
        address="许昌市魏都区示例路1号",
    )
    HallSettings.objects.create(hall=hall)
    return hall


@pytest.fixture
def windows(hall, department):
    five = Window.objects.create(hall=hall, number="5", name="综合受理窗口")
    six = Window.objects.create(hall=hall, number="6", name="不动产窗口")
    for window in (five, six):
        window.departments.add(department)
    return {"5": five, "6": six}


@pytest.fixture
def groups(hall, windows):
    a = WindowGroup.objects.create(hall=hall, name="综合受理", prefix="A", slot_capacity=2)
    b = WindowGroup.objects.create(hall=hall, name="不动产登记", prefix="B", slot_capacity=2)
    a.windows.add(windows["5"])
    b.windows.add(windows["6"])
    return {"A": a, "B": b}


def hall_clerk(department, hall, window, login):
    clerk = staff(department, login, "window_clerk", display_name=f"{login}窗口")
    profile = clerk.staff_profile
    profile.hall, profile.window = hall, window
    profile.save()
    return clerk


@pytest.fixture
def clerk(department, hall, windows, clock):
    person = hall_clerk(department, hall, windows["5"], "hallclerk5")
    queue.set_window(actor=person, window=windows["5"], status=WindowStatus.OPEN)
    return person


@pytest.fixture
def clerk_b(department, hall, windows, clock):
    person = hall_clerk(department, hall, windows["6"], "hallclerk6")
    queue.set_window(actor=person, window=windows["6"], status=WindowStatus.OPEN)
    return person
