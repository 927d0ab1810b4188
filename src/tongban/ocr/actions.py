"""Service layer of 材料识别: request, run (in the worker), confirm with corrections, accuracy."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from tongban.core import audit, pii, statemachine
from tongban.ocr import kinds, messages, states
from tongban.ocr.audit_actions import AuditAction
from tongban.ocr.models import FieldCorrection, Recognition, RecognitionEvent
from tongban.ocr.recognise import MANUAL, Unreadable, recognise

log = logging.getLogger(__name__)
Status = Recognition.Status


@transaction.atomic
def request_recognition(
    *, actor, kind: str, content: bytes, content_type: str, extension: str
) -> Recognition:
    """Keep a copy of the document and queue it for the worker (after this transaction commits).
    The caller's upload is stored on its own: whatever happens here, it is kept."""
    if kinds.get(kind) is None:
        raise ValidationError(gettext("不支持识别这种材料"))
    recognition = Recognition(kind=kind, content_type=content_type, requested_by=actor)
    recognition.source.save(
        f"{recognition.public_id}.{extension}", ContentFile(content), save=False
    )
    recognition.save()
    RecognitionEvent.objects.create(
        recognition=recognition, from_status="", to_status=Status.QUEUED
    )
    audit.record(AuditAction.REQUESTED, actor=actor, obj=recognition, detail={"kind": kind})
    from tongban.ocr.tasks import run_recognition_task

    transaction.on_commit(lambda: run_recognition_task.delay(recognition.pk))
    return recognition


def _start(recognition_id: int) -> Recognition | None:
    with transaction.atomic():
        recognition = Recognition.objects.select_for_update().filter(pk=recognition_id).first()
        if recognition is None or recognition.status != Status.QUEUED:
            return None  # already run (a redelivered task): idempotent
        # a step of the worker's, not an outcome: the history row is enough
        statemachine.transition(
            recognition, Status.RUNNING, actor_kind=states.SYSTEM, write_audit=False
        )
        return recognition


def run_recognition(recognition_id: int) -> Recognition | None:
    """Read the document (outside any transaction: it takes seconds) and store the outcome."""
    recognition = _start(recognition_id)
    if recognition is None:
        return None
    try:
        with recognition.source.open("rb") as stored:
            content = stored.read()
        result = recognise(content, recognition.content_type, recognition.kind)
    except Unreadable as problem:
        outcome, fields, reason, seconds = Status.FAILED, {}, str(problem), None
    except OSError:
        log.exception("recognition %s: stored file unreadable", recognition_id)
        outcome, fields, reason, seconds = Status.FAILED, {}, "文件无法读取", None
    else:
        outcome, fields, reason, seconds = Status.DONE, result.as_json(), "", result.seconds
    with transaction.atomic():
        recognition = Recognition.objects.select_for_update().get(pk=recognition_id)
        recognition.fields, recognition.reason, recognition.seconds = fields, reason, seconds
        recognition.finished_at = timezone.now()
        statemachine.transition(
            recognition,
            outcome,
            actor_kind=states.SYSTEM,
            reason=reason,
            update_fields=["fields", "reason", "seconds", "finished_at"],
            audit_action=AuditAction.FINISHED,
            audit_detail={"offered": sorted(recognition.offered())},
        )
    return recognition


def failure_message(recognition: Recognition) -> str:
    """未能识别，请手动填写：<reason>, in the active language."""
    if not recognition.reason:
        return gettext(MANUAL)
    return gettext(messages.MANUAL_BECAUSE) % {"reason": messages.translated(recognition.reason)}


@transaction.atomic
def confirm(*, recognition: Recognition, actor, kept: dict[str, str]) -> list[FieldCorrection]:
    """The person confirmed the offer: `kept` maps each offered field to the value they accepted
    (the same, corrected, or emptied). Records one correction row per offered field."""
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    offered = recognition.offered()
    statemachine.transition(
        recognition, Status.CONFIRMED, actor=actor, actor_kind=states.PERSON, write_audit=False
    )  # audited below, with the fields kept and changed
    rows = []
    kind = kinds.get(recognition.kind)
    for name, field in offered.items():
        if name not in kept:
            continue
        final = (kept[name] or "").strip()
        extracted, corrected = field["value"], final
        if kind.spec(name).key and "id_number" in name:  # identifiers of people: kept masked
            extracted, corrected = pii.mask_id_number(extracted), pii.mask_id_number(corrected)
        rows.append(
            FieldCorrection(
                recognition=recognition,
                kind=recognition.kind,
                field=name,
                extracted=extracted[:500],
                corrected=corrected[:500],
                changed=final != field["value"],
                by=actor,
            )
        )
    FieldCorrection.objects.bulk_create(rows)
    # The values are in the form now (or were refused): the recognition keeps only its scores.
    recognition.fields = {
        n: {**f, "value": ""} if f.get("value") else f for n, f in recognition.fields.items()
    }
    recognition.save(update_fields=["fields"])
    audit.record(
        AuditAction.CONFIRMED,
        actor=actor,
        obj=recognition,
        detail={
            "fields": sorted(r.field for r in rows),
            "changed": [r.field for r in rows if r.changed],
        },
    )
    return rows


def accuracy_by_field(kind: str | None = None) -> list[dict]:
    """Share of offered values people kept unchanged, per kind and field."""
    rows = FieldCorrection.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    return [
        {**row, "accuracy": (row["total"] - row["changed_count"]) / row["total"]}
        for row in rows.values("kind", "field")
        .annotate(total=Count("id"), changed_count=Count("id", filter=Q(changed=True)))
        .order_by("kind", "field")
    ]
