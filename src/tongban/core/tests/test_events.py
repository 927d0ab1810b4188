"""core.events: declared payloads, handlers inside the transaction and after commit, retries."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction

from tongban.core import events
from tongban.core.models import Region


@events.declare("test.region_named")
@dataclass(frozen=True)
class RegionNamed:
    region_code: str
    name: str
    note: str | None = None
    households: int = 0


calls: list[str] = []
failures_left = {"count": 0}


def rename_in_transaction(event: RegionNamed) -> None:
    Region.objects.filter(pk=event.region_code).update(name=f"{event.name}（已核）")


def refuse_in_transaction(event: RegionNamed) -> None:
    raise ValueError("handler refuses")


def tell_outside(event: RegionNamed) -> None:
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise ConnectionError("outside system down")
    calls.append(event.name)


@pytest.fixture
def subscribed():
    """Subscribe for one test only; the registry is process-wide."""
    made = []

    def subscribe(handler, **kwargs):
        events.subscribe(RegionNamed, handler, **kwargs)
        made.append(handler)

    calls.clear()
    failures_left["count"] = 0
    yield subscribe
    for handler in made:
        events.unsubscribe(RegionNamed, handler)


def _region():
    return Region.objects.create(code="411099", name="示例区", level=Region.Level.COUNTY)


def test_an_undeclared_event_cannot_be_published():
    @dataclass(frozen=True)
    class Stray:
        x: int

    with pytest.raises(events.EventError, match="not a declared event"):
        events.publish(Stray(x=1))


def test_a_payload_of_the_wrong_shape_is_refused_at_publish():
    with pytest.raises(events.EventError, match="region_code=411099 is not str"):
        events.publish(RegionNamed(region_code=411099, name="x"))
    with pytest.raises(events.EventError, match=r"note=3 is not str \| NoneType"):
        events.publish(RegionNamed(region_code="411099", name="x", note=3))
    with pytest.raises(events.EventError, match="households=True is not int"):
        events.publish(RegionNamed(region_code="411099", name="x", households=True))


def test_only_frozen_dataclasses_of_plain_values_can_be_declared():
    @dataclass
    class Mutable:
        x: int

    with pytest.raises(events.EventError, match="frozen dataclass"):
        events.declare("test.mutable")(Mutable)

    @dataclass(frozen=True)
    class WithObject:
        region: Region

    with pytest.raises(events.EventError, match="int, str, bool or float"):
        events.declare("test.object")(WithObject)


def test_an_after_commit_handler_must_be_importable_by_its_path():
    def local_handler(event):
        pass

    with pytest.raises(events.EventError, match="module-level"):
        events.subscribe(RegionNamed, local_handler, after_commit=True)


@pytest.mark.django_db
def test_an_in_transaction_handler_writes_with_the_change(subscribed, captured_events):
    subscribed(rename_in_transaction)
    region = _region()
    events.publish(RegionNamed(region_code=region.pk, name="示例区"))
    region.refresh_from_db()
    assert region.name == "示例区（已核）"
    assert captured_events.names() == ["test.region_named"]
    assert captured_events.handlers_run(RegionNamed) == [
        "tongban.core.tests.test_events.rename_in_transaction"
    ]


@pytest.mark.django_db
def test_a_failing_in_transaction_handler_undoes_the_change(subscribed, captured_events):
    subscribed(refuse_in_transaction)
    with pytest.raises(ValueError, match="handler refuses"), transaction.atomic():
        region = _region()
        events.publish(RegionNamed(region_code=region.pk, name="示例区"))
    assert not Region.objects.filter(code="411099").exists()
    assert captured_events.handlers_run(RegionNamed) == []
    assert [run.ok for run in captured_events.handled] == [False]


@pytest.mark.django_db
def test_an_after_commit_handler_waits_for_the_commit(
    subscribed, captured_events, django_capture_on_commit_callbacks
):
    subscribed(tell_outside, after_commit=True)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        region = _region()
        events.publish(RegionNamed(region_code=region.pk, name="示例区"))
        assert calls == []  # not before the commit
    assert calls == ["示例区"]
    assert captured_events.handlers_run(RegionNamed) == [
        "tongban.core.tests.test_events.tell_outside"
    ]


@pytest.mark.django_db
def test_a_rolled_back_change_never_reaches_an_after_commit_handler(
    subscribed, django_capture_on_commit_callbacks
):
    subscribed(tell_outside, after_commit=True)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events.publish(RegionNamed(region_code="411099", name="示例区"))
        raise RuntimeError("the change fails")
    assert calls == []


@pytest.mark.django_db
def test_a_failing_after_commit_handler_is_retried_through_the_worker(
    subscribed, captured_events, django_capture_on_commit_callbacks
):
    subscribed(tell_outside, after_commit=True)
    failures_left["count"] = 2  # the first attempt and the first retry fail
    with django_capture_on_commit_callbacks(execute=True):
        region = _region()
        events.publish(RegionNamed(region_code=region.pk, name="示例区"))
    assert Region.objects.filter(pk=region.pk).exists()  # the change stands
    assert calls == ["示例区"]  # the third attempt, by the Celery task, got through
    assert [run.ok for run in captured_events.handled] == [False, False, True]


def test_retries_wait_longer_each_time_up_to_an_hour():
    assert [events.retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert events.retry_delay(20) == 3600


def test_docs_list_every_event_and_every_listener():
    """docs/events.md is the map other domains read: every event and handler is in it."""
    text = (Path(__file__).resolve().parents[4] / "docs" / "events.md").read_text()
    for name in events.declared():
        if name.startswith("test."):
            continue
        assert f"`{name}`" in text, name
        for subscription in events.subscriptions(name):
            assert f"`{subscription.path}`" in text, subscription.path
