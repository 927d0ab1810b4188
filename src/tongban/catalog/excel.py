"""Excel import and export of the implementation catalogue (openpyxl).

Import is two steps: `validate_workbook` reads every row and reports each bad row with its number
and the reasons in Chinese, writing nothing; `apply_batch` re-reads the stored file, re-validates,
and applies all good rows in one transaction (new items get a draft version; existing items get
their draft updated or a new draft). Nothing is published by an import: publishing stays a review
step. Export writes the published catalogue; every text cell that a spreadsheet could take for a
formula (= + - @, tab, carriage return) is prefixed with an apostrophe.
"""

import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tongban.accounts.permissions import can_act_for_department
from tongban.accounts.roles import Role
from tongban.catalog import actions, codes, conf
from tongban.catalog.models import BasicItem, ImportBatch, ItemVersion, ServiceItem
from tongban.core import audit
from tongban.core.models import Department

# (key, header). The first row of the sheet holds the headers; order does not matter on import.
COLUMNS = [
    ("basic_code", "基本编码"),
    ("name", "事项名称"),
    ("item_type", "事项类型代码"),
    ("legal_basis", "设定依据"),
    ("exercise_content", "行使内容"),
    ("service_object", "服务对象代码"),
    ("department_uscc", "实施主体统一社会信用代码"),
    ("exercise_level", "行使层级代码"),
    ("implementation_code", "实施编码"),
    ("legal_limit", "法定办结时限"),
    ("legal_limit_unit", "法定时限单位"),
    ("promised_limit", "承诺办结时限"),
    ("promised_limit_unit", "承诺时限单位"),
    ("handling_type", "办件类型代码"),
    ("handling_forms", "办理形式代码"),
    ("is_online", "是否网办"),
    ("online_url", "网办地址"),
    ("max_visits", "到办事现场次数"),
    ("charges_fee", "是否收费"),
    ("fee_basis", "收费依据"),
    ("acceptance_conditions", "受理条件"),
    ("process", "办理流程"),
    ("result_name", "结果名称"),
    ("consult_phone", "咨询电话"),
    ("supervision_phone", "监督电话"),
    ("office_hours", "办理时间"),
    ("keywords", "检索关键词"),
]
HEADERS = {header: key for key, header in COLUMNS}
REQUIRED = {"basic_code", "name", "item_type", "legal_basis", "service_object", "department_uscc"}
BOOLEAN = {"is_online", "charges_fee"}
INTEGER = {"legal_limit", "promised_limit", "max_visits", "exercise_level"}
# The sheet names units in Chinese whatever the interface language (the labels of LimitUnit follow
# the language of the person exporting or importing).
UNITS = {"工作日": codes.LimitUnit.WORKING_DAYS, "自然日": codes.LimitUnit.NATURAL_DAYS}
UNIT_NAMES = {value: name for name, value in UNITS.items()}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BROKEN_FILE = "无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿"


