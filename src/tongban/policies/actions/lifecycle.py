"""Policies: writing, validating, the dry run before publishing, and the status moves.

A policy whose rule or amount formula does not validate is not saved; publishing checks again,
freezes the rule and formula as a PolicyVersion with the dry run that preceded it, and starts a
matching run for that policy alone.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongban.core import audit
from tongban.core.statemachine import transition
from tongban.policies import data, engine, states
from tongban.policies.actions.common import AUTHORS, require_role
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import Policy, PolicyEvent, PolicyVersion
from tongban.rules import grammar

S = Policy.Status
EDITABLE = {S.DRAFT, S.SUSPENDED}
FIELDS = [
    "name",
    "document_number",
    "document_text",
    "summary",
    "eligibility",
    "amount_formula",
    "cycle",
    "budget_cap",
    "valid_from",
    "valid_to",
    "delivery",
    "service_item_code",
    "objection_days",
]


def problems(target: str, eligibility, formula) -> dict[str, list[str]]:
    """Every problem of a policy's rule and formula, by field; empty when it may be published."""
    if target not in Policy.Target.values:
        return {"target": [gettext("对象应为自然人或法人")]}
    elements = data.elements(target)
    found = {}
    rule_problems = grammar.validate(eligibility, elements)
    if rule_problems:
        found["eligibility"] = rule_problems
    constants = (eligibility or {}).get("constants") if isinstance(eligibility, dict) else None
    formula_problems = engine.validate_formula(formula, elements, constants)
    if formula_problems:
        found["amount_formula"] = formula_problems
    return found


def _check(policy: Policy) -> None:
    found = problems(policy.target, policy.eligibility, policy.amount_formula)
    if policy.valid_to and policy.valid_to < policy.valid_from:
        found["valid_to"] = [gettext("失效日期不能早于生效日期")]
    if policy.budget_cap is not None and Decimal(policy.budget_cap) <= 0:
        found["budget_cap"] = [gettext("预算上限应大于0")]
    if policy.delivery == Policy.Delivery.NOTICE and not policy.service_item_code.strip():
        found["service_item_code"] = [gettext("精准推送需指明申请的办事事项")]
    if found:
        raise ValidationError(found)


# History notes are records written once, in the platform's language of record (Chinese).
def _history(policy: Policy, from_status: str, to_status: str, actor, note: str = "") -> None:
    PolicyEvent.objects.create(
        policy=policy, from_status=from_status, to_status=to_status, actor=actor, note=note[:500]
    )


@transaction.atomic
def create_policy(*, actor, department, code: str, target: str, **fields) -> Policy:
    policy = Policy(department=department, code=code.strip(), target=target, **fields)
    require_role(actor, department, AUTHORS, gettext("只有本部门的事项管理员可以编写政策"))
    if Policy.objects.filter(code=policy.code).exists():
        raise ValidationError({"code": [gettext("政策编码已被使用")]})
    _check(policy)
    policy.save()
    _history(policy, "", S.DRAFT, actor, "创建")
    audit.record(AuditAction.POLICY_CREATE, actor=actor, obj=policy, detail={"code": policy.code})
    return policy


