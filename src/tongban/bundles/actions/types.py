"""Bundle types (一件事) as catalogue administrators keep them: drafts, publication, withdrawal.

Versions move by `states.VERSION` (core.statemachine, history and audit); a published version is never edited (a change is
a new draft, copied from it), so an application keeps the bundle it was made under.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.bundles import merge
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import (
    Bundle,
    BundleMember,
    BundleOption,
    BundleQuestion,
    BundleVersion,
)
from tongban.bundles.states import STAFF, SYSTEM, VERSION, VersionStatus
from tongban.catalog import codes
from tongban.core import audit
from tongban.core.statemachine import transition


@dataclass
class MemberSpec:
    implementation_code: str
    required: bool = True
    prerequisite: str = ""  # 实施编码 of another member
    situation_answers: dict = field(default_factory=dict)


@dataclass
class QuestionSpec:
    text: str
    options: list[tuple[str, list[str]]]  # (option text, 实施编码 of the members it adds)


def check_editor(actor, version: BundleVersion | None = None, department=None) -> None:
    """Catalogue administrators of the lead department (platform administrators everywhere)."""
    if actor is None:
        return  # the system: demo loader, commands
    department_id = version.lead_department_id if version else getattr(department, "pk", None)
    if actor.has_role(Role.PLATFORM_ADMIN):
        return
    if not (actor.has_role(Role.CATALOGUE_ADMIN) and serves_department(actor, department_id)):
        raise PermissionDenied("只有牵头部门的事项管理员可以编辑该一件事")


def _check_structure(members: list[MemberSpec], questions: list[QuestionSpec]) -> list[str]:
    errors = []
    seen = set()
    if not members or len(members) < 2:
        errors.append("一件事至少需要两个成员事项")
    for spec in members:
        code = spec.implementation_code.strip()
        problem = codes.implementation_code_problem(code)
        if problem:
            errors.append(f"实施编码 {code or '（空）'}：{problem}")
        if code in seen:
            errors.append(f"实施编码 {code} 重复")
        seen.add(code)
    for spec in members:
        if spec.prerequisite and spec.prerequisite not in seen:
            errors.append(f"前置事项 {spec.prerequisite} 不是本一件事的成员")
        if spec.prerequisite == spec.implementation_code:
            errors.append("事项不能以自身为前置事项")
    if _has_cycle(members):
        errors.append("成员事项的先后顺序存在循环")
    situational = {s.implementation_code for s in members if not s.required}
    chosen_by_options = {code for q in questions for _text, adds in q.options for code in adds}
    for code in sorted(chosen_by_options - seen):
        errors.append(f"情形选项引用的 {code} 不是本一件事的成员")
    for code in sorted(situational - chosen_by_options):
        errors.append(f"按情形办理的事项 {code} 没有任何情形选项选择它")
    for question in questions:
        if not question.text.strip() or len(question.options) < 2:
            errors.append("每个情形问题需要问题文字和至少两个选项")
    return errors


def _has_cycle(members: list[MemberSpec]) -> bool:
    before = {s.implementation_code: s.prerequisite for s in members}
    for start in before:
        seen, code = set(), start
        while code:
            if code in seen:
                return True
            seen.add(code)
            code = before.get(code, "")
    return False


@transaction.atomic
def create_bundle(*, actor, code: str, name: str, theme: str, lead_department, description=""):
    check_editor(actor, department=lead_department)
    if Bundle.objects.filter(code=code).exists():
        raise ValidationError({"code": ["该标识已被使用"]})
    if theme not in BundleVersion.Theme.values:
        raise ValidationError({"theme": ["请选择个人或企业一件事"]})
    if not (name or "").strip():
        raise ValidationError({"name": ["请填写一件事名称"]})
    bundle = Bundle.objects.create(code=code)
    version = BundleVersion.objects.create(
        bundle=bundle,
        version=1,
        name=name.strip(),
        theme=theme,
        description=description,
        lead_department=lead_department,
        created_by=actor,
    )
    audit.record(AuditAction.CREATE, actor=actor, obj=version, detail={"code": code})
    return version


def _draft(version: BundleVersion) -> BundleVersion:
    version = BundleVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError("已发布的版本不能修改，请先新建草稿版本")
    return version


@transaction.atomic
def update_draft(*, actor, version: BundleVersion, name: str, description: str, theme: str):
    version = _draft(version)
    check_editor(actor, version)
    if not (name or "").strip():
        raise ValidationError({"name": ["请填写一件事名称"]})
    if theme not in BundleVersion.Theme.values:
        raise ValidationError({"theme": ["请选择个人或企业一件事"]})
    version.name, version.description, version.theme = name.strip(), description.strip(), theme
    version.save(update_fields=["name", "description", "theme"])
    audit.record(AuditAction.UPDATE_DRAFT, actor=actor, obj=version)
    return version


@transaction.atomic
def set_structure(
    *, actor, version: BundleVersion, members: list[MemberSpec], questions: list[QuestionSpec]
) -> BundleVersion:
    """Replace the draft's members and situation questions. Refused whole, with every problem."""
    version = _draft(version)
    check_editor(actor, version)
    for spec in members:
        spec.implementation_code = spec.implementation_code.strip()
        spec.prerequisite = (spec.prerequisite or "").strip()
    errors = _check_structure(members, questions)
    if errors:
        raise ValidationError({"members": errors})
    version.questions.all().delete()
    version.members.all().delete()
    made = {}
    for position, spec in enumerate(members):
        made[spec.implementation_code] = BundleMember.objects.create(
            version=version,
            implementation_code=spec.implementation_code,
            position=position,
            required=spec.required,
            situation_answers=spec.situation_answers or {},
        )
    for spec in members:
        if spec.prerequisite:
            made[spec.implementation_code].prerequisite = made[spec.prerequisite]
            made[spec.implementation_code].save(update_fields=["prerequisite"])
    for q_position, spec in enumerate(questions):
        question = BundleQuestion.objects.create(
            version=version, position=q_position, text=spec.text.strip()
        )
        for o_position, (text, adds) in enumerate(spec.options):
            option = BundleOption.objects.create(
                question=question, position=o_position, text=text.strip()
            )
            option.members.set([made[code] for code in adds])
    audit.record(
        AuditAction.SET_STRUCTURE,
        actor=actor,
        obj=version,
        detail={"members": [s.implementation_code for s in members]},
    )
    return version


