"""Licence fixtures on top of the shared ones (tongban.testing: `licence_type`, the department's
公共场所卫生许可证): a licence issued to the citizen."""

import datetime

import pytest

from tongban.licences import actions
from tongban.testing.clock import at


@pytest.fixture(autouse=True)
def _ratings_not_migrated_yet(request, monkeypatch):
    """The ratings app is being built alongside; until its tables exist, completing a case must
    not fail on its invitation hook (this fixture does nothing once they exist)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from django.db import connection

    if "ratings_ratinginvitation" not in connection.introspection.table_names():
        try:
            import tongban.ratings.actions as ratings
        except ImportError:
            return
        monkeypatch.setattr(ratings, "invite_after_completion", lambda *a, **k: None, raising=False)


@pytest.fixture
def licence(citizen, licence_type):
    """A 公共场所卫生许可证 issued directly to the citizen on 2026-10-08."""
    with at(datetime.date(2026, 10, 8)):
        return actions.issue(
            licence_type=licence_type,
            holder_name="示例老人",
            holder_id_type="111",
            holder_id_number=citizen.citizen.id_number,
            data={"request_detail": "餐饮场所"},
        )
