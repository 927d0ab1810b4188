"""The rules service layer: rule sets, versions and their tests, and recorded decisions.

A draft that does not validate cannot be saved; a version whose tests do not all pass cannot be
published; publishing a version ends the one it replaces on the day the new one takes effect.
Every change is one transaction with a history row and an audit record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit, statemachine
from tongban.rules import grammar, interpreter, policy
from tongban.rules.audit_actions import AuditAction
from tongban.rules.interpreter import CompiledRuleSet, Fact, Outcome
from tongban.rules.models import (
    DataElement,
    RuleDecision,
    RuleSet,
    RuleSetVersion,
    RuleSetVersionEvent,
    RuleTestCase,
)
from tongban.rules.states import REFUSED, VERSION

S = RuleSetVersion.Status


require_author = policy.require_author


def elements() -> dict[str, grammar.Element]:
    return {row.name: row.as_element() for row in DataElement.objects.all()}


# --- data elements --------------------------------------------------------------------------------


@transaction.atomic
def declare_element(
    *,
    actor,
    name: str,
    label: str,
    type: str,
    source: str,
    codes=(),
    item_type=grammar.STRING,
    resource_code: str = "",
    description: str = "",
) -> DataElement:
    if not grammar.ELEMENT_NAME.match(name or ""):
        raise ValidationError(
            {"name": ["数据项名称应为小写字母、数字和下划线，用点分段，如 form.birth_date"]}
        )
    if type not in grammar.TYPES:
        raise ValidationError({"type": ["未知的数据类型"]})
    element, _ = DataElement.objects.update_or_create(
        name=name,
        defaults={
            "label": label,
            "type": type,
            "source": source,
            "codes": list(codes),
            "item_type": item_type,
            "resource_code": resource_code,
            "description": description,
        },
    )
    audit.record(AuditAction.ELEMENT_DECLARE, actor=actor, obj=element, detail={"name": name})
    return element


# --- rule sets and drafts -------------------------------------------------------------------------


def _check_definition(definition) -> None:
    problems = grammar.validate(definition, elements())
    if problems:
        raise ValidationError({"definition": problems})


@transaction.atomic
def create_rule_set(
    *, actor, code: str, name: str, department, definition: dict, description: str = ""
) -> RuleSetVersion:
    require_author(actor, department)
    if RuleSet.objects.filter(code=code).exists():
        raise ValidationError({"code": ["规则集编码已存在"]})
    _check_definition(definition)
    rule_set = RuleSet.objects.create(
        code=code, name=name, department=department, description=description
    )
    version = RuleSetVersion.objects.create(
        rule_set=rule_set, number=1, definition=definition, created_by=actor
    )
    RuleSetVersionEvent.objects.create(version=version, to_status=S.DRAFT, actor=actor)
    audit.record(AuditAction.RULESET_CREATE, actor=actor, obj=rule_set, detail={"code": code})
    return version


@transaction.atomic
def update_draft(*, actor, version: RuleSetVersion, definition: dict, change_note: str = ""):
    version = RuleSetVersion.objects.select_for_update().get(pk=version.pk)
    require_author(actor, version.rule_set.department)
    if version.status != S.DRAFT:
        raise ValidationError("只能修改草稿版本")
    _check_definition(definition)
    version.definition = definition
    version.change_note = change_note[:500]
    version.save(update_fields=["definition", "change_note"])
    audit.record(AuditAction.VERSION_UPDATE, actor=actor, obj=version)
    return version


@transaction.atomic
def new_draft(*, actor, rule_set: RuleSet, change_note: str = "") -> RuleSetVersion:
    """A draft copied from the newest version, with its test cases."""
    require_author(actor, rule_set.department)
    if rule_set.versions.filter(status=S.DRAFT).exists():
        raise ValidationError("该规则集已有草稿，请先完成或发布")
    latest = rule_set.versions.order_by("-number").first()
    draft = RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=latest.number + 1,
        definition=latest.definition,
        change_note=change_note[:500],
        created_by=actor,
    )
    RuleTestCase.objects.bulk_create(
        RuleTestCase(
            version=draft,
            name=case.name,
            facts=case.facts,
            as_of=case.as_of,
            expected=case.expected,
            expected_clause=case.expected_clause,
        )
        for case in latest.tests.all()
    )
    RuleSetVersionEvent.objects.create(version=draft, to_status=S.DRAFT, actor=actor)
    audit.record(AuditAction.VERSION_DRAFT, actor=actor, obj=draft, detail={"from": latest.number})
    return draft


# --- test cases -----------------------------------------------------------------------------------


@transaction.atomic
def add_test_case(
    *,
    actor,
    version: RuleSetVersion,
    name: str,
    facts: dict,
    as_of,
    expected: str,
    expected_clause: str = "",
) -> RuleTestCase:
    require_author(actor, version.rule_set.department)
    if version.status != S.DRAFT:
        raise ValidationError("只能为草稿版本添加测试用例")
    errors = {}
    if not (name or "").strip():
        errors["name"] = ["请填写用例名称"]
    known = elements()
    unknown = sorted(set(facts) - set(known))
    if unknown:
        errors["facts"] = [f"未知的数据项：{'、'.join(unknown)}"]
    if expected not in RuleTestCase.Expected.values:
        errors["expected"] = ["请选择预期结果"]
    clause_ids = {c["clause"] for c in grammar.clauses(version.definition["root"])}
    if expected_clause and expected_clause not in clause_ids:
        errors["expected_clause"] = [f"规则中没有条款“{expected_clause}”"]
    if errors:
        raise ValidationError(errors)
    case = RuleTestCase.objects.create(
        version=version,
        name=name.strip(),
        facts=facts,
        as_of=as_of,
        expected=expected,
        expected_clause=expected_clause,
    )
    audit.record(AuditAction.TEST_ADD, actor=actor, obj=version, detail={"test": case.name})
    return case


@transaction.atomic
def remove_test_case(*, actor, case: RuleTestCase) -> None:
    require_author(actor, case.version.rule_set.department)
    if case.version.status != S.DRAFT:
        raise ValidationError("只能修改草稿版本的测试用例")
    audit.record(AuditAction.TEST_REMOVE, actor=actor, obj=case.version, detail={"test": case.name})
    case.delete()


@dataclass
class TestResult:
    case: RuleTestCase
    outcome: Outcome

    @property
    def passed(self) -> bool:
        if self.outcome.outcome != self.case.expected:
            return False
        return not self.case.expected_clause or (
            self.outcome.blocking_clause == self.case.expected_clause
        )


def run_tests(version: RuleSetVersion) -> list[TestResult]:
    """A version's test cases against what it holds now (a draft is compiled afresh each time)."""
    known = elements()
    rule_set = CompiledRuleSet(version.definition, known)
    return [
        TestResult(
            case,
            rule_set.run(
                {name: Fact(value, {"kind": "test"}) for name, value in case.facts.items()},
                case.as_of,
            ),
        )
        for case in version.tests.all()
    ]


