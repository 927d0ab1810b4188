"""Real-name level 1 (identity's plug-in kind "realname_1") answered by the exchange: the name and
ID number must be found together in the population data; every comparison is a logged call."""

import datetime

import pytest
from django.utils import timezone

from tongban.accounts.models import CitizenProfile
from tongban.exchange.actions import access
from tongban.exchange.models import CallRecord, Consumer
from tongban.identity import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def realname_consumer(population, settings):
    consumer, _secret = access.create_consumer(
        actor=None,
        code="platform.realname",
        name="实名认证",
        kind=Consumer.Kind.PLATFORM,
        department=None,
    )
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=population,
        items=["xm", "gmsfhm"],
        purpose="实名认证",
        legal_basis="《网络安全法》第二十四条",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    access.approve(actor=None, request=request)
    settings.PLUGINS = {
        **settings.PLUGINS,
        "realname_1": {"name": "population", "options": {"resource": population.code}},
    }
    return consumer


def test_level_one_needs_the_name_the_population_data_holds(citizen, realname_consumer):
    # The citizen fixture has the ID number of 示例甲 in the population rows, under another name.
    with pytest.raises(Exception, match="姓名与人口库登记的不一致"):
        actions.raise_realname_level(user=citizen, level=1)
    CitizenProfile.objects.filter(user=citizen).update(real_name="示例甲")
    citizen.refresh_from_db()

    assert actions.raise_realname_level(user=citizen, level=1) == 1
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.verification_level == 1
    assert CallRecord.objects.filter(consumer_code=realname_consumer.code).count() == 2


def test_a_number_not_in_the_population_data_stays_at_level_zero(second_citizen, realname_consumer):
    CitizenProfile.objects.filter(user=second_citizen).update(id_number="110101199003070011")
    second_citizen.refresh_from_db()
    with pytest.raises(Exception, match="没有找到"):
        actions.raise_realname_level(user=second_citizen, level=1)
    second_citizen.citizen.refresh_from_db()
    assert second_citizen.citizen.verification_level == 0
