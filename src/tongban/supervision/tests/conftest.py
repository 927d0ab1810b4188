"""Supervision fixtures: the case-handling team and 承诺件 of tongban.testing, a leader, and cases
carried through their steps at given Beijing times."""

import datetime

import pytest

from tongban.testing.builders import (  # noqa: F401 (this app's tests import them here)
    accepted,
    approve_all,
    open_step,
    submit_application,
)
from tongban.testing.clock import at  # noqa: F401
from tongban.testing.factories import staff

D = datetime.date


@pytest.fixture(autouse=True)
def _no_suppression(settings):
    settings.SUPERVISION_MIN_COUNT = 1


@pytest.fixture
def leader(other_department):
    return staff(other_department, "leader1", "leader")
