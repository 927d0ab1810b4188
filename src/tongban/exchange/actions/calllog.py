"""The call log: every call and bulk delivery, metadata only, tamper-evident.

Records are appended freely, each with the hash of its own fields: no lock, so calls never queue
behind one another. Like a timestamping service, a periodic task (`seal`) gathers the unsealed
records into a checkpoint: their (id, hash) leaves, chained to the previous checkpoint's hash and
signed by the platform CA. `verify` recomputes everything and reports the first record that was
altered, removed or slipped in, or the first checkpoint that does not hold.
"""

import base64
import datetime
import hashlib
import struct
from contextlib import nullcontext
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from tongban.core import audit
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import CallRecord, Checkpoint
from tongban.seals import ca
from tongban.seals.models import PlatformCA

GENESIS = "0" * 64
LEAF = struct.Struct(">Q32s")
# Records younger than this are left for the next seal, so a transaction that took its id
# earlier but commits later is not skipped (PostgreSQL sequences hand ids out before commit).
SETTLE_SECONDS = 2
SEAL_BATCH = 100_000
HASHED_FIELDS = (
    "occurred_at",
    "kind",
    "consumer_code",
    "consumer_name",
    "resource_code",
    "provider_department",
    "items",
    "subject_index",
    "subject_count",
    "purpose",
    "case_ref",
    "outcome",
    "reason",
    "latency_ms",
    "rows",
)


def _canonical(values) -> bytes:
    parts = [
        value.isoformat(timespec="microseconds") if isinstance(value, datetime.datetime) else value
        for value in values
    ]
    return "\x1f".join(map(str, parts)).encode()


def record_digest(values) -> bytes:
    """SHA-256 over the hashed fields, in HASHED_FIELDS order."""
    return hashlib.sha256(_canonical(values)).digest()


def new_record(**fields) -> CallRecord:
    """A CallRecord with its hash, not yet saved (append with `append`)."""
    fields.setdefault("occurred_at", timezone.now())
    entry = CallRecord(**fields)
    entry.record_hash = record_digest(getattr(entry, f) for f in HASHED_FIELDS).hex()
    return entry


_INSERT_CHUNK = 1000  # rows per statement: 16 columns stay under SQLite's variable limit
_statements: dict[tuple[str, int], str] = {}


def _insert_statement(db, rows: int) -> str:
    """The INSERT … RETURNING id for `rows` records, built once per connection vendor and size."""
    key = (db.vendor, rows)
    statement = _statements.get(key)
    if statement is None:
        columns = ", ".join(db.ops.quote_name(f.column) for f in _FIELDS)
        row_marks = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
        table = db.ops.quote_name(CallRecord._meta.db_table)
        values = ", ".join([row_marks] * rows)
        statement = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING id"  # noqa: S608 (names from the model; values are parameters)
        if len(_statements) < 64:
            _statements[key] = statement
    return statement


_FIELDS = [f for f in CallRecord._meta.concrete_fields if not f.primary_key]


def append(entries: list[CallRecord]) -> None:
    """Insert the records in one plain statement (per 1,000) and set their ids. Every call appends
    its records; the ORM's bulk_create costs more to build than the insert costs to run. The
    connection is looked up once (not through the `connection` proxy for every field)."""
    if not entries:
        return
    db = connections[DEFAULT_DB_ALIAS]
    # One statement commits alone; several are one transaction. Rows come back in insertion order
    # (as Django's own bulk_create relies on for SQLite and PostgreSQL).
    with transaction.atomic() if len(entries) > _INSERT_CHUNK else nullcontext():
        for start in range(0, len(entries), _INSERT_CHUNK):
            chunk = entries[start : start + _INSERT_CHUNK]
            params = [
                f.get_db_prep_save(getattr(entry, f.attname), db)
                for entry in chunk
                for f in _FIELDS
            ]
            with db.cursor() as cursor:
                cursor.execute(_insert_statement(db, len(chunk)), params)
                ids = [row[0] for row in cursor.fetchall()]
            for entry, pk in zip(chunk, ids, strict=True):
                entry.pk = pk
                entry._state.adding = False
                entry._state.db = db.alias


# --- sealing --------------------------------------------------------------------------------------


def _checkpoint_hash(number: int, previous: str, count: int, leaves: bytes) -> str:
    head = f"{number}\x1f{previous}\x1f{count}\x1f".encode()
    return hashlib.sha256(head + leaves).hexdigest()