def safe_cell(value):
    """A value safe to put into a spreadsheet cell (no formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- export --------------------------------------------------------------------------------------


def export_rows(queryset):
    for item in queryset.select_related("basic_item", "department", "current_version").iterator(
        chunk_size=500
    ):
        v = item.current_version
        yield [
            item.basic_item.basic_code,
            v.name,
            v.item_type,
            v.legal_basis,
            v.exercise_content,
            v.service_object,
            item.department.uscc,
            item.exercise_level,
            item.implementation_code,
            v.legal_limit,
            UNIT_NAMES[v.legal_limit_unit],
            v.promised_limit,
            UNIT_NAMES[v.promised_limit_unit],
            v.handling_type,
            v.handling_forms,
            "是" if v.is_online else "否",
            v.online_url,
            v.max_visits,
            "是" if v.charges_fee else "否",
            v.fee_basis,
            v.acceptance_conditions,
            v.process,
            v.result_name,
            v.consult_phone,
            v.supervision_phone,
            v.office_hours,
            v.keywords,
        ]


def export_workbook(queryset=None) -> bytes:
    if queryset is None:
        queryset = ServiceItem.objects.filter(current_version__isnull=False)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("实施清单")
    sheet.append([header for _key, header in COLUMNS])
    for row in export_rows(queryset.order_by("implementation_code")):
        sheet.append([safe_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- import: reading and validating ----------------------------------------------------------------


@dataclass
class RowResult:
    number: int  # row number in the sheet, as Excel shows it
    data: dict
    errors: list[str] = field(default_factory=list)


def read_rows(content: bytes) -> list[RowResult]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as exc:
        raise ValidationError({"file": [BROKEN_FILE]}) from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ValidationError({"file": ["工作簿中没有工作表"]})
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise ValidationError({"file": ["工作表第1行应为表头"]})
    keys = [HEADERS.get(str(h).strip()) if h is not None else None for h in header]
    missing = [HEADERS_BY_KEY[k] for k in REQUIRED if k not in keys]
    if missing:
        raise ValidationError({"file": [f"表头缺少列：{'、'.join(sorted(missing))}"]})
    results = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        data = {}
        for key, value in zip(keys, values, strict=False):
            if key:
                data[key] = value
        results.append(RowResult(number, data))
    workbook.close()
    return results


HEADERS_BY_KEY = {key: header for key, header in COLUMNS}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_STARTS else text


def _clean_row(row: RowResult) -> tuple[dict, dict]:
    """(identity, elements) from one row, with problems appended to row.errors."""
    raw = {key: _text(row.data.get(key)) for key, _h in COLUMNS}
    errors = row.errors
    for key in REQUIRED:
        if not raw[key]:
            errors.append(f"{HEADERS_BY_KEY[key]}不能为空")
    ints = {}
    for key in INTEGER:
        if raw[key] == "":
            ints[key] = None
            continue
        try:
            ints[key] = int(raw[key])
            if ints[key] < 0:
                raise ValueError
        except ValueError:
            errors.append(f"{HEADERS_BY_KEY[key]}应为不小于0的整数")
            ints[key] = None
    bools = {}
    for key in BOOLEAN:
        if raw[key] not in ("", "是", "否"):
            errors.append(f"{HEADERS_BY_KEY[key]}应填写“是”或“否”")
        bools[key] = raw[key] == "是"
    units = {}
    for key in ("legal_limit_unit", "promised_limit_unit"):
        units[key] = UNITS.get(raw[key] or "工作日")
        if units[key] is None:
            errors.append(f"{HEADERS_BY_KEY[key]}应为“工作日”或“自然日”")
            units[key] = codes.LimitUnit.WORKING_DAYS
    identity = {
        "basic_code": raw["basic_code"].upper(),
        "department_uscc": raw["department_uscc"].upper(),
        "exercise_level": ints["exercise_level"],
        "implementation_code": raw["implementation_code"].upper(),
    }
    elements = {
        "name": raw["name"],
        "item_type": raw["item_type"].zfill(2) if raw["item_type"] else "",
        "legal_basis": raw["legal_basis"],
        "exercise_content": raw["exercise_content"],
        "service_object": raw["service_object"].replace("，", ",").replace(" ", ""),
        "legal_limit": ints["legal_limit"],
        "promised_limit": ints["promised_limit"],
        "max_visits": ints["max_visits"] if ints["max_visits"] is not None else 1,
        "handling_type": raw["handling_type"] or "2",
        "handling_forms": (raw["handling_forms"] or "1").replace("，", ",").replace(" ", ""),
        "online_url": raw["online_url"],
        "fee_basis": raw["fee_basis"],
        "acceptance_conditions": raw["acceptance_conditions"],
        "process": raw["process"],
        "result_name": raw["result_name"],
        "consult_phone": raw["consult_phone"],
        "supervision_phone": raw["supervision_phone"],
        "office_hours": raw["office_hours"],
        "keywords": raw["keywords"],
        **units,
        **bools,
    }
    return identity, elements


@dataclass
class Plan:
    rows: list[RowResult]
    good: list[tuple[RowResult, dict, dict]]  # row, identity (resolved), elements

    @property
    def bad(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]


def validate_rows(rows: list[RowResult], actor) -> Plan:
    """Check every row against the database and against the other rows; writes nothing."""
    departments = {
        d.uscc: d
        for d in Department.objects.filter(
            uscc__in={_text(r.data.get("department_uscc")).upper() for r in rows}
        )
    }
    basics = {
        b.basic_code: b
        for b in BasicItem.objects.filter(
            basic_code__in={_text(r.data.get("basic_code")).upper() for r in rows}
        )
    }
    existing = {
        (basic_id, dept_id): pk
        for pk, basic_id, dept_id in ServiceItem.objects.filter(
            basic_item__in=basics.values(), department__in=departments.values()
        ).values_list("pk", "basic_item_id", "department_id")
    }
    locked = conf.locked_elements()
    seen_items: dict[tuple, int] = {}
    file_basics: dict[str, BasicItem] = {}
    good = []
    for row in rows:
        identity, elements = _clean_row(row)
        problem = codes.basic_code_problem(identity["basic_code"])
        if identity["basic_code"] and problem:
            row.errors.append(problem)
        department = departments.get(identity["department_uscc"])
        if identity["department_uscc"] and department is None:
            row.errors.append("实施主体统一社会信用代码不是本平台已登记的部门")
        elif (
            department is not None
            and actor is not None
            and not can_act_for_department(actor, department.pk)
        ):
            row.errors.append("您无权维护该部门的事项")
        level = identity["exercise_level"] or (department.level if department else None)
        if level is not None and not 1 <= level <= 7:
            row.errors.append("行使层级代码应为1至7")
        if department is not None and not problem and level and 1 <= level <= 7:
            code = codes.implementation_code(department.uscc, level, identity["basic_code"])
            if identity["implementation_code"] and identity["implementation_code"] != code:
                row.errors.append(f"实施编码与实施主体、行使层级和基本编码不符，应为 {code}")
            key = (identity["basic_code"], department.pk)
            if key in seen_items:
                row.errors.append(f"与第{seen_items[key]}行是同一事项，不能重复")
            seen_items.setdefault(key, row.number)
        basic = basics.get(identity["basic_code"]) or file_basics.get(identity["basic_code"])
        if basic is None and not problem and identity["basic_code"]:
            basic = BasicItem(
                basic_code=identity["basic_code"],
                **{
                    k: elements[k]
                    for k in (
                        "name",
                        "item_type",
                        "legal_basis",
                        "exercise_content",
                        "service_object",
                    )
                },
            )
            file_basics[identity["basic_code"]] = basic
        if basic is not None:
            data = {
                name: ItemVersion._meta.get_field(name).get_default()
                for name in ItemVersion.ELEMENT_FIELDS
            }
            data.update(elements)
            data["authority_division"] = basic.authority_division
            for name, messages in actions.validate_elements(basic, data).items():
                if name in locked and basic.pk is None:
                    label = actions.ELEMENT_LABELS[name]
                    messages = [
                        f"“{label}”与前面行中同一基本编码（{basic.basic_code}）的事项不一致"
                    ]
                row.errors.extend(m for m in messages if m not in row.errors)
        if not row.errors:
            identity.update(
                department=department,
                level=level,
                basic=basic,
                item_id=existing.get((getattr(basic, "pk", None), department.pk)),
            )
            good.append((row, identity, elements))
    return Plan(rows, good)


def _require_admin(actor) -> None:
    if actor is None or not actor.has_role(Role.CATALOGUE_ADMIN):
        raise ValidationError({"actor": ["只有事项管理员可以导入事项"]})


@transaction.atomic
def validate_workbook(*, actor, uploaded, original_name: str) -> ImportBatch:
    """Step 1: store the file and record every bad row; nothing in the catalogue changes."""
    _require_admin(actor)
    content = uploaded.read() if hasattr(uploaded, "read") else uploaded
    plan = validate_rows(read_rows(content), actor)  # a broken file raises here: nothing is saved
    batch = ImportBatch(original_name=original_name[:200], uploaded_by=actor)
    batch.status = ImportBatch.Status.VALIDATED
    batch.total_rows = len(plan.rows)
    batch.good_rows = len(plan.good)
    batch.errors = [{"row": r.number, "reasons": r.errors} for r in plan.bad]
    batch.file.save("catalog.xlsx", ContentFile(content), save=False)
    batch.save()
    audit.record(
        "catalog.import_validated",
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
    batch.status = ImportBatch.Status.APPLYING
    batch.save(update_fields=["status"])
    audit.record(
        "catalog.import_confirmed", actor=actor, obj=batch, detail={"rows": batch.good_rows}
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
        apply_batch(actor=batch.uploaded_by, batch=batch)
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
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, errors=[{"row": None, "reasons": reasons}, *batch.errors]
    )


class _Progress:
    """How far a batch has got, visible to other processes while the import transaction is open:
    kept in Redis when configured, otherwise in a file cache under the data directory (the
    database cache would be inside the import's own transaction)."""

    def _cache(self):
        from django.conf import settings
        from django.core.cache import caches
        from django.core.cache.backends.filebased import FileBasedCache

        if getattr(settings, "REDIS_URL", ""):
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
def apply_batch(*, actor, batch: ImportBatch) -> int:
    """Step 2, on the user's confirmation: apply all good rows in one transaction."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check_confirmable(actor, batch, {ImportBatch.Status.VALIDATED, ImportBatch.Status.APPLYING})
    with batch.file.open("rb") as handle:
        plan = validate_rows(read_rows(handle.read()), actor)
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
            actions.create_item(
                actor=actor,
                basic_item=basic,
                department=identity["department"],
                elements=elements,
                exercise_level=identity["level"],
            )
        else:
            item = ServiceItem.objects.get(pk=item_id)
            draft = item.versions.filter(status=ItemVersion.Status.DRAFT).first()
            if draft is None:
                draft = actions.new_draft(
                    actor=actor, item=item, change_note=f"Excel导入：{batch.original_name}"
                )
            actions.update_draft(actor=actor, version=draft, elements=elements)
        applied += 1
        if applied % 10 == 0 or applied == total:
            progress.report(batch.pk, applied, total)
    batch.status = ImportBatch.Status.APPLIED
    batch.applied_at = timezone.now()
    batch.good_rows = applied
    batch.errors = [{"row": r.number, "reasons": r.errors} for r in plan.bad]
    batch.save(update_fields=["status", "applied_at", "good_rows", "errors"])
    audit.record(
        "catalog.import_applied",
        actor=actor,
        obj=batch,
        detail={"applied": applied, "skipped": len(plan.bad)},
    )
    return applied
