"""The audit log: append-only and tamper-evident.

Each record's hash covers its own fields and the previous record's hash, so editing or deleting any
record breaks every hash after it; `verify_chain` finds the first broken one. Appends lock the single
AuditChainHead row, which serialises writers across processes on PostgreSQL (row lock) and SQLite
(IMMEDIATE transactions).
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tongban.core.models import AuditChainHead, AuditRecord
from tongban.core.request_context import current_request_meta

GENESIS = "0" * 64
# Records made inside `gathered()`, waiting to be appended together when it ends.
_gathering: ContextVar[list[AuditRecord] | None] = ContextVar("audit_gathering", default=None)
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "role",
    "action",
    "object_type",
    "object_id",
    "ip_address",
    "purpose",
    "detail",
)


def compute_hash(record: AuditRecord, previous_hash: str) -> str:
    payload = {name: getattr(record, name) for name in HASHED_FIELDS}
    payload["occurred_at"] = record.occurred_at.isoformat(timespec="microseconds")
    payload["previous_hash"] = previous_hash
    canonical = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _actor_label(actor) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "audit_label", None) or f"user:{actor.pk}"


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    role: str = "",
    purpose: str = "",
    detail: dict | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditRecord:
    """Append one audit record. Call inside the service function's transaction."""
    meta = current_request_meta()
    if actor is None and meta.user is not None and meta.user.is_authenticated:
        actor = meta.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    entry = AuditRecord(
        occurred_at=timezone.now(),
        actor=actor,
        actor_label=_actor_label(actor),
        role=role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip_address=meta.ip,
        purpose=purpose,
        detail=detail or {},
    )
    waiting = _gathering.get()
    if waiting is not None:
        waiting.append(entry)
    else:
        _append([entry])
    return entry


@contextmanager
def gathered() -> Iterator[None]:
    """Records made inside the block are appended together when it ends, in the order they were
    made. For a service function that composes several audited actions in one transaction: the
    chain's lock is then held from the end of the block to the commit, not from the first record,
    so other writers wait for the short tail of the transaction only. Use inside the transaction;
    nothing is appended if the block raises."""
    if _gathering.get() is not None:  # an outer block appends them
        yield
        return
    waiting: list[AuditRecord] = []
    token = _gathering.set(waiting)
    try:
        yield
    finally:
        _gathering.reset(token)
    if waiting:
        _append(waiting)


def _append(entries: list[AuditRecord]) -> None:
    # No savepoint: a record that cannot be written fails the action it belongs to, so rolling
    # back to just before it would never be wanted, and the savepoint cost two round trips.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        for entry in entries:
            entry.sequence = head.last_sequence + 1
            entry.previous_hash = head.last_hash
            entry.record_hash = compute_hash(entry, head.last_hash)
            head.last_sequence, head.last_hash = entry.sequence, entry.record_hash
        AuditRecord.objects.bulk_create(entries)
        head.save(update_fields=["last_sequence", "last_hash"])


@dataclass
class ChainReport:
    checked: int
    first_broken: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in sequence order; report the first record that does not fit."""
    expected_previous, expected_sequence, checked = GENESIS, 1, 0
    queryset = AuditRecord.objects.order_by("sequence")
    for entry in queryset.iterator(chunk_size=batch_size):
        checked += 1
        if entry.sequence != expected_sequence:
            return ChainReport(
                checked, expected_sequence, f"缺少第 {expected_sequence} 条记录（已被删除）"
            )
        if entry.previous_hash != expected_previous:
            return ChainReport(
                checked, entry.sequence, "上一条哈希不匹配（前一条记录被改动或删除）"
            )
        if compute_hash(entry, entry.previous_hash) != entry.record_hash:
            return ChainReport(checked, entry.sequence, "记录内容与哈希不符（记录被改动）")
        expected_previous, expected_sequence = entry.record_hash, expected_sequence + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and head.last_sequence != expected_sequence - 1:
        return ChainReport(checked, expected_sequence, "链尾记录缺失（最后的记录被删除）")
    return ChainReport(checked)
