"""Bulk exchange: files (CSV or Parquet) delivered for a resource and loaded into its local copy.

A file states its row count and SHA-256; both are checked before anything is read. Every row is
validated against the resource's data items (polars, column by column); if any row fails, the file
is refused with its quality report and the list of rejected rows, and nothing is loaded. A good
file is loaded in one transaction, so a load either happens whole or not at all; delivering the
same file again (same checksum) answers the earlier load and changes nothing, so a delivery that
broke off is simply repeated.
"""

import hashlib
import io
import time
from concurrent.futures import ThreadPoolExecutor

import polars as pl
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tongban.core import audit, identifiers, pii
from tongban.exchange.actions import calllog
from tongban.exchange.actions.catalogue import require_data_admin
from tongban.exchange.actions.errors import ExchangeDenied
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import (
    BulkLoad,
    CallRecord,
    DataItem,
    ItemType,
    LocalRecord,
    Resource,
)

SUBJECT = "subject"
MAX_REJECTED_LISTED = 200
RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
RIC_CHECK = "10X98765432"


def _read(content: bytes, file_name: str) -> pl.DataFrame:
    try:
        if file_name.lower().endswith(".parquet"):
            frame = pl.read_parquet(io.BytesIO(content))
            return frame.with_columns(pl.all().cast(pl.String))
        return pl.read_csv(io.BytesIO(content), infer_schema=False, encoding="utf8")
    except Exception as exc:  # polars raises several error types for a malformed file
        raise ExchangeDenied(
            "broken_file", f"文件无法读取（格式损坏或列数不一致）：{str(exc)[:120]}", 400
        ) from exc


def _ric_valid(column: pl.Expr) -> pl.Expr:
    """GB 11643 check digit and birth date, vectorised."""
    total = pl.lit(0)
    for position, weight in enumerate(RIC_WEIGHTS):
        total = total + column.str.slice(position, 1).cast(pl.Int64, strict=False) * weight
    check = pl.lit(RIC_CHECK).str.slice((total % 11).cast(pl.Int64), 1)
    birth = column.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    return (
        column.str.contains(r"^\d{17}[\dX]$")
        & (check == column.str.slice(17, 1))
        & birth.is_not_null()
    ).fill_null(False)


def _uscc_valid(column: pl.Expr) -> pl.Expr:
    return column.map_elements(
        lambda value: identifiers.check_uscc(value).valid, return_dtype=pl.Boolean
    ).fill_null(False)


def _item_problem(item: DataItem) -> pl.Expr:
    """The reason a cell of the item's column is wrong, or null where it is fine."""
    column = pl.col(item.code)
    empty = column.is_null() | (column.str.strip_chars() == "")
    checks: list[tuple[pl.Expr, str]] = []
    if item.item_type == ItemType.INTEGER:
        checks.append((column.cast(pl.Int64, strict=False).is_null(), "应为整数"))
    elif item.item_type == ItemType.DECIMAL:
        checks.append((column.cast(pl.Float64, strict=False).is_null(), "应为数字"))
    elif item.item_type == ItemType.DATE:
        checks.append((column.str.to_date("%Y-%m-%d", strict=False).is_null(), "应为日期"))
    elif item.item_type == ItemType.BOOLEAN:
        checks.append((~column.is_in(["true", "false"]), "应为 true 或 false"))
    if item.rule == DataItem.Rule.CITIZEN_ID:
        checks.append((~_ric_valid(column), "公民身份号码校验位不正确"))
    elif item.rule == DataItem.Rule.USCC:
        checks.append((~_uscc_valid(column), "统一社会信用代码校验位不正确"))
    elif item.rule == DataItem.Rule.CODE_TABLE:
        checks.append((~column.is_in(item.code_table.split("|")), "不在代码表内"))
    reason = pl.lit(None, dtype=pl.String)
    for wrong, text in reversed(checks):
        reason = pl.when(wrong).then(pl.lit(f"{item.name}{text}")).otherwise(reason)
    if_empty = pl.lit(f"{item.name}为空") if item.required else pl.lit(None, dtype=pl.String)
    return pl.when(empty).then(if_empty).otherwise(reason)


def quality(frame: pl.DataFrame, items: list[DataItem], subject_kind: str):
    """(report, rejected rows) for a frame whose columns are `subject` and item codes."""
    subject = pl.col(SUBJECT)
    subject_ok = _ric_valid(subject) if subject_kind == "citizen_id" else _uscc_valid(subject)
    reasons = [pl.when(~subject_ok).then(pl.lit("主体证件号码不正确")).alias("_r_subject")]
    reasons += [_item_problem(item).alias(f"_r_{item.code}") for item in items]
    reasons.append(pl.when(subject.is_duplicated()).then(pl.lit("主体重复")).alias("_r_duplicate"))
    checked = frame.with_row_index("_row", offset=2).with_columns(reasons)
    reason_columns = [c for c in checked.columns if c.startswith("_r_")]
    checked = checked.with_columns(
        pl.concat_str(reason_columns, separator="；", ignore_nulls=True).alias("_reasons")
    )
    bad = checked.filter(pl.col("_reasons") != "")
    total = frame.height
    completeness = {
        item.code: round(1 - frame[item.code].is_null().sum() / total, 4) if total else 1.0
        for item in items
    }
    report = {
        "rows": total,
        "valid_rows": total - bad.height,
        "rejected_rows": bad.height,
        "duplicates": int(frame[SUBJECT].is_duplicated().sum()) if total else 0,
        "completeness": completeness,
        "validity": round((total - bad.height) / total, 4) if total else 1.0,
    }
    rejected = [
        {"row": row, "reason": reason}
        for row, reason in bad.select("_row", "_reasons").head(MAX_REJECTED_LISTED).iter_rows()
    ]
    return report, rejected


