"""Authorised, logged calls: a consumer asks a resource's provider for items about subjects.

Every call is checked against a live grant, answers only the granted items it asked for, and is
logged (calllog) whatever its outcome: answered, not found, denied or failed.
"""

import datetime
import time
from dataclasses import dataclass, field, fields
from threading import Lock

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from tongban.core import pii, plugins
from tongban.exchange import conf, ratelimit
from tongban.exchange.actions import calllog
from tongban.exchange.actions.access import live_grants, why_no_grant
from tongban.exchange.actions.catalogue import PROVIDER_KIND
from tongban.exchange.actions.errors import ExchangeDenied, ProviderUnavailable
from tongban.exchange.models import (
    CASE_REF_LENGTH,
    CallRecord,
    Consumer,
    DataItem,
    Grant,
    Resource,
    ResourceVersion,
    ShareCondition,
)
from tongban.exchange.validation import subject_problem

OUT = CallRecord.Outcome


def max_batch() -> int:
    return conf.max_batch()


@dataclass
class QueryResult:
    resource_code: str
    resource_name: str
    provider_department: str
    provider_label: str
    items: list[str]
    records: dict[str, dict | None]
    record_ids: list[int] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return any(record is not None for record in self.records.values())


@dataclass(frozen=True, slots=True)
class PublishedItem:
    """A data item of a published version, as queries read it: an immutable copy, so the one this
    process keeps can be shared by every request without anyone changing it under another."""

    code: str
    name: str
    item_type: str
    code_table: str
    required: bool
    rule: str
    personal: bool
    sensitivity: str


_PUBLISHED_ITEM_FIELDS = tuple(f.name for f in fields(PublishedItem))

# Items of published versions, per process: a published version is never edited. Keyed with the
# publication time too, so a database that reuses ids (a restored copy, rolled-back tests) cannot
# serve another version's items.
_items_cache: dict[tuple, tuple[PublishedItem, ...]] = {}
_items_lock = Lock()


def _items_of(version) -> tuple[PublishedItem, ...]:
    key = (version.pk, version.published_at)
    items = _items_cache.get(key)
    if items is None:
        rows = (
            DataItem.objects.filter(version_id=version.pk)
            .order_by("order", "id")
            .values(*_PUBLISHED_ITEM_FIELDS)
        )
        items = tuple(PublishedItem(**row) for row in rows)
        with _items_lock:
            _items_cache[key] = items
    return items


def forget_items() -> None:
    with _items_lock:
        _items_cache.clear()
    forget_authorisations()


def subject_index(subject_kind: str, subject: str) -> str:
    """The blind index a subject is logged and found under (the accounts' own index kinds, so a
    person's 用数记录 is found by their profile's index)."""
    return pii.blind_index(subject, subject_kind)


@dataclass
class _Call:
    consumer: Consumer
    resource_code: str
    subjects: list[str]
    items: list[str]
    purpose: str
    case_ref: str
    started: float
    kind: str = CallRecord.Kind.QUERY
    resource: Resource | None = None
    subject_kind: str = "citizen_id"
    subjects_checked: bool = False  # every subject is well-formed (checked once, not again to log)

    def log(self, outcome: str, reason: str = "", found: dict | None = None) -> list[CallRecord]:
        latency = int((time.perf_counter() - self.started) * 1000)
        department = self.resource.department.name if self.resource else ""
        well_formed = (
            self.subjects
            if self.subjects_checked
            else [s for s in self.subjects if not subject_problem(self.subject_kind, s)]
        )
        per_subject = well_formed or [""]
        entries = [
            calllog.new_record(
                kind=self.kind,
                consumer_code=self.consumer.code,
                consumer_name=self.consumer.name,
                resource_code=self.resource_code[:40],
                provider_department=department,
                items=",".join(self.items)[:500],
                subject_index=subject_index(self.subject_kind, s) if s else "",
                subject_count=len(self.subjects),
                purpose=self.purpose[:200],
                case_ref=self.case_ref[:CASE_REF_LENGTH],
                outcome=outcome
                if outcome != OUT.ANSWERED or found is None or found.get(s)
                else OUT.NOT_FOUND,
                reason=reason[:200],
                latency_ms=latency,
                rows=1 if found and found.get(s) else 0,
            )
            for s in per_subject
        ]
        calllog.append(entries)
        return entries


