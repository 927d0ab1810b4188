"""Bulk delivery to a platform function: a granted consumer reads a whole local copy at once.

免申即享 matches every resident and enterprise against policies; asking the query API 100 subjects
at a time would take a day. `read_copy` hands a consumer the granted items of a bulk-loaded copy
(optionally of some subjects only, by blind index) as one table. The same discipline as a query:
a live grant must cover every item asked for, a 不予共享 resource is refused, and the delivery is
logged as a `bulk` call record (one record per delivery, with the row count) and in the audit
chain. The subjects' numbers travel inside the items (公民身份号码, 统一社会信用代码) only when
those items are granted.
"""

import json
import time

import polars as pl
from django.db.models import Max

from tongban.core import audit, pii
from tongban.exchange.actions import calllog
from tongban.exchange.actions.access import live_grants, why_no_grant
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import (
    BulkLoad,
    CallRecord,
    Consumer,
    ItemType,
    LocalRecord,
    Resource,
    ShareCondition,
)

SUBJECT_INDEX = "subject_index"
CHUNK = 5000
DTYPES = {
    ItemType.INTEGER: pl.Int64,
    ItemType.DECIMAL: pl.Float64,
    ItemType.BOOLEAN: pl.Boolean,
    ItemType.DATE: pl.Date,
}


def _log(consumer, resource, items, purpose, outcome, reason, rows, started) -> CallRecord:
    entry = calllog.new_record(
        kind=CallRecord.Kind.BULK,
        consumer_code=consumer.code,
        consumer_name=consumer.name,
        resource_code=resource.code if resource else "",
        provider_department=resource.department.name if resource else "",
        items=",".join(items)[:500],
        purpose=purpose[:200],
        outcome=outcome,
        reason=reason[:200],
        rows=rows,
        latency_ms=int((time.perf_counter() - started) * 1000),
    )
    calllog.append([entry])
    return entry


def refuse(consumer, resource, items, purpose, code, reason, started, status=403):
    """Log a refused delivery as a denial and raise ExchangeDenied."""
    _log(consumer, resource, items, purpose, CallRecord.Outcome.DENIED, reason, 0, started)
    raise ExchangeDenied(code, reason, status)


def _chunks(rows, subject_indexes):
    """The rows, all at once or by chunks of asked-for subjects (databases limit how many values
    one IN may list)."""
    if subject_indexes is None:
        yield rows
        return
    wanted = list(subject_indexes)
    for start in range(0, len(wanted), CHUNK):
        yield rows.filter(subject_index__in=wanted[start : start + CHUNK])


def authorise(
    *, consumer: Consumer, resource_code: str, items: list[str], purpose: str, started: float
) -> Resource:
    """The published resource whose `items` the consumer may receive in bulk: a live grant covers
    every one of them and the resource is shared. Otherwise ExchangeDenied, logged as a denial."""
    resource = (
        Resource.objects.select_related("department", "current_version")
        .filter(code=resource_code)
        .first()
    )
    if not purpose.strip():
        refuse(consumer, resource, items, purpose, "missing_purpose", "请说明用途", started, 400)
    if not consumer.active:
        refuse(consumer, resource, items, purpose, "consumer_inactive", "该使用方已停用", started)
    if resource is None or resource.current_version is None:
        refuse(
            consumer,
            resource,
            items,
            purpose,
            "unknown_resource",
            "数据资源不存在或未发布",
            started,
            404,
        )
    if resource.current_version.share_condition == ShareCondition.NOT_SHARED:
        refuse(consumer, resource, items, purpose, "not_shared", "该数据资源不予共享", started)
    granted = {
        c
        for codes in live_grants(consumer.pk, resource.pk).values_list("items", flat=True)
        for c in codes
    }
    if not items:
        refuse(consumer, resource, items, purpose, "missing_items", "请选择信息项", started, 400)
    if not granted:
        refuse(consumer, resource, items, purpose, *why_no_grant(consumer.pk, resource.pk), started)
    ungranted = [code for code in items if code not in granted]
    if ungranted:
        refuse(
            consumer,
            resource,
            items,
            purpose,
            "item_not_granted",
            f"未获授权的信息项：{'、'.join(ungranted)}",
            started,
        )
    return resource


