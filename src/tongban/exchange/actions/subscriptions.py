"""Outgoing bulk delivery (批量交付/订阅): a department system with a grant subscribes to a
resource and receives full and incremental extracts of its local copy as CSV or Parquet files.

Each extract holds only the subscribed items that a live grant covers when it is produced, and
comes with a manifest (resource, version, row count, period, items, SHA-256). Extracts are
produced on a schedule (`produce_due`, a Celery beat entry) and on demand. A download goes through
the same delivery path as every bulk read (`delivery.authorise` and `delivery.delivered`): the
grant is checked again, and the download is logged as a `bulk` call record and audited.

An incremental extract holds the rows written by the bulk loads after the previous extract's last
load (rows added or changed); rows dropped by a later full load show only in the next full extract.
"""

import base64
import datetime
import hashlib
import io
import time

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tongban.core import audit
from tongban.exchange.actions import delivery
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import (
    BulkLoad,
    Consumer,
    Extract,
    FileFormat,
    ResourceVersion,
    Subscription,
)

MODE = BulkLoad.Mode
CONTENT_TYPES = {FileFormat.CSV: "text/csv", FileFormat.PARQUET: "application/vnd.apache.parquet"}


def _authorise(consumer, resource_code, items, purpose, started):
    resource = delivery.authorise(
        consumer=consumer,
        resource_code=resource_code,
        items=items,
        purpose=purpose,
        started=started,
    )
    if resource.current_version.delivery == ResourceVersion.Delivery.QUERY:
        delivery.refuse(
            consumer,
            resource,
            items,
            purpose,
            "no_bulk_delivery",
            "该数据资源只通过查询接口共享，不提供批量文件",
            started,
        )
    return resource


def subscribe(
    *,
    consumer: Consumer,
    resource_code: str,
    items: list[str],
    file_format: str,
    purpose: str,
    full_every_days: int = 7,
) -> tuple[Subscription, bool]:
    """Subscribe (or change the subscription) to bulk files of a resource. Every item must be
    granted now. Returns the subscription and whether it is new. ExchangeDenied (logged) when
    refused; ValidationError for a bad format or interval."""
    started = time.perf_counter()
    items = list(dict.fromkeys(items or []))
    purpose = (purpose or "").strip()
    errors = {}
    if file_format not in FileFormat.values:
        errors["format"] = ["文件格式应为 csv 或 parquet"]
    if not 1 <= full_every_days <= 366:
        errors["full_every_days"] = ["全量间隔应在 1 至 366 天之间"]
    if errors:
        raise ValidationError(errors)
    resource = _authorise(consumer, resource_code, items, purpose, started)
    with transaction.atomic():  # the refusals above are logged, whatever happens here
        subscription, created = Subscription.objects.update_or_create(
            consumer=consumer,
            resource=resource,
            defaults={
                "items": items,
                "file_format": file_format,
                "purpose": purpose[:200],
                "full_every_days": full_every_days,
                "active": True,
            },
        )
        audit.record(
            AuditAction.SUBSCRIPTION_SET,
            obj=subscription,
            purpose=purpose[:200],
            detail={
                "consumer": consumer.code,
                "resource": resource.code,
                "items": items,
                "format": file_format,
                "created": created,
            },
        )
    return subscription, created


def _encode(frame, file_format: str) -> bytes:
    buffer = io.BytesIO()
    if file_format == FileFormat.PARQUET:
        frame.write_parquet(buffer)
    else:
        frame.write_csv(buffer)
    return buffer.getvalue()


def produce(*, subscription: Subscription, mode: str, trigger: str, skip_empty=False):
    """One extract of the subscription: `full` (the whole copy) or `incremental` (what the loads
    after the previous extract wrote). With `skip_empty`, an incremental extract with no rows is
    not made (None). ExchangeDenied (logged) when the grant no longer covers the items."""
    started = time.perf_counter()
    if mode not in MODE.values:
        raise ValidationError({"mode": ["方式应为 full（全量）或 incremental（增量）"]})
    consumer = subscription.consumer
    if not subscription.active:
        raise ExchangeDenied("subscription_inactive", "该订阅已停止", 409)
    resource = _authorise(
        consumer, subscription.resource.code, subscription.items, subscription.purpose, started
    )
    previous = subscription.extracts.order_by("-number").first()
    if mode == MODE.INCREMENTAL and previous is None:
        raise ExchangeDenied("no_full_extract", "还没有全量文件，请先生成全量文件再取增量", 409)
    through = (
        BulkLoad.objects.filter(resource=resource, status=BulkLoad.Status.LOADED).aggregate(
            last=Max("id")
        )["last"]
        or 0
    )
    after = previous.through_load if mode == MODE.INCREMENTAL else 0
    frame = delivery.table(resource, subscription.items, loads=(after, through))
    if skip_empty and mode == MODE.INCREMENTAL and frame.height == 0:
        return None
    content = _encode(frame, subscription.file_format)
    return _store(subscription, previous, resource, mode, trigger, frame.height, content, through)


