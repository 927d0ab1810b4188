"""The structure sheets (业务办理项, 申请材料, 情形引导): each item's rows, checked as one structure."""

import re

from tongban.catalog import actions
from tongban.catalog.excel.sheets import (
    HANDLING_SHEET,
    ITEM_SHEET,
    MATERIAL_SHEET,
    QUESTION_SHEET,
    STRUCTURE_COLUMNS,
    RowResult,
    _split_list,
    _text,
)
from tongban.ocr import kinds as ocr_kinds


def attach_structure(plan, structure: dict[str, list[RowResult]]) -> None:
    """Give each good item the 业务办理项, materials and questions its structure rows describe;
    an item whose structure is wrong becomes a bad row, naming the sheet and row of each problem."""
    known = {row.code for row in plan.rows if row.code}
    known |= {_text(row.data.get("implementation_code")).upper() for row in plan.rows}
    grouped: dict[str, dict[str, list[RowResult]]] = {}
    for sheet, rows in structure.items():
        for row in rows:
            code = _text(row.data.get("code")).upper()
            if code and code in known:
                grouped.setdefault(code, {}).setdefault(sheet, []).append(row)
            else:
                row.errors.append(f"实施编码“{code}”不在“{ITEM_SHEET}”表中")
                plan.orphans.append(row)
    for row, identity, _elements in plan.good:
        children = grouped.get(row.code)
        identity["structure"] = None if children is None else _structure_of(children, row.errors)
    plan.good = [entry for entry in plan.good if not entry[0].errors]


def _where(row: RowResult) -> str:
    return f"“{row.sheet}”表第{row.number}行："


def _cells(row: RowResult) -> dict[str, str]:
    return {key: _text(row.data.get(key)) for key, _h in STRUCTURE_COLUMNS[row.sheet]}


def _serial(text: str) -> str:
    return text.zfill(2) if text.isdigit() else text


def _count(row: RowResult, cells: dict, key: str, default: int, errors: list[str]) -> int:
    if cells[key] == "":
        return default
    if cells[key].isdigit():
        return int(cells[key])
    header = dict(STRUCTURE_COLUMNS[row.sheet])[key]
    errors.append(f"{_where(row)}{header}应为不小于0的整数")
    return default


def _flag(row: RowResult, cells: dict, key: str, default: bool, errors: list[str]) -> bool:
    if cells[key] == "":
        return default
    if cells[key] not in ("是", "否"):
        header = dict(STRUCTURE_COLUMNS[row.sheet])[key]
        errors.append(f"{_where(row)}{header}应填写“是”或“否”")
    return cells[key] == "是"


def _structure_of(children: dict[str, list[RowResult]], errors: list[str]) -> tuple:
    handling = []
    for row in children.get(HANDLING_SHEET, []):
        cells = _cells(row)
        if not cells["name"]:
            errors.append(f"{_where(row)}业务办理项名称不能为空")
        handling.append((_serial(cells["serial"]), cells["name"], cells["description"]))
    materials = []
    for row in children.get(MATERIAL_SHEET, []):
        cells = _cells(row)
        kind = cells["document_kind"]
        if kind and ocr_kinds.get(kind) is None:
            errors.append(f"{_where(row)}识别证件类型“{kind}”不是平台支持的证件类型")
        materials.append(
            actions.MaterialSpec(
                name=cells["name"],
                issuer=cells["issuer"],
                issue_time_requirement=cells["issue_time_requirement"],
                original_count=_count(row, cells, "original_count", 1, errors),
                copy_count=_count(row, cells, "copy_count", 0, errors),
                required=_flag(row, cells, "required", True, errors),
                notes=cells["notes"],
                allows_deficiency=_flag(row, cells, "allows_deficiency", False, errors),
                commitment_replaceable=_flag(row, cells, "commitment_replaceable", False, errors),
                replaceable_by_licence_type=cells["replaceable_by_licence_type"],
                handling_serials=tuple(
                    _serial(s) for s in re.findall(r"\d+", cells["handling_serials"])
                ),
                # An older sheet without the column: the kind follows the licence type.
                document_kind=kind if "document_kind" in row.data else None,
            )
        )
    questions: dict[str, dict] = {}
    for row in children.get(QUESTION_SHEET, []):
        cells = _cells(row)
        if not cells["question"] or not cells["option"]:
            errors.append(f"{_where(row)}问题和选项都不能为空")
            continue
        question = questions.setdefault(
            cells["question"], {"text": cells["question"], "options": []}
        )
        question["options"].append(
            {
                "text": cells["option"],
                "handling_serial": _serial(cells["handling_serial"]),
                "materials": _split_list(cells["materials"]),
            }
        )
    listed = list(questions.values())
    for field_name, messages in actions.structure_problems(handling, materials, listed).items():
        sheet = {
            "handling_items": HANDLING_SHEET,
            "materials": MATERIAL_SHEET,
            "questions": QUESTION_SHEET,
        }.get(field_name, ITEM_SHEET)
        errors.extend(f"“{sheet}”表：{message}" for message in messages)
    return handling, materials, listed
