"""One guide and one form for a bundle (一次告知、一表申请), built from the members' own catalogue
versions and form definitions, which stay the source of truth.

- The guide: the bundle's situation questions choose the members (required ones always; a chosen
  member's prerequisite comes with it), each member's own situation is fixed by the bundle
  (`BundleMember.situation_answers`), and the materials of all chosen members are merged by name and
  licence type: a material several members need is asked once. A material the prerequisite member
  issues as an electronic licence (its 结果名称 is the material's licence type) is not asked at all:
  the dependent member uses the licence through 免证可办 when it starts.
- The form: the union of the members' published forms. A field several members ask for (same
  name: applicant, ID number, address, enterprise name …) is asked once and copied into each
  member's form; the same name with a different meaning (type, options, format, prefill key) is a
  conflict, and the bundle cannot be published or applied for until it is resolved.
"""

import json
from dataclasses import dataclass, field

from django.utils import timezone

from tongban.applications import actions as intake
from tongban.catalog import actions as catalog
from tongban.catalog.codes import LimitUnit
from tongban.catalog.models import ItemVersion, Material, ServiceItem

# What makes two fields of the same name the same data: anything else (title, help) may differ.
MEANING_KEYS = ("type", "enum", "format", "x-format", "x-prefill")
COMMON_SECTIONS = ("申请人信息", "结果领取")