def seal(*, batch: int = SEAL_BATCH, settle_seconds: float = SETTLE_SECONDS) -> Checkpoint | None:
    """Seal the settled unsealed records into one signed checkpoint (None when there are none)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settle_seconds)
    try:
        with transaction.atomic():
            return _seal(batch, cutoff)
    except IntegrityError:  # another sealer took this checkpoint number: the next run continues
        return None


def _seal(batch: int, cutoff) -> Checkpoint | None:
    rows = list(
        CallRecord.objects.filter(checkpoint__isnull=True, occurred_at__lte=cutoff)
        .order_by("id")
        .values_list("id", "record_hash")[:batch]
    )
    if not rows:
        return None
    last = Checkpoint.objects.order_by("-number").first()
    number = last.number + 1 if last else 1
    previous = last.checkpoint_hash if last else GENESIS
    leaves = b"".join(LEAF.pack(pk, bytes.fromhex(digest)) for pk, digest in rows)
    digest = _checkpoint_hash(number, previous, len(rows), leaves)
    authority = ca.current_ca()
    signature = ca.ca_private_key(authority).sign(bytes.fromhex(digest), ec.ECDSA(hashes.SHA256()))
    checkpoint = Checkpoint.objects.create(
        number=number,
        sealed_at=timezone.now(),
        record_count=len(rows),
        first_record=rows[0][0],
        last_record=rows[-1][0],
        leaves=leaves,
        previous_hash=previous,
        checkpoint_hash=digest,
        signature=base64.b64encode(signature).decode(),
        ca_serial=authority.serial_hex,
    )
    ids = [pk for pk, _ in rows]
    for start in range(0, len(ids), 5000):  # keep each statement under SQLite's variable limit
        CallRecord.objects.filter(id__in=ids[start : start + 5000]).update(checkpoint=checkpoint)
    audit.record(
        AuditAction.LOG_SEAL,
        obj=checkpoint,
        detail={"records": len(rows), "first": rows[0][0], "last": rows[-1][0]},
    )
    return checkpoint


def seal_all(**kwargs) -> int:
    sealed = 0
    while (checkpoint := seal(**kwargs)) is not None:
        sealed += checkpoint.record_count
    return sealed


# --- verification ---------------------------------------------------------------------------------


@dataclass
class LogReport:
    records: int = 0
    checkpoints: int = 0
    unsealed: int = 0
    problem: str = ""
    record_id: int | None = None
    checkpoint: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problem


def _public_keys() -> dict:
    return {
        serial: ca.load_certificate(pem).public_key()
        for serial, pem in PlatformCA.objects.values_list("serial_hex", "certificate_pem")
    }


def _checkpoint_problem(cp: Checkpoint, previous: str, number: int, keys: dict) -> str:
    if cp.number != number:
        return f"封存点 {number} 缺失（已被删除）"
    if cp.previous_hash != previous:
        return f"封存点 {cp.number} 与上一个封存点接不上（封存链被改动）"
    leaves = bytes(cp.leaves)
    if len(leaves) != cp.record_count * LEAF.size:
        return f"封存点 {cp.number} 的记录清单长度不符"
    digest = _checkpoint_hash(cp.number, cp.previous_hash, cp.record_count, leaves)
    if digest != cp.checkpoint_hash:
        return f"封存点 {cp.number} 的内容与其哈希不符（封存点被改动）"
    key = keys.get(cp.ca_serial)
    if key is None:
        return f"封存点 {cp.number} 的签名证书不是平台根证书"
    try:
        key.verify(base64.b64decode(cp.signature), bytes.fromhex(digest), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return f"封存点 {cp.number} 的签名无效"
    return ""


def _fields_query(**filters):
    return (
        CallRecord.objects.filter(**filters)
        .order_by("id")
        .values_list("id", "record_hash", *HASHED_FIELDS)
    )


def _check_sealed(cp: Checkpoint, report: LogReport) -> bool:
    rows = _fields_query(checkpoint_id=cp.pk).iterator(chunk_size=5000)
    leaves = LEAF.iter_unpack(bytes(cp.leaves))
    row = next(rows, None)
    for leaf_id, leaf_digest in leaves:
        if row is None or row[0] > leaf_id:
            report.problem, report.record_id = (
                f"记录 {leaf_id} 缺失（已被删除或移出封存点）",
                leaf_id,
            )
            return False
        if row[0] < leaf_id:
            report.problem, report.record_id = f"记录 {row[0]} 不在封存点的清单中（被插入）", row[0]
            return False
        if record_digest(row[2:]) != leaf_digest:
            report.problem, report.record_id = f"记录 {leaf_id} 的内容被改动", leaf_id
            return False
        report.records += 1
        row = next(rows, None)
    if row is not None:
        report.problem, report.record_id = f"记录 {row[0]} 不在封存点的清单中（被插入）", row[0]
        return False
    return True


def verify() -> LogReport:
    """Walk every checkpoint and its records, then the unsealed tail; stop at the first problem."""
    report = LogReport()
    keys = _public_keys()
    previous, number = GENESIS, 1
    for cp in Checkpoint.objects.order_by("number").iterator(chunk_size=50):
        problem = _checkpoint_problem(cp, previous, number, keys)
        if problem:
            report.problem, report.checkpoint = problem, number
            return report
        if not _check_sealed(cp, report):
            report.checkpoint = cp.number
            return report
        report.checkpoints += 1
        previous, number = cp.checkpoint_hash, number + 1
    for row in _fields_query(checkpoint__isnull=True).iterator(chunk_size=5000):
        if record_digest(row[2:]).hex() != row[1]:
            report.problem, report.record_id = f"未封存的记录 {row[0]} 内容被改动", row[0]
            return report
        report.unsealed += 1
        report.records += 1
    return report
