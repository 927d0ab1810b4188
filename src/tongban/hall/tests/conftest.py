"""Hall fixtures (tongban.testing.hall), and ending the live watcher after a stream test."""

import pytest

from tongban.hall import live
from tongban.testing.clock import at  # noqa: F401 (the hall tests import it from here)
from tongban.testing.hall import (  # noqa: F401 (fixtures and helpers the hall tests use)
    MONDAY,
    clerk,
    clerk_b,
    clock,
    groups,
    hall,
    hall_clerk,
    windows,
)


@pytest.fixture(autouse=True)
def _no_watcher_outlives_the_test():
    """A stream test starts the process's watcher thread: end it, so it reads no later test's data."""
    yield
    live.hub.stop()
