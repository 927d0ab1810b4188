import pytest

from tongban.accounts import demo as accounts_demo
from tongban.accounts.models import CitizenProfile, EnterpriseProfile
from tongban.core import demo as core_demo
from tongban.exchange import demo
from tongban.exchange.actions import query
from tongban.exchange.models import Consumer, Grant, LocalRecord, Resource


@pytest.fixture
def demo_exchange(db):
    for loader in (core_demo, accounts_demo, demo):
        loader.load(lambda _line: None)


def test_demo_people_and_enterprise_are_in_the_shared_data(demo_exchange):
    elder = CitizenProfile.objects.get(real_name="张示例")
    consumer = Consumer.objects.get(code="platform.certificate_free")
    answer = query.query(
        consumer=consumer,
        resource_code="RK_RKJBXX",
        subjects=[elder.id_number],
        items=["xm", "csrq"],
        purpose="演示核验",
    )
    assert answer.records[elder.id_number] == {"xm": "张示例", "csrq": "1942-08-15"}
    enterprise = EnterpriseProfile.objects.get(name=accounts_demo.ENTERPRISE[0])
    answer = query.query(
        consumer=consumer,
        resource_code="SJ_QYDJ",
        subjects=[enterprise.uscc],
        items=["qymc", "fddbr"],
        purpose="演示核验",
    )
    assert answer.records[enterprise.uscc] == {"qymc": enterprise.name, "fddbr": "赵示范"}


def test_demo_is_idempotent_and_covers_every_department(demo_exchange):
    counts = (Resource.objects.count(), Grant.objects.count(), LocalRecord.objects.count())
    demo.load(lambda _line: None)
    assert (Resource.objects.count(), Grant.objects.count(), LocalRecord.objects.count()) == counts
    providers = set(Resource.objects.values_list("department__short_name", flat=True))
    assert {
        "市公安局",
        "市民政局",
        "市人社局",
        "市市场监管局",
        "市自然资源规划局",
        "市卫健委",
        "市残联",
    } <= providers
