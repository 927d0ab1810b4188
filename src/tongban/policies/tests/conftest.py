import pytest

from tongban.accounts import demo as accounts_demo
from tongban.core import demo as core_demo
from tongban.exchange import demo as exchange_demo
from tongban.policies import demo as policies_demo
from tongban.seals import demo as seals_demo


@pytest.fixture
def demo_city(db):
    """The demo city's accounts, seals, shared data and its four policies, matched."""
    for loader in (core_demo, accounts_demo, seals_demo, exchange_demo, policies_demo):
        loader.load(lambda _line: None)
