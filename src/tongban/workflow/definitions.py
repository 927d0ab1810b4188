"""Service functions for process definitions: upload (a new version), publish, shipped templates.

A definition's BPMN never changes once stored; replacing a process means uploading a new version.
Publishing a version retires the previously published one of the same key. Running instances
keep their own definition (and carry the parsed spec in their serialized state).
"""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from tongban.core import audit, statemachine
from tongban.workflow import bpmn, states
from tongban.workflow.audit_actions import AuditAction
from tongban.workflow.models import ProcessDefinition

TEMPLATE_DIR = Path(__file__).resolve().parent / "bpmn"
#: key → (name, file) of the templates shipped with the platform.
TEMPLATES = {
    "instant": ("即办件", "instant.bpmn"),
    "promise": ("承诺件（承办→审核→批准）", "promise.bpmn"),
    "joint": ("联办（多部门并行审核）", "joint.bpmn"),
}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")

Status = ProcessDefinition.Status


def validate_key(key: str) -> str:
    if not KEY_PATTERN.match(key or ""):
        raise ValidationError(
            f"流程标识「{key}」不合规：以小写字母开头，只含小写字母、数字、下划线和连字符，最长 50 位"
        )
    return key


def _create(model, *, key, name, bpmn_xml, process_id, uploaded_by, publish):
    """Add the next version of `key`; with `publish`, retire the published one. `model` may be
    a historical model (data migrations)."""
    with transaction.atomic():
        # Lock this key's versions so two uploads cannot take the same number.
        list(model.objects.select_for_update().filter(key=key).values_list("pk", flat=True))
        latest = model.objects.filter(key=key).aggregate(n=Max("version"))["n"] or 0
        if publish:
            _retire_published(model, key, actor=uploaded_by)
        return model.objects.create(
            key=key,
            name=name,
            version=latest + 1,
            bpmn_xml=bpmn_xml,
            process_id=process_id,
            status=Status.PUBLISHED if publish else Status.DRAFT,
            uploaded_by=uploaded_by,
        )


def upload_definition(
    key: str,
    bpmn_xml: str | bytes,
    *,
    name: str = "",
    uploaded_by=None,
    publish: bool = True,
) -> ProcessDefinition:
    """Validate a BPMN document and store it as the next version of `key` (published unless
    `publish=False`). Raises ValidationError listing every problem; nothing is saved then."""
    validate_key(key)
    if isinstance(bpmn_xml, bytes):
        try:
            bpmn_xml = bpmn_xml.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValidationError("BPMN 文件必须是 UTF-8 编码") from err
    parsed = bpmn.parse(bpmn_xml)
    definition = _create(
        ProcessDefinition,
        key=key,
        name=(name or parsed.name)[:100],
        bpmn_xml=bpmn_xml,
        process_id=parsed.process_id,
        uploaded_by=uploaded_by,
        publish=publish,
    )
    audit.record(
        AuditAction.DEFINITION_UPLOAD,
        actor=uploaded_by,
        obj=definition,
        detail={"key": key, "version": definition.version, "status": definition.status},
    )
    return definition


def publish_definition(definition: ProcessDefinition, *, actor=None) -> ProcessDefinition:
    """Publish a draft (or re-publish a retired) version; the published one of its key retires."""
    if definition.status == Status.PUBLISHED:
        return definition
    bpmn.parse(definition.bpmn_xml)  # rules may have tightened since it was stored
    with transaction.atomic():
        list(
            ProcessDefinition.objects.select_for_update()
            .filter(key=definition.key)
            .values_list("pk", flat=True)
        )
        definition.refresh_from_db(fields=["status"])
        if definition.status == Status.PUBLISHED:  # published meanwhile by someone else
            return definition
        _retire_published(ProcessDefinition, definition.key, actor=actor)
        statemachine.transition(
            definition,
            Status.PUBLISHED,
            actor=actor,
            actor_kind=states.kind_of(actor),
            machine=states.DEFINITION,
            audit_action=AuditAction.DEFINITION_PUBLISH,
            audit_detail={"key": definition.key, "version": definition.version},
        )
    return definition


def _retire_published(model, key: str, *, actor) -> None:
    """Retire the published version of `key` (at most one: a constraint), its versions locked by
    the caller. `model` may be the historical model of a data migration: then the move is checked
    and saved but no audit record is written (the audit table is not the migration's to write)."""
    live = model is ProcessDefinition
    for version in model.objects.filter(key=key, status=Status.PUBLISHED):
        statemachine.transition(
            version,
            Status.RETIRED,
            actor=actor,
            actor_kind=states.kind_of(actor),
            machine=states.DEFINITION,
            write_audit=live,
            audit_action=AuditAction.DEFINITION_RETIRE,
            audit_detail={"key": key, "version": version.version},
        )


def load_templates(*, model=None, update: bool = False) -> list:
    """Publish the shipped templates (idempotent). A key that already has any version is left
    alone, so uploaded replacements survive; with `update`, a shipped template whose file differs
    from the published version is published as a new version."""
    model = model or ProcessDefinition
    created = []
    for key, (name, filename) in TEMPLATES.items():
        xml = (TEMPLATE_DIR / filename).read_text(encoding="utf-8")
        versions = model.objects.filter(key=key)
        if versions.exists():
            current = versions.filter(status=Status.PUBLISHED).first()
            if not update or (current is not None and current.bpmn_xml == xml):
                continue
        parsed = bpmn.parse(xml)
        created.append(
            _create(
                model,
                key=key,
                name=name,
                bpmn_xml=xml,
                process_id=parsed.process_id,
                uploaded_by=None,
                publish=True,
            )
        )
    return created
