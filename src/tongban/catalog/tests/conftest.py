"""Catalogue fixtures: the demo reference data and catalogue, and another department's catalogue
administrator (`catalogue_admin` is the plugin's, tongban.testing.plugin)."""

import pytest

from tongban.accounts import actions as account_actions
from tongban.accounts import demo as accounts_demo
from tongban.catalog import demo as catalog_demo
from tongban.core import demo as core_demo
from tongban.testing.factories import PASSWORD


@pytest.fixture
def demo_catalog(db):
    core_demo.load(lambda _msg: None)
    accounts_demo.load(lambda _msg: None)
    catalog_demo.load(lambda _msg: None)


@pytest.fixture
def other_catalogue_admin(other_department):
    return account_actions.create_staff(
        actor=None,
        login_name="catadmin2",
        display_name="卫健事项管理员",
        department=other_department,
        roles=["catalogue_admin"],
        password=PASSWORD,
    )