@transaction.atomic
def update_policy(*, actor, policy: Policy, **fields) -> Policy:
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    require_role(actor, policy.department, AUTHORS, gettext("只有本部门的事项管理员可以修改政策"))
    if policy.status not in EDITABLE:
        raise ValidationError(gettext("已发布的政策不能直接修改，请先暂停"))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(
            gettext("不能修改：%(fields)s") % {"fields": "、".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(policy, name, value)
    _check(policy)
    policy.save()
    _history(policy, policy.status, policy.status, actor, "修改：" + "、".join(sorted(fields)))
    audit.record(
        AuditAction.POLICY_UPDATE, actor=actor, obj=policy, detail={"fields": list(fields)}
    )
    return policy


def _move(policy: Policy, target: str, actor, note: str = "") -> None:
    """The move through the policy's machine (states.POLICY), with its history row; the caller
    saves and writes the audit record."""
    transition(
        policy,
        target,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_kind=states.kind(actor, states.AUTHOR),
        reason=note,
        machine=states.POLICY,
        save=False,
        write_audit=False,
    )


# --- dry run ---------------------------------------------------------------------------------------


def _outcomes(policy_like, eligibility, formula, frame, as_of) -> pl.DataFrame:
    compiled = engine.CompiledPolicy(
        policy_like, eligibility, formula, data.elements(policy_like.target), as_of
    )
    return compiled.evaluate(frame, explain=False, keep=[data.INDEX, data.REGION_COLUMN]).filter(
        pl.col("eligible")
    )


def dry_run(policy: Policy, *, as_of: datetime.date | None = None, frame=None) -> dict:
    """Who the policy as written would make eligible, by region and amount, and how that differs
    from the last published version. Reads the data through the exchange (logged); writes
    nothing."""
    as_of = as_of or timezone.localdate()
    _check(policy)
    if frame is None:
        frame = data.load_frame(policy.target)
    now = _outcomes(policy, policy.eligibility, policy.amount_formula, frame, as_of)
    result = {
        "as_of": as_of.isoformat(),
        "subjects": frame.height,
        "eligible": now.height,
        "total": round(float(now["amount"].sum() or 0), 2),
        "by_region": dict(sorted(Counter(now[data.REGION_COLUMN].to_list()).items())),
        "by_amount": {
            f"{amount:g}": count
            for amount, count in sorted(Counter(now["amount"].to_list()).items())
        },
        "against": None,
    }
    last = policy.current_version
    if last is not None:
        before = _outcomes(policy, last.eligibility, last.amount_formula, frame, as_of)
        joined = now.join(before, on=data.INDEX, how="full", suffix="_before", coalesce=True)
        gained = joined.filter(pl.col("amount_before").is_null()).height
        lost = joined.filter(pl.col("amount").is_null()).height
        changed = joined.filter(
            pl.col("amount").is_not_null()
            & pl.col("amount_before").is_not_null()
            & (pl.col("amount") != pl.col("amount_before"))
        ).height
        result["against"] = {
            "version": last.number,
            "eligible_before": before.height,
            "newly_eligible": gained,
            "no_longer_eligible": lost,
            "amount_changed": changed,
        }
    return result


# --- status moves ----------------------------------------------------------------------------------


def publish(
    *, actor, policy: Policy, as_of: datetime.date | None = None, match: bool = True
) -> PolicyVersion:
    """Validate, dry-run, freeze a version and publish; then (`match`) match the policy against
    everyone, in partitions on the workers."""
    require_role(actor, policy.department, AUTHORS, gettext("只有本部门的事项管理员可以发布政策"))
    summary = dry_run(policy, as_of=as_of)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
        _check(policy)
        last = policy.current_version
        version = PolicyVersion.objects.create(
            policy=policy,
            number=(last.number + 1) if last else 1,
            eligibility=policy.eligibility,
            amount_formula=policy.amount_formula,
            published_by=actor if getattr(actor, "pk", None) else None,
            dry_run=summary,
        )
        _move(
            policy, S.PUBLISHED, actor, f"第{version.number}版，试算符合 {summary['eligible']} 个"
        )
        policy.save(update_fields=["status"])
        audit.record(
            AuditAction.POLICY_PUBLISH,
            actor=actor,
            obj=policy,
            detail={"version": version.number, "eligible": summary["eligible"]},
        )
    if match:
        from tongban.policies.actions import matching

        matching.start_run(actor=actor, policies=[policy], as_of=as_of)
    return version


@transaction.atomic
def suspend(*, actor, policy: Policy, reason: str) -> Policy:
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    require_role(actor, policy.department, AUTHORS, gettext("只有本部门的事项管理员可以暂停政策"))
    if not reason.strip():
        raise ValidationError({"reason": [gettext("请说明暂停的原因")]})
    _move(policy, S.SUSPENDED, actor, reason)
    policy.save(update_fields=["status"])
    audit.record(AuditAction.POLICY_SUSPEND, actor=actor, obj=policy, detail={"reason": reason})
    return policy


@transaction.atomic
def expire(*, actor, policy: Policy, note: str = "") -> Policy:
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    require_role(actor, policy.department, AUTHORS, gettext("只有本部门的事项管理员可以终止政策"))
    _move(policy, S.EXPIRED, actor, note or "政策到期")
    policy.save(update_fields=["status"])
    audit.record(AuditAction.POLICY_EXPIRE, actor=actor, obj=policy)
    return policy


def expire_due(today: datetime.date | None = None) -> int:
    """Policies past their last day expire (beat task)."""
    today = today or timezone.localdate()
    count = 0
    for policy in Policy.objects.filter(status__in=[S.PUBLISHED, S.SUSPENDED], valid_to__lt=today):
        expire(actor=None, policy=policy, note=f"{policy.valid_to} 到期")
        count += 1
    return count
