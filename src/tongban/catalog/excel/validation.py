"""Checking the item rows against the database and each other; writes nothing."""

from dataclasses import dataclass, field

from tongban.accounts.permissions import can_act_for_department
from tongban.catalog import actions, codes, conf
from tongban.catalog.excel.sheets import (
    BOOLEAN,
    COLUMNS,
    HEADERS_BY_KEY,
    INTEGER,
    LATER_COLUMNS,
    NATURES,
    REQUIRED,
    UNITS,
    RowResult,
    _split_list,
    _text,
)
from tongban.catalog.excel.structure import attach_structure
from tongban.catalog.models import BasicItem, ItemVersion, ServiceItem
from tongban.core.models import Department, ServiceHall


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
    nature = raw["implementer_nature"]
    if nature and nature not in NATURES:
        errors.append(f"{HEADERS_BY_KEY['implementer_nature']}应为1、2、3或9")
    # Places and the real-name level are taken only from a sheet that has their columns: an older
    # sheet keeps the item's own (an empty level cell means "not required").
    later = {
        "halls": _split_list(raw["halls"]),
        "place_note": raw["place_note"],
        "required_realname_level": ints["required_realname_level"] or 0,
    }
    placed = {key: later[key] for key in LATER_COLUMNS if key in row.data}
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
        "implementer_nature": int(nature) if nature in NATURES else None,
        **placed,
        **units,
        **bools,
    }
    return identity, elements


@dataclass
class Plan:
    rows: list[RowResult]
    good: list[tuple[RowResult, dict, dict]]  # row, identity (resolved), elements
    # Structure-sheet rows that name no item of the item sheet.
    orphans: list[RowResult] = field(default_factory=list)

    @property
    def bad(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]


def validate_rows(rows: list[RowResult], actor, structure: dict | None = None) -> Plan:
    """Check every row against the database and against the other rows; writes nothing."""
    halls = _halls_named({n for r in rows for n in _split_list(_text(r.data.get("halls")))})
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
        if elements["implementer_nature"] is None:  # not given: the department's own
            elements["implementer_nature"] = department.nature if department else 1
        if "halls" in elements:
            elements["halls"] = _resolve_halls(elements["halls"], halls, row.errors)
        level = identity["exercise_level"] or (department.level if department else None)
        if level is not None and not 1 <= level <= 7:
            row.errors.append("行使层级代码应为1至7")
        if department is not None and not problem and level and 1 <= level <= 7:
            code = codes.implementation_code(department.uscc, level, identity["basic_code"])
            row.code = code
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
    plan = Plan(rows, good)
    if structure:
        attach_structure(plan, structure)
    return plan


def _halls_named(names: set[str]) -> dict[str, list[ServiceHall]]:
    found: dict[str, list[ServiceHall]] = {}
    for hall in ServiceHall.objects.filter(name__in=names):
        found.setdefault(hall.name, []).append(hall)
    return found


def _resolve_halls(names: list[str], halls: dict, errors: list[str]) -> list[ServiceHall]:
    resolved = []
    for name in names:
        matches = halls.get(name, [])
        if not matches:
            errors.append(f"办理地点“{name}”不是本平台已登记的服务大厅")
        elif len(matches) > 1:
            errors.append(f"办理地点“{name}”有{len(matches)}个同名大厅，请先在平台上改名区分")
        else:
            resolved.append(matches[0])
    return resolved