@transaction.atomic
def _store(subscription, previous, resource, mode, trigger, rows, content, through) -> Extract:
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    number = (subscription.extracts.aggregate(last=Max("number"))["last"] or 0) + 1
    name = default_storage.save(
        f"exchange/extracts/{subscription.pk}/{number:06d}-{mode}.{subscription.file_format}",
        ContentFile(content),
    )
    try:  # the file stays only with its row
        extract = Extract.objects.create(
            subscription=subscription,
            number=number,
            mode=mode,
            trigger=trigger,
            file_format=subscription.file_format,
            resource_version=resource.current_version.number,
            items=list(subscription.items),
            rows=rows,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            file=name,
            period_start=previous.period_end if mode == MODE.INCREMENTAL else None,
            period_end=timezone.now(),
            through_load=through,
        )
        audit.record(
            AuditAction.EXTRACT_PRODUCE,
            obj=extract,
            detail={
                "consumer": subscription.consumer.code,
                "resource": resource.code,
                "mode": mode,
                "rows": rows,
                "sha256": extract.sha256,
            },
        )
    except Exception:
        default_storage.delete(name)
        raise
    return extract


def digest_base64(sha256_hex: str) -> str:
    """The SHA-256 as RFC 9530 (Repr-Digest) writes it."""
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def manifest(extract: Extract) -> dict:
    """What the consumer checks a file against."""
    subscription = extract.subscription
    return {
        "id": extract.pk,
        "subscription": subscription.pk,
        "number": extract.number,
        "resource": subscription.resource.code,
        "resource_version": extract.resource_version,
        "mode": extract.mode,
        "format": extract.file_format,
        "rows": extract.rows,
        "items": list(extract.items),
        "period_start": extract.period_start,
        "period_end": extract.period_end,
        "sha256": extract.sha256,
        "size": extract.size,
        "created_at": extract.created_at,
    }


def download(*, consumer: Consumer, extract: Extract) -> bytes:
    """The extract's file for its consumer. The grant must still cover every item in it; the
    download is logged and audited like every bulk delivery. A file changed on disk since it was
    produced is not handed out."""
    started = time.perf_counter()
    subscription = extract.subscription
    if subscription.consumer_id != consumer.pk:  # another system's file: refused as unknown
        delivery.refuse(
            consumer,
            subscription.resource,
            list(extract.items),
            "下载其他使用方的交付文件",
            "not_found",
            "没有这个交付文件",
            started,
            404,
        )
    resource = _authorise(
        consumer, subscription.resource.code, list(extract.items), subscription.purpose, started
    )
    with default_storage.open(extract.file.name, "rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != extract.sha256:
        delivery.refuse(
            consumer,
            resource,
            list(extract.items),
            subscription.purpose,
            "file_damaged",
            "交付文件与其校验和不符，请重新生成",
            started,
            409,
        )
    delivery.delivered(
        consumer,
        resource,
        list(extract.items),
        subscription.purpose,
        extract.rows,
        started,
        {"extract": extract.pk, "sha256": extract.sha256, "mode": extract.mode},
    )
    return content


def produce_due(now: datetime.datetime | None = None) -> int:
    """The scheduled run: for every active subscription, a full extract when it has none or its
    last full one is `full_every_days` old, otherwise an incremental one when anything changed.
    A subscription whose grant has lapsed gets nothing (the refusal is logged)."""
    now = now or timezone.now()
    made = 0
    for subscription in Subscription.objects.filter(active=True).select_related(
        "consumer", "resource"
    ):
        last_full = subscription.extracts.filter(mode=MODE.FULL).order_by("-number").first()
        due_full = last_full is None or (
            now - last_full.period_end >= datetime.timedelta(days=subscription.full_every_days)
        )
        try:
            extract = produce(
                subscription=subscription,
                mode=MODE.FULL if due_full else MODE.INCREMENTAL,
                trigger=Extract.Trigger.SCHEDULE,
                skip_empty=True,
            )
        except ExchangeDenied:
            continue
        made += extract is not None
    return made