def compiled_version(version: RuleSetVersion, known=None) -> CompiledRuleSet:
    """A published version's compiled form, kept per process; a draft's, compiled now."""
    known = elements() if known is None else known
    if version.status == S.PUBLISHED and version.published_at is not None:
        return interpreter.published(version.pk, version.published_at, version.definition, known)
    return CompiledRuleSet(version.definition, known)


# --- publishing -----------------------------------------------------------------------------------


@transaction.atomic
def publish(*, actor, version: RuleSetVersion, valid_from: datetime.date | None = None):
    version = RuleSetVersion.objects.select_for_update().get(pk=version.pk)
    require_author(actor, version.rule_set.department)
    _check_definition(version.definition)
    results = run_tests(version)
    if not results:
        raise ValidationError("发布前至少需要一个测试用例（一个符合、一个不符合更好）")
    failed = [r.case.name for r in results if not r.passed]
    if failed:
        raise ValidationError(f"测试用例未通过，不能发布：{'、'.join(failed)}")
    valid_from = valid_from or timezone.localdate()
    current = (
        RuleSetVersion.objects.select_for_update()
        .filter(rule_set=version.rule_set, status=S.PUBLISHED, valid_to__isnull=True)
        .first()
    )
    if current is not None:
        if current.valid_from and valid_from <= current.valid_from:
            raise ValidationError("新版本的生效日期应晚于现行版本的生效日期")
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    VERSION.check(version.status, S.PUBLISHED, message=REFUSED)
    version.valid_from = valid_from
    version.published_at = timezone.now()
    statemachine.transition(
        version,
        S.PUBLISHED,
        actor=actor,
        machine=VERSION,
        message=REFUSED,
        update_fields=["valid_from", "published_at"],
        audit_action=AuditAction.VERSION_PUBLISH,
        audit_detail={
            "rule_set": version.rule_set.code,
            "number": version.number,
            "tests": len(results),
        },
    )
    interpreter.forget(version.pk)  # nothing this process kept under the id may stand for it
    return version


@transaction.atomic
def withdraw(*, actor, version: RuleSetVersion, reason: str) -> RuleSetVersion:
    version = RuleSetVersion.objects.select_for_update().get(pk=version.pk)
    require_author(actor, version.rule_set.department)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请说明废止原因"]})
    statemachine.transition(
        version,
        S.WITHDRAWN,
        actor=actor,
        machine=VERSION,
        message=REFUSED,
        reason=reason.strip(),
        audit_action=AuditAction.VERSION_WITHDRAW,
        audit_detail={"reason": reason},
    )
    return version


def version_in_force(rule_set: RuleSet, day: datetime.date) -> RuleSetVersion | None:
    """The published version that applies on a day (None: no rules in force)."""
    return (
        rule_set.versions.filter(status=S.PUBLISHED, valid_from__lte=day)
        .exclude(valid_to__lte=day)
        .order_by("-valid_from")
        .first()
    )


# --- decisions ------------------------------------------------------------------------------------


@transaction.atomic
def decide(
    *, version: RuleSetVersion, subject_type: str, subject_ref: str, facts: dict[str, Fact], as_of
) -> tuple[RuleDecision, Outcome]:
    """Evaluate a published version for one subject and keep the decision with its trace."""
    if version.status != S.PUBLISHED:
        raise ValidationError("只有已发布的规则版本可以用于判定")
    known = elements()
    outcome = compiled_version(version, known).run(facts, as_of, elements=known)
    decision = RuleDecision.objects.create(
        version=version,
        subject_type=subject_type,
        subject_ref=subject_ref,
        as_of=as_of,
        outcome=outcome.outcome,
        blocking_clause=outcome.blocking_clause or "",
        trace=outcome.as_dict(),
    )
    audit.record(
        AuditAction.DECIDE,
        obj=decision,
        detail={
            "rule_set": version.rule_set.code,
            "version": version.number,
            "subject": subject_ref,
            "outcome": outcome.outcome,
        },
    )
    return decision, outcome
