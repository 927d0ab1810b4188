"""Import batches: validate and store (step 1), confirm, apply in the background (step 2)."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.accounts.roles import Role
from tongban.catalog import actions, policy
from tongban.catalog.audit_actions import AuditAction
from tongban.catalog.excel.sheets import read_workbook
from tongban.catalog.excel.validation import Plan, validate_rows
from tongban.catalog.models import ImportBatch, ItemVersion, ServiceItem
from tongban.catalog.states import IMPORT_BATCH, SYSTEM
from tongban.core import audit, statemachine


def _errors_of(plan: Plan) -> list[dict]:
    """The batch's report: bad item rows by row number, then structure rows naming no item."""
    report = [{"row": r.number, "reasons": r.errors} for r in plan.bad]
    return report + [{"row": r.number, "sheet": r.sheet, "reasons": r.errors} for r in plan.orphans]


def _require_admin(actor) -> None:
    policy.require_importer(actor)


@transaction.atomic
def validate_workbook(*, actor, uploaded, original_name: str) -> ImportBatch:
    """Step 1: store the file and record every bad row; nothing in the catalogue changes."""
    _require_admin(actor)
    content = uploaded.read() if hasattr(uploaded, "read") else uploaded
    rows, structure = read_workbook(content)  # a broken file raises here: nothing is saved
    plan = validate_rows(rows, actor, structure)
    batch = ImportBatch(original_name=original_name[:200], uploaded_by=actor)
    batch.status = ImportBatch.Status.VALIDATED
    batch.total_rows = len(plan.rows)
    batch.good_rows = len(plan.good)
    batch.errors = _errors_of(plan)
    batch.file.save("catalog.xlsx", ContentFile(content), save=False)
    batch.save()
    audit.record(
        AuditAction.IMPORT_VALIDATED,
        actor=actor,
        obj=batch,
        detail={"rows": batch.total_rows, "good": batch.good_rows, "bad": len(batch.errors)},
    )
    return batch


def _check_confirmable(actor, batch: ImportBatch, statuses) -> None:
    _require_admin(actor)
    if batch.status not in statuses:
        raise ValidationError({"batch": ["该批次已处理，不能重复导入"]})
    if batch.uploaded_by_id != actor.pk:
        raise ValidationError({"batch": ["只能确认自己上传的批次"]})


@transaction.atomic
def confirm_batch(*, actor, batch: ImportBatch) -> ImportBatch:
    """The user confirms: mark the batch as applying and hand it to a background task, whose
    progress the batch page shows (`progress`). Large files take minutes to apply."""
    from tongban.catalog import tasks

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check_confirmable(actor, batch, {ImportBatch.Status.VALIDATED})
    statemachine.transition(
        batch,
        ImportBatch.Status.APPLYING,
        actor=actor,
        actor_kind=Role.CATALOGUE_ADMIN,
        machine=IMPORT_BATCH,
        audit_action=AuditAction.IMPORT_CONFIRMED,
        audit_detail={"rows": batch.good_rows},
    )
    progress.report(batch.pk, 0, batch.good_rows)
    transaction.on_commit(lambda: tasks.apply_import_batch.delay(batch.pk))
    return batch