def _deny(call: _Call, code: str, message: str, status: int = 403):
    call.log(OUT.DENIED, message)
    raise ExchangeDenied(code, message, status)


# Published resources and live grants, per process, for a few seconds
# (TONGBAN_EXCHANGE_AUTH_CACHE_SECONDS): a call then needs no catalogue or grant query. Only what
# lets a call through is kept; a refusal is always decided from the database, so a grant that was
# just approved works at once everywhere. Saving a resource, version, grant or consumer clears
# this process's cache at once (signals below); another process sees a revocation or withdrawal
# at most that many seconds later.
_resources: dict[str, tuple[float, Resource]] = {}
_grants: dict[tuple[int, int], tuple[float, list[tuple[datetime.date, list[str]]]]] = {}


def forget_authorisations(*_args, **_kwargs) -> None:
    _resources.clear()
    _grants.clear()


def _cached_resource(code: str) -> Resource | None:
    now = time.monotonic()
    hit = _resources.get(code)
    if hit and hit[0] > now:
        return hit[1]
    resource = (
        Resource.objects.select_related("current_version", "department").filter(code=code).first()
    )
    if resource is not None and resource.current_version_id:
        _resources[code] = (now + conf.auth_cache_seconds(), resource)
    return resource


def _resolve(call: _Call):
    resource = _cached_resource(call.resource_code)
    if resource is None:
        _deny(call, "unknown_resource", f"数据资源 {call.resource_code} 不存在", 404)
    call.resource = resource
    version = resource.current_version
    if version is None:
        _deny(call, "resource_withdrawn", "该数据资源未发布或已停用", 404)
    call.subject_kind = version.subject_kind
    version.resource = resource
    return version


def _live_granted_codes(consumer_id: int, resource_id: int) -> set[str]:
    now = time.monotonic()
    today = timezone.localdate()
    hit = _grants.get((consumer_id, resource_id))
    if hit is None or hit[0] <= now:
        rows = list(live_grants(consumer_id, resource_id).values_list("valid_until", "items"))
        if not rows:
            return set()
        hit = (now + conf.auth_cache_seconds(), rows)
        _grants[(consumer_id, resource_id)] = hit
    return {code for valid_until, codes in hit[1] if valid_until >= today for code in codes}


def _check_input(call: _Call) -> None:
    if not call.purpose.strip():
        _deny(call, "missing_purpose", "请说明用途（purpose）", 400)
    if len(call.case_ref) > CASE_REF_LENGTH:
        _deny(call, "malformed_case", f"办件编号过长（最多 {CASE_REF_LENGTH} 个字符）", 400)
    if not call.subjects:
        _deny(call, "missing_subject", "请提供查询主体的证件号码", 400)
    if len(call.subjects) > max_batch():
        _deny(call, "batch_too_large", f"一次最多查询 {max_batch()} 个主体", 413)
    for subject in call.subjects:
        problem = subject_problem(call.subject_kind, subject)
        if problem:
            _deny(call, "malformed_subject", f"查询主体格式不正确：{problem}", 400)
    call.subjects_checked = True


def _granted_items(call: _Call, version, items) -> list[PublishedItem]:
    if version.share_condition == ShareCondition.NOT_SHARED:
        _deny(call, "not_shared", "该数据资源不予共享")
    granted = _live_granted_codes(call.consumer.pk, call.resource.pk)
    if not granted:
        _deny(call, *why_no_grant(call.consumer.pk, call.resource.pk))
    known = {item.code for item in items}
    unknown = [code for code in call.items if code not in known]
    if unknown:
        _deny(call, "unknown_item", f"资源中没有这些信息项：{'、'.join(unknown)}", 400)
    wanted = call.items or [code for code in known if code in granted]
    ungranted = [code for code in wanted if code not in granted]
    if ungranted:
        _deny(call, "item_not_granted", f"未获授权的信息项：{'、'.join(ungranted)}")
    call.items = [item.code for item in items if item.code in wanted]
    return [item for item in items if item.code in wanted]


