"""Domain events: how a lower domain makes something happen in a higher one without importing it
(the layers of docs/ARCHITECTURE.md; every event is listed in docs/events.md).

The publishing domain declares each of its events in its own `events.py`, with the payload as a
frozen dataclass of plain values (ids, codes, short texts; never model instances or personal data),
so that a handler retried later through Celery gets exactly what was published:

    @events.declare("case.completed")
    @dataclass(frozen=True)
    class CaseCompleted:
        application_id: int
        result: str

It publishes inside the transaction that made the change: `events.publish(CaseCompleted(...))`.
A higher domain subscribes in its AppConfig.ready():

    events.subscribe(CaseCompleted, handlers.invite_to_rate)                    # in the transaction
    events.subscribe(CaseCompleted, handlers.tell_the_hall, after_commit=True)  # after commit

A handler inside the transaction writes together with the change: when it fails, the change is
rolled back. A handler that talks to the outside world (messages, a search index, a page cache)
subscribes `after_commit`: it runs once the change is committed and, when it fails, is retried by
the Celery task `run_event_handler` with growing pauses; the change itself stands.

Tests see every event published and every handler run through `capture()` (the pytest fixture
`captured_events`), so they can assert what a change sets off without reading other domains' tables.
"""

from __future__ import annotations

import dataclasses
import logging
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# A payload carries plain values only: they go through Celery's JSON serialiser unchanged.
PLAIN_TYPES = (int, str, bool, float)

# Retries of a failed after-commit handler: 30 s, 1 min, 2 min … capped at one hour, 10 in all.
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 3600
MAX_RETRIES = 10


class EventError(TypeError):
    """An event that is not declared, a payload of the wrong shape, or a handler that cannot be
    found again by its dotted path: a programming error, raised at once."""


@dataclasses.dataclass(frozen=True)
class Subscription:
    handler: Callable
    path: str
    after_commit: bool


@dataclasses.dataclass(frozen=True)
class HandlerRun:
    event: str
    handler: str
    after_commit: bool
    ok: bool


_declared: dict[str, type] = {}
_field_types: dict[str, dict[str, tuple[type, ...]]] = {}
_subscriptions: dict[str, list[Subscription]] = {}
_captures: list[Captured] = []


def declare(name: str) -> Callable[[type], type]:
    """Class decorator: register a frozen dataclass as the payload of the event `name`."""

    def register(cls: type) -> type:
        if not (dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen):
            raise EventError(f"{cls.__qualname__}: an event payload must be a frozen dataclass")
        if name in _declared and _declared[name] is not cls:
            raise EventError(
                f"event {name!r} is already declared by {_declared[name].__qualname__}"
            )
        hints = typing.get_type_hints(cls)
        _field_types[name] = {
            f.name: _plain_types(cls, f.name, hints[f.name]) for f in dataclasses.fields(cls)
        }
        cls.event_name = name
        _declared[name] = cls
        return cls

    return register


def _plain_types(cls: type, field: str, hint) -> tuple[type, ...]:
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for kind in allowed:
        if kind is not type(None) and kind not in PLAIN_TYPES:
            raise EventError(
                f"{cls.__qualname__}.{field}: payload fields are int, str, bool or float "
                f"(optionally None), not {hint}"
            )
    return allowed


def declared() -> dict[str, type]:
    """Every declared event, by name (for docs and checks)."""
    return dict(_declared)


def subscriptions(name: str) -> list[Subscription]:
    return list(_subscriptions.get(name, ()))


def subscribe(event: type, handler: Callable, *, after_commit: bool = False) -> None:
    """Call `handler(payload)` whenever `event` is published. Subscribing twice is harmless."""
    name = _name_of(event)
    path = f"{handler.__module__}.{handler.__qualname__}"
    if after_commit and _importable(path) is not handler:
        raise EventError(
            f"{path}: an after-commit handler must be a module-level function "
            "(a retry imports it again by this dotted path)"
        )
    subscription = Subscription(handler=handler, path=path, after_commit=after_commit)
    existing = _subscriptions.setdefault(name, [])
    if subscription not in existing:
        existing.append(subscription)