def _refuse(
    resource, actor, consumer_label, file_name, digest, mode, declared, reason, report=None
):
    """Record a refused file (its own transaction: the refusal outlives the failed load)."""
    with transaction.atomic():
        load = BulkLoad.objects.create(
            resource=resource,
            file_name=file_name[:200],
            sha256=digest,
            mode=mode,
            declared_rows=max(declared, 0),
            status=BulkLoad.Status.REJECTED,
            report=report or {},
            reason=reason[:300],
            loaded_by=actor if getattr(actor, "pk", None) else None,
        )
        _log(resource, consumer_label, CallRecord.Outcome.DENIED, reason, 0, 0)
        audit.record(
            AuditAction.BULK_REJECT, actor=load.loaded_by, obj=load, detail={"reason": reason}
        )
    return load


def _log(resource, consumer_label, outcome, reason, rows, latency_ms) -> None:
    calllog.append(
        [
            calllog.new_record(
                kind=CallRecord.Kind.BULK,
                consumer_code=consumer_label[:40],
                consumer_name=consumer_label[:100],
                resource_code=resource.code,
                provider_department=resource.department.name,
                purpose="批量装载本地副本",
                outcome=outcome,
                reason=reason[:200],
                rows=rows,
                latency_ms=latency_ms,
            )
        ]
    )


def load_file(
    *,
    actor,
    resource: Resource,
    content: bytes,
    file_name: str,
    declared_rows: int,
    sha256: str,
    mode: str = BulkLoad.Mode.FULL,
    source: str = "platform",
) -> BulkLoad:
    """Check and load one bulk file; ExchangeDenied (the refusal recorded) when it is refused."""
    started = time.perf_counter()
    resource = Resource.objects.select_related("department", "current_version").get(pk=resource.pk)
    require_data_admin(actor, resource.department)
    if mode not in BulkLoad.Mode.values:
        raise ValidationError({"mode": ["装载方式应为 full（全量）或 incremental（增量）"]})
    digest = hashlib.sha256(content).hexdigest()
    earlier = BulkLoad.objects.filter(
        resource=resource, sha256=digest, status=BulkLoad.Status.LOADED
    ).first()
    if earlier is not None:
        return earlier  # the same file again: already loaded, nothing changes

    def refuse(code, reason, report=None, status=400):
        _refuse(resource, actor, source, file_name, digest, mode, declared_rows, reason, report)
        raise ExchangeDenied(code, reason, status)

    version = resource.current_version
    if version is None:
        refuse("resource_withdrawn", "该数据资源未发布或已停用，不能装载", status=404)
    if (sha256 or "").strip().lower() != digest:
        refuse("checksum_mismatch", "文件校验和（SHA-256）与声明的不一致，文件可能不完整或被改动")
    frame = _read(content, file_name)
    if frame.height != declared_rows:
        refuse("row_count_mismatch", f"文件有 {frame.height} 行，声明的是 {declared_rows} 行")
    items = list(version.items.all())
    codes = {item.code for item in items}
    unknown = [c for c in frame.columns if c != SUBJECT and c not in codes]
    if SUBJECT not in frame.columns or unknown:
        refuse(
            "bad_header",
            f"表头应为 subject 加资源的信息项代码；未知列：{'、'.join(unknown) or '无'}"
            + ("" if SUBJECT in frame.columns else "；缺少 subject 列"),
        )
    present = [item for item in items if item.code in frame.columns]
    report, rejected = quality(frame, present, version.subject_kind)
    report["rejected"] = rejected
    if rejected:
        refuse("broken_rows", f"有 {report['rejected_rows']} 行不合格，整个文件未装载", report)
    return _load(
        resource, version, frame, present, report, actor, file_name, digest, mode, started, source
    )


@transaction.atomic
def _load(resource, version, frame, items, report, actor, file_name, digest, mode, started, source):
    load = BulkLoad.objects.create(
        resource=resource,
        file_name=file_name[:200],
        sha256=digest,
        mode=mode,
        declared_rows=frame.height,
        status=BulkLoad.Status.LOADED,
        loaded_rows=frame.height,
        report=report,
        loaded_by=actor if getattr(actor, "pk", None) else None,
    )
    _write_rows(resource, version, frame, items, load, mode)
    latency = int((time.perf_counter() - started) * 1000)
    _log(resource, source, CallRecord.Outcome.ANSWERED, "", frame.height, latency)
    audit.record(
        AuditAction.BULK_LOAD,
        actor=load.loaded_by,
        obj=load,
        detail={"resource": resource.code, "rows": frame.height, "mode": mode},
    )
    return load


