"""Excel import and export of the data-resource catalogue.

A workbook has two sheets: 数据资源 (one row per resource) and 信息项 (one row per data item, by
resource code). Import checks every row and reports each problem with its sheet and row number;
only a workbook without problems is applied, in one transaction, as drafts (a new resource, or a
new draft of an existing one), which staff then publish.
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook

from tongban.core.models import Department
from tongban.exchange.actions import catalogue
from tongban.exchange.actions.catalogue import ItemSpec
from tongban.exchange.models import (
    DataItem,
    ItemType,
    Resource,
    ResourceClass,
    ResourceVersion,
    Sensitivity,
    ShareCondition,
)

RESOURCE_COLUMNS = [
    ("code", "资源代码"),
    ("name", "资源名称"),
    ("department", "提供部门统一社会信用代码"),
    ("resource_class", "资源分类代码"),
    ("share_condition", "共享属性"),
    ("share_basis", "共享条件与依据"),
    ("delivery", "共享方式"),
    ("subject_kind", "查询主体"),
    ("update_frequency", "更新周期"),
    ("open_condition", "开放属性"),
    ("provider_plugin", "提供方插件"),
    ("provider_label", "核验来源名称"),
    ("description", "资源摘要"),
]
ITEM_COLUMNS = [
    ("resource", "资源代码"),
    ("code", "信息项代码"),
    ("name", "信息项名称"),
    ("item_type", "数据类型"),
    ("sensitivity", "敏感级别"),
    ("personal", "是否个人信息"),
    ("required", "是否必填"),
    ("rule", "校验规则"),
    ("code_table", "代码表"),
    ("description", "说明"),
]
YES, NO = "是", "否"
LABELS = {
    "share_condition": dict(ShareCondition.choices),
    "delivery": dict(ResourceVersion.Delivery.choices),
    "item_type": dict(ItemType.choices),
    "sensitivity": dict(Sensitivity.choices),
    "rule": {k: v for k, v in DataItem.Rule.choices if k},
    "subject_kind": dict(ResourceVersion._meta.get_field("subject_kind").choices),
}


def _label(column: str, value) -> str:
    return str(LABELS.get(column, {}).get(value, value))


def export_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "数据资源"
    items_sheet = book.create_sheet("信息项")
    sheet.append([label for _c, label in RESOURCE_COLUMNS])
    items_sheet.append([label for _c, label in ITEM_COLUMNS])
    resources = Resource.objects.filter(current_version__isnull=False).select_related(
        "department", "current_version__resource_class"
    )
    for resource in resources.order_by("code"):
        version = resource.current_version
        values = {
            "code": resource.code,
            "department": resource.department.uscc,
            "resource_class": version.resource_class.code,
        }
        sheet.append(
            [
                values.get(column) or _label(column, getattr(version, column, ""))
                for column, _label_text in RESOURCE_COLUMNS
            ]
        )
        for item in version.items.all():
            items_sheet.append(
                [
                    resource.code,
                    item.code,
                    item.name,
                    _label("item_type", item.item_type),
                    _label("sensitivity", item.sensitivity),
                    YES if item.personal else NO,
                    YES if item.required else NO,
                    _label("rule", item.rule) if item.rule else "",
                    item.code_table,
                    item.description,
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _reverse(column: str, text: str, where: str, errors: list[str]) -> str:
    text = (text or "").strip()
    choices = LABELS[column]
    for value, label in choices.items():
        if text in (value, str(label)):
            return value
    errors.append(
        f"{where}：“{text}”不是有效的取值（可选：{'、'.join(map(str, choices.values()))}）"
    )
    return ""


def _rows(sheet, columns):
    header = [str(c.value or "").strip() for c in next(sheet.iter_rows(max_row=1))]
    expected = [label for _c, label in columns]
    if header[: len(expected)] != expected:
        return None
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(v in (None, "") for v in row):
            continue
        values = [("" if v is None else str(v).strip()) for v in row[: len(columns)]]
        values += [""] * (len(columns) - len(values))
        yield number, dict(zip([c for c, _l in columns], values, strict=True))


def _parse_items(book, errors) -> dict[str, list[ItemSpec]]:
    specs: dict[str, list[ItemSpec]] = {}
    rows = _rows(book["信息项"], ITEM_COLUMNS)
    if rows is None:
        errors.append("“信息项”工作表的表头与模板不一致，请使用导出的模板")
        return specs
    for number, row in rows:
        where = f"信息项第 {number} 行"
        if not row["resource"] or not row["code"] or not row["name"]:
            errors.append(f"{where}：资源代码、信息项代码和名称必填")
            continue
        for flag in ("personal", "required"):
            if row[flag] not in (YES, NO, ""):
                errors.append(f"{where}：“{row[flag]}”应为 是 或 否")
        specs.setdefault(row["resource"], []).append(
            ItemSpec(
                code=row["code"],
                name=row["name"],
                item_type=_reverse("item_type", row["item_type"], where, errors),
                sensitivity=_reverse("sensitivity", row["sensitivity"] or "一般", where, errors),
                personal=row["personal"] == YES,
                required=row["required"] == YES,
                rule=_reverse("rule", row["rule"], where, errors) if row["rule"] else "",
                code_table=row["code_table"],
                description=row["description"],
            )
        )
    return specs


def _parse_resources(book, errors) -> list[tuple[int, dict]]:
    rows = _rows(book["数据资源"], RESOURCE_COLUMNS)
    if rows is None:
        errors.append("“数据资源”工作表的表头与模板不一致，请使用导出的模板")
        return []
    parsed = []
    departments = dict(Department.objects.values_list("uscc", "pk"))
    classes = {c.code: c for c in ResourceClass.objects.all()}
    for number, row in rows:
        where = f"数据资源第 {number} 行"
        if row["department"] not in departments:
            errors.append(f"{where}：找不到统一社会信用代码为 {row['department']} 的部门")
        if row["resource_class"] not in classes:
            errors.append(f"{where}：资源分类代码 {row['resource_class']} 不存在")
        for column in ("share_condition", "delivery", "subject_kind"):
            row[column] = _reverse(column, row[column], where, errors)
        row["department"] = departments.get(row["department"])
        row["resource_class"] = classes.get(row["resource_class"])
        parsed.append((number, row))
    return parsed


def import_workbook(*, actor, content: bytes) -> ImportReport:
    report = ImportReport()
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a file that is not a workbook
        report.errors.append("文件不是有效的 Excel（.xlsx）工作簿")
        return report
    if {"数据资源", "信息项"} - set(book.sheetnames):
        report.errors.append("工作簿应包含“数据资源”和“信息项”两个工作表")
        return report
    items = _parse_items(book, report.errors)
    resources = _parse_resources(book, report.errors)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for number, row in resources:
                _apply(actor, number, row, items.get(row["code"], []))
                report.created += 1
    except ValidationError as exc:
        report.errors.extend(
            exc.messages
            if not hasattr(exc, "error_dict")
            else [m for msgs in exc.message_dict.values() for m in msgs]
        )
        report.created = 0
    return report


def _apply(actor, number: int, row: dict, items: list[ItemSpec]) -> None:
    code = row.pop("code")
    department_id = row.pop("department")
    elements = {k: v for k, v in row.items() if k in ResourceVersion.ELEMENT_FIELDS}
    try:
        existing = Resource.objects.filter(code=code).first()
        if existing is None:
            elements["provider_options"] = {}  # set by the administrator: may hold a secret
            catalogue.create_resource(
                actor=actor,
                code=code,
                department=Department.objects.get(pk=department_id),
                elements=elements,
                items=items,
            )
            return
        draft = existing.versions.filter(status=ResourceVersion.Status.DRAFT).first()
        draft = draft or catalogue.new_draft(
            actor=actor, resource=existing, change_note="Excel 导入"
        )
        catalogue.update_draft(actor=actor, version=draft, elements=elements, items=items)
    except ValidationError as exc:
        messages = (
            [m for msgs in exc.message_dict.values() for m in msgs]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise ValidationError([f"数据资源第 {number} 行（{code}）：{m}" for m in messages]) from exc
