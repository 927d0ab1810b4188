"""Export of the published catalogue: the item sheet and the three structure sheets."""

import io

from openpyxl import Workbook

from tongban.catalog.excel.sheets import (
    COLUMNS,
    HANDLING_SHEET,
    ITEM_SHEET,
    LIST_SEPARATOR,
    MATERIAL_SHEET,
    QUESTION_SHEET,
    STRUCTURE_COLUMNS,
    UNIT_NAMES,
    safe_cell,
)
from tongban.catalog.models import ItemVersion, ServiceItem

STRUCTURE_PREFETCH = (
    "current_version__halls",
    "current_version__handling_items",
    "current_version__materials__handling_items",
    "current_version__questions__options__materials",
    "current_version__questions__options__handling_item",
)


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def export_rows(queryset):
    """(item row, structure rows by sheet) for each item of `queryset`, in its order."""
    items = queryset.select_related("basic_item", "department", "current_version")
    for item in items.prefetch_related(*STRUCTURE_PREFETCH).iterator(chunk_size=500):
        v = item.current_version
        row = [
            item.basic_item.basic_code,
            v.name,
            v.item_type,
            v.legal_basis,
            v.exercise_content,
            v.service_object,
            item.department.uscc,
            v.implementer_nature,
            item.exercise_level,
            item.implementation_code,
            v.legal_limit,
            UNIT_NAMES[v.legal_limit_unit],
            v.promised_limit,
            UNIT_NAMES[v.promised_limit_unit],
            v.handling_type,
            v.handling_forms,
            _yes_no(v.is_online),
            v.online_url,
            v.max_visits,
            v.required_realname_level,
            _yes_no(v.charges_fee),
            v.fee_basis,
            v.acceptance_conditions,
            v.process,
            v.result_name,
            v.consult_phone,
            v.supervision_phone,
            v.office_hours,
            v.keywords,
            LIST_SEPARATOR.join(h.name for h in v.halls.all()),
            v.place_note,
        ]
        yield row, _structure_rows(item.implementation_code, v)


def _structure_rows(code: str, v: ItemVersion) -> dict[str, list[list]]:
    handling = [[code, h.serial, h.name, h.description] for h in v.handling_items.all()]
    materials = [
        [
            code,
            m.name,
            m.issuer,
            m.issue_time_requirement,
            m.original_count,
            m.copy_count,
            _yes_no(m.required),
            m.notes,
            _yes_no(m.allows_deficiency),
            _yes_no(m.commitment_replaceable),
            m.replaceable_by_licence_type,
            LIST_SEPARATOR.join(h.serial for h in m.handling_items.all()),
            m.document_kind,
        ]
        for m in v.materials.all()
    ]
    questions = [
        [
            code,
            q.text,
            o.text,
            o.handling_item.serial if o.handling_item else "",
            LIST_SEPARATOR.join(m.name for m in o.materials.all()),
        ]
        for q in v.questions.all()
        for o in q.options.all()
    ]
    return {HANDLING_SHEET: handling, MATERIAL_SHEET: materials, QUESTION_SHEET: questions}


def export_workbook(queryset=None) -> bytes:
    if queryset is None:
        queryset = ServiceItem.objects.filter(current_version__isnull=False)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ITEM_SHEET)
    sheet.append([header for _key, header in COLUMNS])
    # Write-only sheets each stream to their own file, so rows can go to all four in one pass.
    structure = {name: workbook.create_sheet(name) for name in STRUCTURE_COLUMNS}
    for name, columns in STRUCTURE_COLUMNS.items():
        structure[name].append([header for _key, header in columns])
    for row, children in export_rows(queryset.order_by("implementation_code")):
        sheet.append([safe_cell(value) for value in row])
        for name, rows in children.items():
            for child in rows:
                structure[name].append([safe_cell(value) for value in child])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