def provider_for(version):
    cls = plugins.registered(PROVIDER_KIND).get(version.provider_plugin)
    if cls is None:
        raise ProviderUnavailable(f"提供方插件 {version.provider_plugin} 不存在")
    return cls(version.provider_options)


def query(
    *,
    consumer: Consumer,
    resource_code: str,
    subjects: list[str],
    items: list[str] | None = None,
    purpose: str = "",
    case_ref: str = "",
) -> QueryResult:
    """Answer a call, or raise ExchangeDenied (refused, logged) or ProviderUnavailable (logged)."""
    prepared = prepare(
        consumer=consumer,
        resource_code=resource_code,
        subjects=subjects,
        items=items,
        purpose=purpose,
        case_ref=case_ref,
    )
    try:
        records = prepared.fetch()
    except ProviderUnavailable as exc:
        prepared.finish(error=exc)  # logs the failure and raises it
        raise
    return prepared.finish(records=records)


@dataclass
class Prepared:
    """A call that passed every check, for a caller that asks several providers side by side:
    `fetch` asks the provider and writes nothing (it may run on another thread when the provider
    is `remote`), `finish` logs the call on the caller's thread and gives the answer."""

    call: _Call
    version: ResourceVersion
    wanted: list[PublishedItem]
    provider: object

    @property
    def remote(self) -> bool:
        """The provider waits on another system and reads nothing through the platform's
        database connection (it may use the cache): safe to ask from a worker thread."""
        return bool(getattr(self.provider, "remote", False))

    def fetch(self) -> dict[str, dict | None]:
        return self.provider.fetch(self.version, self.wanted, self.call.subjects)

    def finish(self, *, records: dict | None = None, error: ProviderUnavailable | None = None):
        if error is not None:
            self.call.log(OUT.FAILED, str(error))
            raise error
        entries = self.call.log(OUT.ANSWERED, found=records)
        call = self.call
        return QueryResult(
            resource_code=call.resource.code,
            resource_name=self.version.name,
            provider_department=call.resource.department.name,
            provider_label=self.version.provider_label or call.resource.department.name,
            items=call.items,
            records=records,
            record_ids=[e.pk for e in entries],
        )


def prepare(
    *,
    consumer: Consumer,
    resource_code: str,
    subjects: list[str],
    items: list[str] | None = None,
    purpose: str = "",
    case_ref: str = "",
) -> Prepared:
    """Check a call (grant, items, subjects, rate) on the caller's thread; a refusal is logged and
    raised as ExchangeDenied. A provider that does not exist raises ProviderUnavailable, logged."""
    call = _Call(
        consumer=consumer,
        resource_code=(resource_code or "").strip(),
        subjects=[pii.normalise(s) for s in subjects or []],
        items=list(dict.fromkeys(items or [])),
        purpose=(purpose or "").strip(),
        case_ref=(case_ref or "").strip(),
        started=time.perf_counter(),
    )
    if not consumer.active:
        _deny(call, "consumer_inactive", "该使用方已停用")
    version = _resolve(call)
    _check_input(call)
    if ratelimit.exceeded(consumer.pk, consumer.rate_limit_per_minute):
        _deny(call, "rate_limited", "调用过于频繁，请稍后再试", 429)
    wanted = _granted_items(call, version, _items_of(version))
    try:
        provider = provider_for(version)
    except ProviderUnavailable as exc:
        call.log(OUT.FAILED, str(exc))
        raise
    return Prepared(call=call, version=version, wanted=wanted, provider=provider)


for _model in (Resource, ResourceVersion, Grant, Consumer):
    post_save.connect(
        forget_authorisations, sender=_model, dispatch_uid=f"exchange-auth-{_model.__name__}"
    )
    post_delete.connect(
        forget_authorisations, sender=_model, dispatch_uid=f"exchange-auth-del-{_model.__name__}"
    )
