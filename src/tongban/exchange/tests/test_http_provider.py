"""The HTTP provider against a real demo department process started on a free port."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tongban.exchange.actions import access
from tongban.exchange.actions.errors import ProviderUnavailable
from tongban.exchange.actions.query import query
from tongban.exchange.demo import population
from tongban.exchange.models import CallRecord


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_department():
    started = []

    def start(*flags) -> str:
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
            [sys.executable, "-m", "tongban.exchange.demo.department", "--port", str(port), *flags],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=0.5).close()  # noqa: S310
                return url
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("demo department did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def household_resource(department, resource_class, url, **options):
    from tongban.exchange.actions.catalogue import ItemSpec, create_resource, publish
    from tongban.exchange.models import DataItem

    version = create_resource(
        actor=None,
        code="MZ_HJ",
        department=department,
        elements={
            "name": "户籍登记信息",
            "resource_class": resource_class,
            "share_condition": "unconditional",
            "share_basis": "",
            "delivery": "query",
            "provider_plugin": "http",
            "provider_options": {"url": f"{url}/query", **options},
            "provider_label": "民政户籍登记系统",
        },
        items=[
            ItemSpec("xm", "姓名", required=True),
            ItemSpec("gmsfhm", "公民身份号码", rule=DataItem.Rule.CITIZEN_ID),
            ItemSpec("csrq", "出生日期", item_type="date", required=True),
            ItemSpec("hjszd", "户籍所在地区划代码"),
        ],
    )
    publish(actor=None, version=version)
    version.resource.refresh_from_db()
    return version.resource


@pytest.fixture
def elder():
    return population.people()[0]


def grant(consumer, resource):
    import datetime

    from django.utils import timezone

    access.request_access(
        actor=None,
        consumer=consumer,
        resource=resource,
        items=["xm", "gmsfhm", "csrq", "hjszd"],
        purpose="高龄津贴核验",
        legal_basis="依据",
        valid_until=timezone.localdate() + datetime.timedelta(days=9),
    )


def call(consumer, elder):
    return query(
        consumer=consumer,
        resource_code="MZ_HJ",
        subjects=[elder.id_number],
        items=["xm", "csrq", "hjszd"],
        purpose="高龄津贴核验",
        case_ref="C1",
    )


def test_answer_crosses_the_process_boundary(
    start_department, department, resource_class, consumer, elder
):
    resource = household_resource(department, resource_class, start_department())
    grant(consumer, resource)
    result = call(consumer, elder)
    assert result.records[elder.id_number] == {
        "xm": elder.name,
        "csrq": elder.birth.isoformat(),
        "hjszd": "411002",
    }


def test_timeout_is_retried_then_reported_and_logged_as_a_failure(
    start_department, department, resource_class, consumer, elder
):
    url = start_department("--delay", "3")
    resource = household_resource(
        department, resource_class, url, timeout=0.3, retries=1, backoff=0.05
    )
    grant(consumer, resource)
    began = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="超时"):
        call(consumer, elder)
    assert time.monotonic() - began < 2.5  # two short attempts, not the department's 3 s
    entry = CallRecord.objects.get(kind="query")
    assert entry.outcome == "failed" and "超时" in entry.reason


def test_a_slow_answer_within_the_timeout_is_accepted(
    start_department, department, resource_class, consumer, elder
):
    url = start_department("--delay", "0.3")
    resource = household_resource(department, resource_class, url, timeout=3)
    grant(consumer, resource)
    assert call(consumer, elder).found


def test_failing_department_opens_the_circuit(
    start_department, department, resource_class, consumer, elder
):
    url = start_department("--fail")
    resource = household_resource(
        department, resource_class, url, retries=0, failure_threshold=2, open_seconds=60
    )
    grant(consumer, resource)
    for _ in range(2):
        with pytest.raises(ProviderUnavailable, match="HTTP 500"):
            call(consumer, elder)
    with pytest.raises(ProviderUnavailable, match="熔断"):
        call(consumer, elder)


def test_answer_breaking_the_data_items_is_rejected(
    start_department, department, resource_class, consumer, elder
):
    url = start_department("--garbage")
    resource = household_resource(department, resource_class, url, retries=0)
    grant(consumer, resource)
    with pytest.raises(ProviderUnavailable, match="不符合资源的信息项定义"):
        call(consumer, elder)


def test_stopped_department_is_reported_as_unreachable(department, resource_class, consumer, elder):
    resource = household_resource(
        department, resource_class, f"http://127.0.0.1:{free_port()}", retries=0
    )
    grant(consumer, resource)
    with pytest.raises(ProviderUnavailable, match="无法连接"):
        call(consumer, elder)
