import datetime
import hashlib

import pytest
from django.utils import timezone

from tongban.accounts import actions as account_actions
from tongban.core import testdata
from tongban.exchange import ratelimit
from tongban.exchange.actions import access, bulk, catalogue, query
from tongban.exchange.actions.catalogue import ItemSpec
from tongban.exchange.models import Consumer, DataItem, ShareCondition

PASSWORD = "Tongban2026"
PEOPLE = [
    ("示例甲", datetime.date(1940, 5, 6), 1),
    ("示例乙", datetime.date(1990, 1, 2), 7),
    ("示例丙", datetime.date(2001, 9, 9), 9),
]
ITEMS = [
    ItemSpec("xm", "姓名", sensitivity="sensitive", personal=True, required=True),
    ItemSpec("gmsfhm", "公民身份号码", personal=True, required=True, rule=DataItem.Rule.CITIZEN_ID),
    ItemSpec("xb", "性别", rule=DataItem.Rule.CODE_TABLE, code_table="男|女"),
    ItemSpec("csrq", "出生日期", item_type="date", required=True),
]


def person_id(birth, sequence):
    return testdata.citizen_id(birth=birth, sequence=sequence)


def population_rows():
    return [
        {
            "subject": person_id(birth, seq),
            "xm": name,
            "gmsfhm": person_id(birth, seq),
            "xb": "男",
            "csrq": birth.isoformat(),
        }
        for name, birth, seq in PEOPLE
    ]


def load_rows(resource, rows, **kwargs):
    content = bulk.csv_bytes(rows, ["subject", "xm", "gmsfhm", "xb", "csrq"])
    return bulk.load_file(
        actor=None,
        resource=resource,
        content=content,
        file_name="rk.csv",
        declared_rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _fresh_process_state():
    # The circuit breaker lives in the cache, which the root conftest empties for every test.
    query.forget_items()
    ratelimit.forget()
    yield


@pytest.fixture
def resource_class(db):
    return catalogue.ensure_class(code="JCK-RK", name="人口基础信息库")


def make_resource(
    department,
    resource_class,
    *,
    code="T_RK",
    condition=ShareCondition.CONDITIONAL,
    plugin="local_table",
    options=None,
    publish=True,
):
    version = catalogue.create_resource(
        actor=None,
        code=code,
        department=department,
        elements={
            "name": "人口基础信息（测试）",
            "resource_class": resource_class,
            "share_condition": condition,
            "share_basis": "测试依据" if condition != ShareCondition.UNCONDITIONAL else "",
            "delivery": "both",
            "provider_plugin": plugin,
            "provider_options": options or {},
            "provider_label": "公安人口库",
        },
        items=list(ITEMS),
    )
    if publish:
        catalogue.publish(actor=None, version=version)
    version.resource.refresh_from_db()
    return version.resource


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