def unsubscribe(event: type, handler: Callable) -> None:
    name = _name_of(event)
    _subscriptions[name] = [s for s in _subscriptions.get(name, []) if s.handler is not handler]


def publish(payload) -> None:
    """Publish an event from inside the transaction that made the change."""
    name = _name_of(type(payload))
    _validate(name, payload)
    for captured in _captures:
        captured.published.append(payload)
    for subscription in _subscriptions.get(name, ()):
        if subscription.after_commit:
            data = dataclasses.asdict(payload)
            transaction.on_commit(partial(_after_commit, subscription.path, name, data))
        else:
            _run(subscription.handler, subscription.path, name, payload, after_commit=False)


def _name_of(event: type) -> str:
    name = getattr(event, "event_name", None)
    if name is None or _declared.get(name) is not event:
        raise EventError(f"{getattr(event, '__qualname__', event)!r} is not a declared event")
    return name


def _validate(name: str, payload) -> None:
    for field, allowed in _field_types[name].items():
        value = getattr(payload, field)
        # bool is an int in Python; an int field must not silently take True/False.
        wrong_bool = isinstance(value, bool) and bool not in allowed
        if wrong_bool or not isinstance(value, allowed):
            raise EventError(
                f"{name}: {field}={value!r} is not {' | '.join(t.__name__ for t in allowed)}"
            )


def _run(handler: Callable, path: str, name: str, payload, *, after_commit: bool) -> None:
    try:
        handler(payload)
    except BaseException:
        _record(HandlerRun(name, path, after_commit, ok=False))
        raise
    _record(HandlerRun(name, path, after_commit, ok=True))


def _record(run: HandlerRun) -> None:
    for captured in _captures:
        captured.handled.append(run)


def _import(path: str) -> Callable:
    try:
        return import_string(path)
    except ImportError as error:
        raise EventError(f"handler {path} cannot be imported: {error}") from error


def _importable(path: str) -> Callable | None:
    try:
        return import_string(path)
    except ImportError:
        return None


def run_handler(path: str, name: str, data: dict) -> None:
    """Run one after-commit handler on a payload given as plain data (the Celery task's body)."""
    if name not in _declared:
        raise EventError(f"{name!r} is not a declared event")
    payload = _declared[name](**data)
    _validate(name, payload)
    _run(_import(path), path, name, payload, after_commit=True)


def _after_commit(path: str, name: str, data: dict) -> None:
    """First attempt in the process that committed; a failure is handed to Celery to retry."""
    try:
        run_handler(path, name, data)
    except Exception:
        log.exception("event %s: handler %s failed; retrying through the worker", name, path)
        from tongban.core.tasks import run_event_handler

        try:
            run_event_handler.apply_async(args=[path, name, data], countdown=retry_delay(1))
        except Exception:
            # The change is committed either way; without a broker the retry cannot be queued.
            log.exception("event %s: could not queue the retry of %s", name, path)


def retry_delay(attempt: int) -> int:
    """Seconds to wait before retry number `attempt` (1, 2 …): doubling, capped."""
    return min(RETRY_FIRST_SECONDS * 2 ** (attempt - 1), RETRY_MAX_SECONDS)


@dataclasses.dataclass
class Captured:
    """What `capture()` saw: the payloads published and the handler runs, in order."""

    published: list = dataclasses.field(default_factory=list)
    handled: list[HandlerRun] = dataclasses.field(default_factory=list)

    def names(self) -> list[str]:
        return [p.event_name for p in self.published]

    def of(self, event: type) -> list:
        """The payloads of one event type published so far."""
        return [p for p in self.published if type(p) is event]

    def handlers_run(self, event: type) -> list[str]:
        """Dotted paths of the handlers that ran (successfully) for `event`."""
        name = _name_of(event)
        return [r.handler for r in self.handled if r.event == name and r.ok]


@contextmanager
def capture() -> Iterator[Captured]:
    captured = Captured()
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)
