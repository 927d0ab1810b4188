"""Shared pytest fixtures: a small region tree, a department, and one account of each kind."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from tongban.catalog import actions as catalog_actions
from tongban.core import testdata
from tongban.core.models import Department, Region
from tongban.testing import factories


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Uploaded and issued files go to a per-test directory; pages link static files without the
    hashed manifest (tests run without `collectstatic`)."""
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs ~0.1 s per hash by design; the suite hashes thousands of test passwords.
    Tests of the platform's own hashing ask for `production_password_hashers`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def production_password_hashers(settings):
    from tongban import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tasks queued by on-commit hooks run at once in the test process, never into a real broker."""
    from tongban.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache. The embedded database cache is reset by the test
    transaction already; Redis outlives tests, so it is flushed here. So are the published versions'
    structures this process keeps: rolled-back tests reuse ids (SQLite) and frozen clocks repeat
    publication times, which no real catalogue does. Template fragments this process keeps go too."""
    if settings.REDIS_URL:
        cache.clear()
    caches["fragments"].clear()
    catalog_actions.forget_version_structures()


@pytest.fixture
def captured_events():
    """Every domain event published during the test and every handler run (core.events)."""
    from tongban.core import events

    with events.capture() as captured:
        yield captured


@pytest.fixture
def region_city(db):
    province = Region.objects.create(code="410000", name="河南省", level=Region.Level.PROVINCE)
    city = Region.objects.create(
        code="411000", name="许昌市", level=Region.Level.CITY, parent=province
    )
    Region.objects.create(code="411002", name="魏都区", level=Region.Level.COUNTY, parent=city)
    return city


@pytest.fixture
def department(region_city):
    return Department.objects.create(
        name="许昌市民政局",
        short_name="市民政局",
        uscc=testdata.credit_code("11", "411000", 1),
        region=region_city,
        level=Department.ExerciseLevel.CITY,
    )


@pytest.fixture
def other_department(region_city):
    return Department.objects.create(
        name="许昌市卫生健康委员会",
        short_name="市卫健委",
        uscc=testdata.credit_code("11", "411000", 2),
        region=region_city,
        level=Department.ExerciseLevel.CITY,
    )


@pytest.fixture
def citizen(db):
    return factories.citizen("示例老人", birth=datetime.date(1940, 5, 6), sequence=1, phone=1)


@pytest.fixture
def second_citizen(db):
    return factories.citizen("示例经办", birth=datetime.date(1990, 1, 2), sequence=7, phone=2)


@pytest.fixture
def enterprise(db):
    return factories.enterprise("许昌示例餐饮有限公司", sequence=11, legal_rep_sequence=21, phone=3)


@pytest.fixture
def staff_clerk(department):
    return factories.staff(department, "clerk01", "window_clerk", display_name="窗口示例员")


@pytest.fixture
def platform_admin(department):
    return factories.staff(department, "admin01", "platform_admin", display_name="平台管理员")


def pytest_collection_modifyitems(config, items):
    """Row-lock and concurrency tests need PostgreSQL; on SQLite (one writer at a time) skip them."""
    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TONGBAN_DATABASE_URL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def eager_celery():
    """Celery tasks run in the test's process when queued (after commit, with the on-commit capture)."""
    from tongban.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def sms_codes():
    """The verification codes texted so far, newest last, read where only a test can: the secret
    SMS delivery (kept encrypted until sent) of the "code_sms" plug-in."""
    import re as _re

    from tongban.notify.models import Delivery

    def codes(phone: str | None = None) -> list[str]:
        found = []
        for delivery in Delivery.objects.filter(is_secret=True).order_by("pk"):
            if phone and delivery.to_phone != phone:
                continue
            text = delivery.secret_body or ""
            match = _re.search(r"验证码(\d{6})", text)
            if match:
                found.append(match.group(1))
        return found

    return codes