COLUMNS = "resource_id, subject_index, data, load_id"
INSERT = (
    "INSERT INTO exchange_localrecord (resource_id, subject_index, data, load_id) "
    "VALUES (%s, %s, %s, %s)"
)
# SQLite (3.24+) and PostgreSQL share this upsert form.
UPSERT = (
    INSERT + " ON CONFLICT (resource_id, subject_index) DO UPDATE SET data = excluded.data, "
    "load_id = excluded.load_id"
)
# PostgreSQL: rows arrive by COPY; an incremental load copies into a staging table dropped at the
# end of the transaction, then upserts from it in one statement.
STAGING = "tongban_localrecord_staging"
COPY_FULL = f"COPY exchange_localrecord ({COLUMNS}) FROM STDIN"
COPY_STAGING = f"COPY {STAGING} ({COLUMNS}) FROM STDIN"
CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE {STAGING} "
    "(resource_id bigint, subject_index varchar(64), data text, load_id bigint) ON COMMIT DROP"
)
UPSERT_FROM_STAGING = (
    "INSERT INTO exchange_localrecord (resource_id, subject_index, data, load_id) "
    "SELECT resource_id, subject_index, data, load_id FROM tongban_localrecord_staging "
    "ON CONFLICT (resource_id, subject_index) DO UPDATE SET data = excluded.data, "
    "load_id = excluded.load_id"
)
CHUNK = 5000


def _write_rows(resource, version, frame, items, load, mode) -> None:
    """Rows straight to the table in chunks: at bulk sizes the ORM's per-row model instances
    cost more than validating, encrypting and inserting together. Each row's JSON is built by
    polars, column-wise (typed as `_typed_column` says), not cell by cell in Python."""
    if mode == BulkLoad.Mode.FULL:
        LocalRecord.objects.filter(resource_id=resource.pk).delete()
    as_json = (
        pl.struct([_typed_column(item) for item in items]).struct.json_encode()
        if items
        else pl.lit("{}")
    )
    indexes = pii.blind_indexes(frame[SUBJECT].to_list(), version.subject_kind)
    # Inserted in index order: the unique index then grows at its end like the table itself,
    # instead of taking each row at a random place (a third of an insert's cost at bulk sizes).
    rows = frame.select(as_json.alias("_json"), pl.Series("_index", indexes)).sort("_index")
    batches = _sealed_batches(rows, resource.pk, load.pk)
    if connection.vendor == "postgresql":
        _copy_rows(batches, mode)
        return
    statement = INSERT if mode == BulkLoad.Mode.FULL else UPSERT
    with connection.cursor() as cursor:
        for batch in batches:
            cursor.executemany(statement, batch)


def _sealed_batches(rows: pl.DataFrame, resource_id: int, load_id: int):
    """The rows as parameter tuples, CHUNK at a time, their data encrypted. The next chunk is
    encrypted on a helper thread while the caller writes this one: the database driver lets go
    of the interpreter while it writes, so the two overlap. The helper touches no database."""
    chunks = list(rows.iter_slices(CHUNK))
    if not chunks:
        return
    with ThreadPoolExecutor(max_workers=1) as sealer:
        pending = sealer.submit(pii.encrypt_many, chunks[0]["_json"].to_list())
        for number, chunk in enumerate(chunks):
            sealed = pending.result()
            if number + 1 < len(chunks):
                pending = sealer.submit(pii.encrypt_many, chunks[number + 1]["_json"].to_list())
            yield [
                (resource_id, index, data, load_id)
                for index, data in zip(chunk["_index"].to_list(), sealed, strict=True)
            ]


def _copy_rows(batches, mode) -> None:
    """PostgreSQL's COPY: several times faster than INSERTs, in the load's transaction."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        if mode == BulkLoad.Mode.FULL:
            statement = COPY_FULL
        else:
            raw.execute(CREATE_STAGING)
            statement = COPY_STAGING
        with raw.copy(statement) as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
        if mode != BulkLoad.Mode.FULL:
            raw.execute(UPSERT_FROM_STAGING)


def _typed_column(item: DataItem) -> pl.Expr:
    """The item's column as stored: empty (or only spaces, which validation also counts as
    empty) → null, integers as numbers, booleans as true/false, everything else as the text
    delivered (the file was validated before)."""
    column = pl.col(item.code)
    empty = column.is_null() | (column.str.strip_chars() == "")
    value = pl.when(empty).then(None).otherwise(column)
    if item.item_type == ItemType.INTEGER:
        return value.cast(pl.Int64).alias(item.code)
    if item.item_type == ItemType.BOOLEAN:
        return (value == "true").alias(item.code)
    return value.alias(item.code)


def csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    """A bulk file in CSV from rows (for the demo loader, exports and tests)."""
    frame = pl.DataFrame(
        {c: [_text(row.get(c)) for row in rows] for c in columns},
        schema=dict.fromkeys(columns, pl.String),
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