def structure_of(version: BundleVersion) -> tuple[list[MemberSpec], list[QuestionSpec]]:
    members = list(version.members.select_related("prerequisite"))
    return (
        [
            MemberSpec(
                implementation_code=m.implementation_code,
                required=m.required,
                prerequisite=m.prerequisite.implementation_code if m.prerequisite else "",
                situation_answers=m.situation_answers,
            )
            for m in members
        ],
        [
            QuestionSpec(
                text=q.text,
                options=[
                    (o.text, [m.implementation_code for m in o.members.all()])
                    for o in q.options.all()
                ],
            )
            for q in version.questions.prefetch_related("options__members")
        ],
    )


def problems(version: BundleVersion) -> list[str]:
    """Why the bundle cannot be applied for now (a member withdrawn from the catalogue, a member's
    situation no longer answerable, forms that no longer merge …): empty when it can."""
    members = list(version.members.all())
    plans, found = merge.plan_members(members, theme_object=version.service_object)
    if found:
        return found
    merge.attach_forms(plans)
    try:
        merge.merged_form(plans)
    except merge.MergeProblem as exc:
        return exc.messages
    return []


def _move(version: BundleVersion, target: str, kind: str, *, actor=None, reason="", **save):
    """Move a version along `states.VERSION`: saved, its history row and audit record written."""
    transition(
        version,
        target,
        actor=actor,
        actor_kind=kind,
        reason=reason,
        machine=VERSION,
        message="一件事版本当前状态为“%(before)s”，不能变为“%(after)s”",
        **save,
    )


@transaction.atomic
def publish(*, actor, version: BundleVersion) -> BundleVersion:
    if actor is None:
        raise PermissionDenied("发布一件事需要登录的事项管理员")
    version = BundleVersion.objects.select_for_update().get(pk=version.pk)
    check_editor(actor, version)
    members, questions = structure_of(version)
    errors = _check_structure(members, questions) + problems(version)
    if errors:
        raise ValidationError({"members": errors})
    plans, _ = merge.plan_members(list(version.members.all()), theme_object=version.service_object)
    version.promised_days, version.sum_of_limits = merge.promised_days(plans)
    bundle = Bundle.objects.select_for_update().get(pk=version.bundle_id)
    previous = bundle.versions.filter(status=VersionStatus.PUBLISHED).first()
    if previous is not None:
        _move(previous, VersionStatus.SUPERSEDED, SYSTEM, reason=f"被第{version.version}版替代")
    version.published_at, version.published_by = timezone.now(), actor
    _move(version, VersionStatus.PUBLISHED, STAFF, actor=actor, update_fields=None)
    bundle.current_version = version
    bundle.save(update_fields=["current_version"])
    audit.record(
        AuditAction.PUBLISH,
        actor=actor,
        obj=version,
        detail={"version": version.version, "promised_days": version.promised_days},
    )
    return version


@transaction.atomic
def withdraw(*, actor, version: BundleVersion, reason: str) -> BundleVersion:
    version = BundleVersion.objects.select_for_update().get(pk=version.pk)
    check_editor(actor, version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写停用原因"]})
    version.withdrawn_reason = reason[:200]
    _move(
        version,
        VersionStatus.WITHDRAWN,
        STAFF,
        actor=actor,
        reason=reason,
        update_fields=["withdrawn_reason"],
    )
    Bundle.objects.filter(pk=version.bundle_id, current_version=version).update(
        current_version=None
    )
    audit.record(AuditAction.WITHDRAW, actor=actor, obj=version, detail={"reason": reason[:200]})
    return version


@transaction.atomic
def new_draft(*, actor, bundle: Bundle, change_note: str = "") -> BundleVersion:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    source = bundle.versions.order_by("-version").first()
    check_editor(actor, source)
    if bundle.versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError("已有一个草稿版本，请直接编辑")
    draft = BundleVersion.objects.create(
        bundle=bundle,
        version=source.version + 1,
        name=source.name,
        theme=source.theme,
        description=source.description,
        lead_department=source.lead_department,
        change_note=change_note[:200],
        created_by=actor,
    )
    members, questions = structure_of(source)
    set_structure(actor=actor, version=draft, members=members, questions=questions)
    audit.record(AuditAction.NEW_DRAFT, actor=actor, obj=draft, detail={"from": source.version})
    return draft