def table(
    resource: Resource,
    items: list[str],
    *,
    subject_indexes: list[str] | None = None,
    loads: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """The `items` of the resource's local copy: one row per subject, a `subject_index` column
    and one typed column per item (dates as dates, numbers as numbers). `loads` (after, up to)
    keeps only the rows the bulk loads with ids in that range wrote (an incremental extract)."""
    version = resource.current_version
    kinds = dict(version.items.filter(code__in=items).values_list("code", "item_type"))
    rows = LocalRecord.objects.filter(resource_id=resource.pk)
    if loads is not None:
        rows = rows.filter(load_id__gt=loads[0], load_id__lte=loads[1])
    indexes, columns = [], {code: [] for code in items}
    for chunk in _chunks(rows.order_by("id"), subject_indexes):
        for index, stored in chunk.values_list("subject_index", "data").iterator(chunk_size=5000):
            record = json.loads(pii.decrypt(stored))
            indexes.append(index)
            for code in items:
                columns[code].append(record.get(code))
    frame = pl.DataFrame(
        {
            SUBJECT_INDEX: pl.Series(SUBJECT_INDEX, indexes, dtype=pl.String),
            **{
                code: pl.Series(code, values, dtype=pl.String, strict=False)
                if kinds.get(code) in (None, ItemType.STRING, ItemType.DATE)
                else pl.Series(code, values, dtype=DTYPES[kinds[code]], strict=False)
                for code, values in columns.items()
            },
        }
    )
    dates = [code for code in items if kinds.get(code) == ItemType.DATE]
    if dates:
        frame = frame.with_columns(pl.col(dates).str.to_date(strict=False))
    return frame


def delivered(
    consumer, resource, items, purpose, rows, started, detail: dict | None = None
) -> CallRecord:
    """Log a delivery that went out: an answered `bulk` call record and an audit record."""
    entry = _log(consumer, resource, items, purpose, CallRecord.Outcome.ANSWERED, "", rows, started)
    audit.record(
        AuditAction.BULK_DELIVER,
        obj=resource,
        purpose=purpose[:200],
        detail={"consumer": consumer.code, "items": items, "rows": rows, **(detail or {})},
    )
    return entry


def read_copy(
    *,
    consumer: Consumer,
    resource_code: str,
    items: list[str],
    purpose: str,
    subject_indexes: list[str] | None = None,
) -> pl.DataFrame:
    """The granted `items` of the resource's local copy as one table (see `table`), optionally
    of some subjects only. ExchangeDenied (logged) when the consumer has no live grant for every
    item, or the resource is not shared."""
    started = time.perf_counter()
    items = list(dict.fromkeys(items))
    resource = authorise(
        consumer=consumer,
        resource_code=resource_code,
        items=items,
        purpose=purpose,
        started=started,
    )
    frame = table(resource, items, subject_indexes=subject_indexes)
    delivered(consumer, resource, items, purpose, frame.height, started)
    return frame


def changes_since(
    *, consumer: Consumer, resource_code: str, items: list[str], purpose: str, after_load: int
) -> tuple[list[str], int, bool]:
    """The change feed of a bulk-loaded copy: the blind indexes of the subjects whose rows a load
    after `after_load` (a BulkLoad id) wrote, the last load id now (the position to read from next
    time), and whether a full load replaced the copy since (so some subjects may have left). The
    same grant as reading `items`; logged and audited like a delivery (indexes only, no values)."""
    started = time.perf_counter()
    items = list(dict.fromkeys(items))
    resource = authorise(
        consumer=consumer,
        resource_code=resource_code,
        items=items,
        purpose=purpose,
        started=started,
    )
    loads = BulkLoad.objects.filter(
        resource=resource, status=BulkLoad.Status.LOADED, pk__gt=after_load
    )
    position = max(after_load, loads.aggregate(last=Max("pk"))["last"] or 0)
    replaced = loads.filter(mode=BulkLoad.Mode.FULL).exists()
    changed = list(
        LocalRecord.objects.filter(resource_id=resource.pk, load_id__gt=after_load)
        .values_list("subject_index", flat=True)
        .iterator(chunk_size=5000)
    )
    delivered(
        consumer, resource, items, purpose, len(changed), started, {"changes_after": after_load}
    )
    return changed, position, replaced
