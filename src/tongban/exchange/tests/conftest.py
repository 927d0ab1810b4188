import datetime

import pytest
from django.utils import timezone

from tongban.accounts import actions as account_actions
from tongban.exchange import ratelimit
from tongban.exchange.actions import access, catalogue, query
from tongban.exchange.models import Consumer
from tongban.testing.exchange import (  # noqa: F401 (this app's tests import them here)
    ITEMS,
    PEOPLE,
    load_rows,
    make_resource,
    person_id,
    population_rows,
)
from tongban.testing.factories import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_process_state():
    # The circuit breaker lives in the cache, which the root conftest empties for every test.
    query.forget_items()
    ratelimit.forget()
    yield


@pytest.fixture
def resource_class(db):
    return catalogue.ensure_class(code="JCK-RK", name="人口基础信息库")


@pytest.fixture
def population(department, resource_class):
    resource = make_resource(department, resource_class)
    load_rows(resource, population_rows())
    return resource


@pytest.fixture
def consumer(other_department):
    consumer, _secret = access.create_consumer(
        actor=None,
        code="wj.sys",
        name="卫健业务系统",
        kind=Consumer.Kind.SYSTEM,
        department=other_department,
    )
    return consumer


@pytest.fixture
def granted(consumer, population):
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=population,
        items=["xm", "csrq"],
        purpose="出生医学证明签发核验",
        legal_basis="《母婴保健法》",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    return access.approve(actor=None, request=request)


@pytest.fixture
def data_admin(department):
    return account_actions.create_staff(
        actor=None,
        login_name="dataadmin",
        display_name="资源管理员",
        department=department,
        roles=["catalogue_admin"],
        password=PASSWORD,
    )


@pytest.fixture
def consumer_staff(other_department):
    return account_actions.create_staff(
        actor=None,
        login_name="wjstaff",
        display_name="卫健经办",
        department=other_department,
        roles=["handler"],
        password=PASSWORD,
    )
