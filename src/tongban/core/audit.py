"""The audit log: append-only and tamper-evident.

Each record's hash covers its own fields and the previous record's hash, so editing or deleting any
record breaks every hash after it; `verify_chain` finds the first broken one. Appends lock the single
AuditChainHead row, which serialises writers across processes on PostgreSQL (row lock) and SQLite
(IMMEDIATE transactions).
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tongban.core.models import AuditChainHead, AuditRecord
from tongban.core.request_context import current_request_meta

GENESIS = "0" * 64
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
    # No savepoint: a record that cannot be written fails the action it belongs to, so rolling
    # back to just before it would never be wanted, and the savepoint cost two round trips.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        entry = AuditRecord(
            sequence=head.last_sequence + 1,
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
            previous_hash=head.last_hash,
        )
        entry.record_hash = compute_hash(entry, head.last_hash)
        entry.save()
        head.last_sequence, head.last_hash = entry.sequence, entry.record_hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return entry


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
