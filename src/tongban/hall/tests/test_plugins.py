import time

import pytest
from django.core.exceptions import ValidationError

from tongban.core import plugins
from tongban.core.testdata import citizen_id
from tongban.hall.plugins import SignedAgentReader, SimulatedReader, sign

SECRET = "terminal-secret-0123456789"


def test_signed_agent_accepts_a_fresh_signed_read():
    number = citizen_id()
    now = int(time.time())
    reader = SignedAgentReader({"secret": SECRET, "max_age": 60})
    read = reader.read(
        {"id_number": number, "timestamp": now, "signature": sign(SECRET, number, now)}
    )
    assert read.id_number == number


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signature": "0" * 64}, "校验失败"),
        ({"timestamp": 1}, "校验失败"),
        ({"id_number": citizen_id(sequence=9)}, "校验失败"),
    ],
)
def test_signed_agent_refuses_forged_reads(change, message):
    number, now = citizen_id(), int(time.time())
    payload = {"id_number": number, "timestamp": now, "signature": sign(SECRET, number, now)}
    payload.update(change)
    with pytest.raises(ValidationError, match=message):
        SignedAgentReader({"secret": SECRET, "max_age": 60}).read(payload)


def test_signed_agent_refuses_stale_reads():
    number, old = citizen_id(), int(time.time()) - 600
    with pytest.raises(ValidationError, match="已过期"):
        SignedAgentReader({"secret": SECRET, "max_age": 60}).read(
            {"id_number": number, "timestamp": old, "signature": sign(SECRET, number, old)}
        )


def test_configuration_is_checked():
    assert SignedAgentReader.check_config({}) == ["缺少必填配置项 secret（共享密钥）"]
    assert "至少 16" in SignedAgentReader.check_config({"secret": "short"})[0]
    assert plugins.registered("id_card_reader")["simulated"] is SimulatedReader


def test_simulated_reader_checks_the_number():
    with pytest.raises(ValidationError, match="读卡失败"):
        SimulatedReader().read({"id_number": "411002194005060011"})
