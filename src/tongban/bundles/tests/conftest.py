"""Bundle fixtures: the demo city with both demo bundles, and helpers that drive a member through
case handling as its department would."""

import pytest

from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import EnterpriseProfile, User
from tongban.applications import demo as applications_demo
from tongban.bundles import demo as bundles_demo
from tongban.bundles.models import Bundle
from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.licences import demo as licences_demo
from tongban.seals import demo as seals_demo
from tongban.testing.factories import demo_staff as staff  # noqa: F401 (imported here)
from tongban.testing.factories import pdf, pdf_bytes  # noqa: F401 (imported here)


@pytest.fixture
def demo_city(db):
    quiet = lambda _msg: None  # noqa: E731
    for loader in (core_demo, accounts_demo, seals_demo, catalog_demo, applications_demo):
        loader.load(quiet)
    licences_demo.load(quiet)
    bundles_demo.load(quiet)


@pytest.fixture
def newborn(demo_city):
    return Bundle.objects.get(code="newborn").current_version


@pytest.fixture
def restaurant(demo_city):
    return Bundle.objects.get(code="restaurant").current_version


@pytest.fixture
def parent(demo_city):
    return User.objects.get(citizen__real_name="李演示")


@pytest.fixture
def enterprise_account(demo_city):
    return EnterpriseProfile.objects.get(name="许昌示例餐饮管理有限公司").user