def run_confirmed_batch(batch_id: int) -> None:
    """Background task body: apply, or record the failure (the catalogue is left unchanged)."""
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.APPLYING:
        return
    try:
        apply_batch(actor=batch.uploaded_by, batch=batch, actor_kind=SYSTEM)
    except ValidationError as exc:
        reasons = (
            [m for msgs in exc.message_dict.values() for m in msgs]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        _fail(batch, reasons)
    except Exception:
        _fail(batch, ["导入时发生系统错误，已全部撤销，请稍后重试或联系平台管理员"])
        raise
    finally:
        progress.clear(batch_id)


def _fail(batch: ImportBatch, reasons: list[str]) -> None:
    """`batch` as read before the import, whose transaction rolled back."""
    batch.errors = [{"row": None, "reasons": reasons}, *batch.errors]
    statemachine.transition(
        batch,
        ImportBatch.Status.FAILED,
        actor_kind=SYSTEM,
        machine=IMPORT_BATCH,
        update_fields=["errors"],
        audit_action=AuditAction.IMPORT_FAILED,
        audit_detail={"reasons": reasons},
    )


class _Progress:
    """How far a batch has got, visible to other processes while the import transaction is open:
    kept in Redis when configured, otherwise in a file cache under the data directory (the
    database cache would be inside the import's own transaction)."""

    def _cache(self):
        from django.conf import settings
        from django.core.cache import caches
        from django.core.cache.backends.filebased import FileBasedCache

        if settings.REDIS_URL:
            return caches["default"]
        return FileBasedCache(
            str(settings.DATA_DIR / "catalog-import-progress"), {"TIMEOUT": 86400}
        )

    def report(self, batch_id: int, done: int, total: int) -> None:
        self._cache().set(f"catalog:import:{batch_id}", (done, total))

    def get(self, batch_id: int) -> tuple[int, int] | None:
        return self._cache().get(f"catalog:import:{batch_id}")

    def clear(self, batch_id: int) -> None:
        self._cache().delete(f"catalog:import:{batch_id}")


progress = _Progress()


@transaction.atomic
def apply_batch(*, actor, batch: ImportBatch, actor_kind: str = Role.CATALOGUE_ADMIN) -> int:
    """Step 2, on the user's confirmation: apply all good rows in one transaction (`actor_kind`
    SYSTEM when the background task applies a confirmed batch on the uploader's behalf)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check_confirmable(actor, batch, {ImportBatch.Status.VALIDATED, ImportBatch.Status.APPLYING})
    # Before any row is written: a confirmed batch is the background task's to apply.
    IMPORT_BATCH.check(batch.status, ImportBatch.Status.APPLIED, actor_kind)
    with batch.file.open("rb") as handle:
        rows, structure = read_workbook(handle.read())
    plan = validate_rows(rows, actor, structure)
    if len(plan.good) != batch.good_rows:
        raise ValidationError(
            {
                "batch": [
                    f"重新校验的结果与确认时不同（现有 {len(plan.bad)} 行有误），未做任何修改，请重新上传"
                ]
            }
        )
    applied = 0
    total = len(plan.good)
    for _row, identity, elements in plan.good:
        basic = identity["basic"]
        if basic.pk is None:
            basic = actions.create_basic_item(
                actor=actor,
                basic_code=basic.basic_code,
                name=basic.name,
                item_type=basic.item_type,
                legal_basis=basic.legal_basis,
                service_object=basic.service_object,
                exercise_content=basic.exercise_content,
            )
            identity["basic"] = basic
        item_id = (
            identity["item_id"]
            or ServiceItem.objects.filter(basic_item=basic, department=identity["department"])
            .values_list("pk", flat=True)
            .first()
        )
        if item_id is None:
            item = actions.create_item(
                actor=actor,
                basic_item=basic,
                department=identity["department"],
                elements=elements,
                exercise_level=identity["level"],
            )
            draft = item.versions.get(status=ItemVersion.Status.DRAFT)
        else:
            item = ServiceItem.objects.get(pk=item_id)
            draft = item.versions.filter(status=ItemVersion.Status.DRAFT).first()
            if draft is None:
                draft = actions.new_draft(
                    actor=actor, item=item, change_note=f"Excel导入：{batch.original_name}"
                )
            actions.update_draft(actor=actor, version=draft, elements=elements)
        if identity.get("structure") is not None:
            handling, materials, questions = identity["structure"]
            actions.set_structure(
                actor=actor,
                version=draft,
                handling_items=handling,
                materials=materials,
                questions=questions,
            )
        applied += 1
        if applied % 10 == 0 or applied == total:
            progress.report(batch.pk, applied, total)
    batch.applied_at = timezone.now()
    batch.good_rows = applied
    batch.errors = _errors_of(plan)
    statemachine.transition(
        batch,
        ImportBatch.Status.APPLIED,
        actor=actor,
        actor_kind=actor_kind,
        machine=IMPORT_BATCH,
        update_fields=["applied_at", "good_rows", "errors"],
        audit_action=AuditAction.IMPORT_APPLIED,
        audit_detail={"applied": applied, "skipped": len(plan.bad)},
    )
    return applied