class MergeProblem(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("；".join(messages))
        self.messages = messages


@dataclass
class MemberPlan:
    member: object  # BundleMember
    item: ServiceItem
    version: ItemVersion
    answers: dict[int, int]
    materials: list[Material]
    handling_item: object = None
    form: object = None  # applications.ApplicationForm

    @property
    def name(self) -> str:
        return self.version.name

    @property
    def promised_days(self) -> int:
        return limit_working_days(self.version)


@dataclass
class MergedMaterial:
    name: str
    issuer: str
    required: bool
    original_count: int
    copy_count: int
    licence_type: str
    notes: str
    members: list[str] = field(default_factory=list)
    by_member: dict[int, Material] = field(default_factory=dict)  # BundleMember id → material
    # Members whose prerequisite issues the licence that stands for this material (免证可办 when
    # they start); when that is every member needing it, nobody is asked for it.
    provided_for: dict[int, str] = field(default_factory=dict)
    provided_by: str = ""

    @property
    def key(self) -> str:
        """A stable handle in forms (upload field names) that is no internal id."""
        return f"m{min(m.pk for m in self.by_member.values())}"

    @property
    def asked(self) -> bool:
        return not self.provided_by


def limit_working_days(version: ItemVersion) -> int:
    """A member's promised limit in working days (natural days at 5 of 7; none → the legal one;
    即办 → 0), as case handling records limits for statistics."""
    amount, unit = version.promised_limit, version.promised_limit_unit
    if amount is None:
        amount, unit = version.legal_limit, version.legal_limit_unit
    if amount is None:
        return 0
    return amount if unit != LimitUnit.NATURAL_DAYS else round(amount * 5 / 7)


def _open_version(item: ServiceItem | None, code: str) -> tuple[ItemVersion | None, str]:
    if item is None:
        return None, f"实施编码 {code} 在事项目录中不存在"
    version = item.current_version
    today = timezone.localdate()
    if version is None or version.status != ItemVersion.Status.PUBLISHED:
        return None, f"成员事项“{item}”（{code}）已撤回或停止办理"
    if (version.valid_from and version.valid_from > today) or (
        version.valid_to and version.valid_to < today
    ):
        return None, f"成员事项“{version.name}”（{code}）当前不在办理有效期内"
    if not version.is_online:
        return None, f"成员事项“{version.name}”（{code}）不支持网上办理"
    return version, ""


def _member_answers(member, version: ItemVersion) -> tuple[dict[int, int], list[str]]:
    """The member's fixed situation ({question text: option text}) as ids of its current version."""
    structure = catalog.version_structure(version)
    answers, problems = {}, []
    wanted = member.situation_answers or {}
    for question in structure.questions.all():
        text = wanted.get(question.text)
        option = next((o for o in question.options.all() if o.text == text), None)
        if option is None:
            problems.append(
                f"成员事项“{version.name}”的情形问题“{question.text}”未在一件事中确定回答"
                if text is None
                else f"成员事项“{version.name}”的问题“{question.text}”没有选项“{text}”"
            )
            continue
        answers[question.pk] = option.pk
    return answers, problems


def plan_members(members, *, theme_object: str) -> tuple[list[MemberPlan], list[str]]:
    """Each member's current item version, fixed situation and materials; and every problem that
    keeps the bundle from being applied for, in words for the catalogue administrators."""
    codes = [m.implementation_code for m in members]
    items = {
        i.implementation_code: i
        for i in ServiceItem.objects.filter(implementation_code__in=codes).select_related(
            "current_version", "department"
        )
    }
    plans, problems = [], []
    for member in members:
        version, problem = _open_version(
            items.get(member.implementation_code), member.implementation_code
        )
        if problem:
            problems.append(problem)
            continue
        if theme_object not in set(filter(None, version.service_object.split(","))):
            problems.append(f"成员事项“{version.name}”的服务对象与一件事的主题不一致")
        answers, answer_problems = _member_answers(member, version)
        problems += answer_problems
        guidance = catalog.resolve_situation(catalog.version_structure(version), answers)
        plans.append(
            MemberPlan(
                member=member,
                item=items[member.implementation_code],
                version=version,
                answers=answers,
                materials=guidance.materials,
                handling_item=guidance.handling_item,
            )
        )
    return plans, problems


def promised_days(plans: list[MemberPlan]) -> tuple[int, int]:
    """(the bundle's promised working days, the sum of the members' limits). Members without a
    prerequisite run side by side; a dependent starts when its prerequisite ends, so the bundle
    takes as long as its longest chain."""
    by_member = {p.member.pk: p for p in plans}

    def chain(plan: MemberPlan, seen=()) -> int:
        before = by_member.get(plan.member.prerequisite_id)
        if before is None or before.member.pk in seen:
            return plan.promised_days
        return plan.promised_days + chain(before, (*seen, plan.member.pk))

    return max((chain(p) for p in plans), default=0), sum(p.promised_days for p in plans)


def merged_materials(plans: list[MemberPlan]) -> list[MergedMaterial]:
    by_member = {p.member.pk: p for p in plans}
    merged: dict[tuple[str, str], MergedMaterial] = {}
    for plan in plans:
        before = by_member.get(plan.member.prerequisite_id)
        for material in plan.materials:
            key = ("".join(material.name.split()), material.replaceable_by_licence_type)
            row = merged.get(key)
            if row is None:
                row = merged[key] = MergedMaterial(
                    name=material.name,
                    issuer=material.issuer,
                    required=material.required,
                    original_count=material.original_count,
                    copy_count=material.copy_count,
                    licence_type=material.replaceable_by_licence_type,
                    notes=material.notes,
                )
            row.required = row.required or material.required
            row.original_count = max(row.original_count, material.original_count)
            row.copy_count = max(row.copy_count, material.copy_count)
            row.members.append(plan.name)
            row.by_member[plan.member.pk] = material
            if (
                before is not None
                and material.replaceable_by_licence_type
                and material.replaceable_by_licence_type == before.version.result_name
            ):
                row.provided_for[plan.member.pk] = before.name
    for row in merged.values():
        if set(row.provided_for) == set(row.by_member):
            row.provided_by = "、".join(sorted(set(row.provided_for.values())))
    return list(merged.values())


def attach_forms(plans: list[MemberPlan]) -> None:
    for plan in plans:
        plan.form = intake.published_form(plan.item)


def _meaning(prop: dict) -> str:
    return json.dumps({k: prop.get(k) for k in MEANING_KEYS}, sort_keys=True, ensure_ascii=False)


def merged_form(plans: list[MemberPlan]) -> tuple[dict, dict, dict[str, list[str]]]:
    """(schema, layout, field → names of the members that ask for it). Raises MergeProblem."""
    properties: dict[str, dict] = {}
    required: list[str] = []
    owners: dict[str, list[str]] = {}
    sections: dict[str, list[str]] = {title: [] for title in COMMON_SECTIONS[:1]}
    helps: dict[str, str] = {}
    widgets, conditions = {}, {}
    problems = []
    for plan in plans:
        schema, layout = plan.form.schema, plan.form.layout
        for name, prop in schema.get("properties", {}).items():
            if name in properties and _meaning(properties[name]) != _meaning(prop):
                problems.append(
                    f"字段“{prop.get('title', name)}”（{name}）在“{owners[name][0]}”和"
                    f"“{plan.name}”中的含义不同（类型、选项或格式），不能合并为一项"
                )
                continue
            properties.setdefault(name, prop)
            owners.setdefault(name, []).append(plan.name)
        required += [n for n in schema.get("required", []) if n not in required]
        for section in layout.get("sections", []):
            title = section["title"]
            if title not in COMMON_SECTIONS:
                title = f"{plan.name}：{title}"
            placed = sections.setdefault(title, [])
            helps.setdefault(title, section.get("help", ""))
            for name in section["fields"]:
                if not any(name in fields for fields in sections.values()):
                    placed.append(name)
        widgets.update({k: v for k, v in (layout.get("widgets") or {}).items() if k not in widgets})
        for name, condition in (layout.get("conditions") or {}).items():
            if name in conditions and conditions[name] != condition:
                problems.append(f"字段“{name}”在各成员事项中的显示条件不同，不能合并为一项")
            conditions.setdefault(name, condition)
    if problems:
        raise MergeProblem(problems)
    # 结果领取 last, once for every member.
    delivery = sections.pop(COMMON_SECTIONS[1], None)
    if delivery is not None:
        sections[COMMON_SECTIONS[1]] = delivery
    layout = {
        "sections": [
            {"title": title, "fields": fields, "help": helps.get(title, "")}
            for title, fields in sections.items()
            if fields
        ],
        "widgets": widgets,
        "conditions": conditions,
    }
    schema = {"type": "object", "properties": properties, "required": required}
    return schema, layout, owners


def member_values(plan: MemberPlan, data: dict) -> dict:
    """The part of the one form's values that this member's own form asks for."""
    names = plan.form.schema.get("properties", {})
    return {name: value for name, value in data.items() if name in names}
