"""智能秒批 (rule-verified instant approval): configuration, the decision on submission, the sealed
审查报告, 事后抽查 and revocation. Part of the case-handling service layer.

On submission of an application for an item whose configuration is switched on, the worker
(`tasks.instant_approval`, queued after the submission commits) gathers the data the item's
published rule set reads — form fields, and data items of exchange resources through the exchange's
authorised, logged query API with the case as purpose — and evaluates the version in force:

- every clause passes: the system accepts (受理), records the 智能审核 step, approves (审核/决定) and
  completes (办结) the case through the same functions staff use, with the statutory dates fixed
  at acceptance; issues the licence and a sealed 审查报告 listing every clause, its legal basis, the
  values read with their source and the rule-set version; tells the applicant once;
- a clause fails, a datum is missing or a source cannot answer: the case stays 待受理 for ordinary
  manual handling, with the report attached for the handler and the failing clauses on top.

Idempotent: one InstantDecision per application, written under the application's row lock.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor, wait

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.permissions import can_act_for_department, serves_department
from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.applications.states import STAFF, SYSTEM, Status
from tongban.cases import conf, handling
from tongban.cases.actions import accepted, decide, finish
from tongban.cases.audit_actions import AuditAction
from tongban.cases.models import (
    Case,
    InstantApprovalConfig,
    InstantApprovalConfigChange,
    InstantDecision,
    ReviewStep,
)
from tongban.core import audit, pii
from tongban.core.identifiers import IdType
from tongban.rules import actions as rules
from tongban.rules import grammar
from tongban.rules.interpreter import OUTCOME_LABELS, PASS, Fact, Outcome
from tongban.rules.models import DataElement, RuleSet, RuleSetVersion

# The platform function that reads shared data for 智能秒批, with grants of its own (exchange).
CONSUMER_CODE = "platform.instant_approval"
INSTANT_STEP_TASK = "instant-approval"
SYSTEM_ROLE = "system"
_CITIZEN_ID = re.compile(r"^\d{17}[\dXx]$")
logger = logging.getLogger(__name__)


# --- configuration -------------------------------------------------------------------------------


def config_for(service_item_id: int) -> InstantApprovalConfig | None:
    return (
        InstantApprovalConfig.objects.select_related("rule_set")
        .filter(service_item_id=service_item_id)
        .first()
    )


def is_enabled(service_item_id: int) -> bool:
    return InstantApprovalConfig.objects.filter(
        service_item_id=service_item_id, enabled=True
    ).exists()


def _require_admin(actor: User | None, department_id: int) -> None:
    """The item's department's catalogue administrators (platform administrators pass);
    actor None is the system itself (demo loader, commands)."""
    if actor is None:
        return
    if not (actor.has_role(Role.CATALOGUE_ADMIN) and can_act_for_department(actor, department_id)):
        raise ValidationError("只有本部门的事项管理员可以配置智能秒批")


@transaction.atomic
def configure(
    *,
    actor: User | None,
    service_item,
    enabled: bool,
    rule_set: RuleSet | None,
    sample_percent: int,
    note: str = "",
) -> InstantApprovalConfig:
    """Switch 秒批 on or off for an item, choose its rule set and the share sampled for 事后抽查.
    Switching off takes effect for the next submission at once."""
    _require_admin(actor, service_item.department_id)
    errors = {}
    if rule_set is None:
        errors["rule_set"] = ["请选择规则集"]
    elif (
        rule_set.department_id != service_item.department_id
        and actor is not None
        and not actor.has_role(Role.PLATFORM_ADMIN)
    ):
        errors["rule_set"] = ["只能选用本部门的规则集"]
    if not isinstance(sample_percent, int) or not 0 <= sample_percent <= 100:
        errors["sample_percent"] = ["抽查比例应为0到100之间的整数"]
    live = rule_set is not None and rules.version_in_force(rule_set, timezone.localdate())
    if enabled and rule_set is not None and not errors and not live:
        errors["rule_set"] = ["该规则集没有现行有效的已发布版本，不能开启智能秒批"]
    if errors:
        raise ValidationError(errors)
    config = InstantApprovalConfig.objects.select_for_update().filter(
        service_item=service_item
    ).first() or InstantApprovalConfig(service_item=service_item)
    before = (config.enabled, config.rule_set_id, config.sample_percent) if config.pk else None
    config.enabled, config.rule_set, config.sample_percent = enabled, rule_set, sample_percent
    config.updated_by = actor
    config.save()
    if before != (enabled, rule_set.pk, sample_percent):
        InstantApprovalConfigChange.objects.create(
            config=config,
            enabled=enabled,
            rule_set_code=rule_set.code,
            sample_percent=sample_percent,
            note=(note or "").strip()[:300],
            actor=actor,
        )
        audit.record(
            AuditAction.INSTANT_CONFIGURE,
            actor=actor,
            obj=config,
            detail={
                "item": service_item.pk,
                "enabled": enabled,
                "rule_set": rule_set.code,
                "sample_percent": sample_percent,
            },
        )
    return config


# --- gathering the data ----------------------------------------------------------------------------


def _elements_read(definition: dict) -> list[str]:
    names = []
    for clause in grammar.clauses(definition["root"]):
        names.extend(grammar.variables(clause["test"]))
    return list(dict.fromkeys(names))


def _raw(value, kind: str, *, from_exchange: bool):
    """A value as the rules read it. Exchange items are text, dates, numbers or yes/no; a list
    element reads a text item whose values are separated by “|” or “、” (empty: no entries)."""
    if kind == grammar.LIST:
        if value is None:
            return None if not from_exchange else []
        if isinstance(value, list):
            return value
        return [part.strip() for part in re.split(r"[|、]", str(value)) if part.strip()]
    if value in (None, ""):
        return None
    if kind == grammar.BOOL and isinstance(value, str):
        return {"true": True, "是": True, "1": True, "false": False, "否": False, "0": False}.get(
            value.strip().lower()
        )
    return value


def _subject(application: Application, subject_kind: str) -> str | None:
    """Whom a resource is asked about: the applicant's own identifier, of the resource's kind."""
    wanted = IdType.USCC if subject_kind == IdType.USCC.index_kind else IdType.CITIZEN_ID
    if application.applicant_id_type != wanted or not application.applicant_id_number:
        return None
    return application.applicant_id_number


def gather(application: Application, definition: dict) -> tuple[dict[str, Fact], list[dict]]:
    """The facts a definition reads for this application, and what could not be had (a source
    that refused, failed or did not answer in time, a subject it does not know): those elements
    stay missing, so the clauses reading them are unknown and the case goes to a person.

    Each resource is one call. The calls are checked one after the other on this thread; the
    providers that wait on another system (`Prepared.remote`) are then asked side by side on a
    small pool while the local ones answer here, and every call is logged here, in order."""
    from tongban.exchange.actions import query as exchange
    from tongban.exchange.actions.errors import ExchangeDenied, ProviderUnavailable
    from tongban.exchange.models import Consumer, Resource

    elements = {e.name: e for e in DataElement.objects.filter(name__in=_elements_read(definition))}
    facts: dict[str, Fact] = {}
    problems: list[dict] = []
    by_resource: dict[str, list[DataElement]] = {}
    for name, element in elements.items():
        if element.source == DataElement.Source.FORM:
            value = _raw(
                (application.data or {}).get(name.split(".", 1)[1]),
                element.type,
                from_exchange=False,
            )
            if value is not None:
                facts[name] = Fact(value, {"kind": "form", "label": "申请表"})
        else:
            by_resource.setdefault(element.resource_code, []).append(element)
    if not by_resource:
        return facts, problems
    consumer = Consumer.objects.filter(code=CONSUMER_CODE, active=True).first()
    calls = []
    for code, wanted in by_resource.items():
        labels = "、".join(e.label for e in wanted)
        if consumer is None:
            problems.append({"source": code, "detail": "智能秒批未获数据共享授权（使用方未配置）"})
            continue
        resource = Resource.objects.select_related("current_version").filter(code=code).first()
        kind = (
            resource.current_version.subject_kind if resource and resource.current_version else ""
        )
        subject = _subject(application, kind)
        if subject is None:
            problems.append(
                {"source": code, "detail": f"申请人不是该数据资源的查询对象（{labels}）"}
            )
            continue
        try:
            prepared = exchange.prepare(
                consumer=consumer,
                resource_code=code,
                subjects=[subject],
                items=list(dict.fromkeys(e.name.rsplit(".", 1)[1] for e in wanted)),
                purpose=f"智能秒批：{application.item_version.name}",
                case_ref=application.case_number or "",
            )
        except (ExchangeDenied, ProviderUnavailable) as exc:
            problems.append({"source": code, "detail": f"{labels}：{exc}"})
            continue
        calls.append((code, wanted, labels, subject, prepared))
    answers = _fetch_all([prepared for *_, prepared in calls])
    for (code, wanted, labels, subject, prepared), (records, error) in zip(
        calls, answers, strict=True
    ):
        try:
            result = prepared.finish(records=records, error=error)
        except ProviderUnavailable as exc:
            problems.append({"source": code, "detail": f"{labels}：{exc}"})
            continue
        record = result.records.get(pii.normalise(subject))
        if record is None:
            problems.append(
                {"source": code, "detail": f"{result.provider_label}中没有申请人的记录（{labels}）"}
            )
            continue
        source = {
            "kind": "exchange",
            "resource": result.resource_code,
            "resource_name": result.resource_name,
            "provider": result.provider_label,
            "department": result.provider_department,
            "at": timezone.now().isoformat(timespec="seconds"),
            "call": result.record_ids[0] if result.record_ids else None,
        }
        for element in wanted:
            value = _raw(
                record.get(element.name.rsplit(".", 1)[1]), element.type, from_exchange=True
            )
            if value is not None:
                facts[element.name] = Fact(value, source)
    return facts, problems


def _query_threads() -> int:
    return conf.instant_query_threads()


def _query_timeout() -> float:
    return conf.instant_query_seconds()


def _fetch_in_thread(prepared):
    """One remote provider's answer on a pool thread: it writes nothing to the database (the call
    is logged by the caller) and closes whatever connection the thread opened."""
    from tongban.exchange.actions.errors import ProviderUnavailable

    try:
        return prepared.fetch(), None
    except ProviderUnavailable as exc:
        return None, exc
    except Exception as exc:  # any failure of a source routes the case to a person
        logger.warning(
            "instant approval: provider of %s failed: %s",
            prepared.call.resource_code,
            type(exc).__name__,
        )
        return None, ProviderUnavailable("提供方查询出错")
    finally:
        connections.close_all()


def _fetch_all(calls: list) -> list[tuple[dict | None, Exception | None]]:
    """Every prepared call's (records, error), in order. Remote providers are asked side by side
    on a bounded pool, local ones on this thread meanwhile; a remote one that has not answered
    when the time is up counts as failed (its thread finishes on its own, unheard)."""
    from tongban.exchange.actions.errors import ProviderUnavailable

    answers: list = [None] * len(calls)
    remote = [n for n, prepared in enumerate(calls) if prepared.remote]
    pool = (
        ThreadPoolExecutor(
            max_workers=min(_query_threads(), len(remote)), thread_name_prefix="instant-query"
        )
        if remote
        else None
    )
    try:
        started = time.monotonic()
        futures = {n: pool.submit(_fetch_in_thread, calls[n]) for n in remote}
        for n, prepared in enumerate(calls):
            if n not in futures:
                try:
                    answers[n] = (prepared.fetch(), None)
                except ProviderUnavailable as exc:
                    answers[n] = (None, exc)
        limit = _query_timeout()
        wait(futures.values(), timeout=max(0.0, limit - (time.monotonic() - started)))
        for n, future in futures.items():
            if future.done():
                answers[n] = future.result()
            else:
                answers[n] = (None, ProviderUnavailable(f"提供方在{limit:g}秒内没有答复"))
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    return answers


# --- the decision on submission ----------------------------------------------------------------------


def _to_check(application: Application | None) -> bool:
    return (
        application is not None
        and application.status == Status.SUBMITTED
        and application.case_number is not None
        and not InstantDecision.objects.filter(application=application).exists()
    )


def process(application_id: int) -> InstantDecision | None:
    """Check one submitted application (the worker's task). Does nothing when the item's 秒批 is
    off, the application is no longer 待受理, or it was checked already.

    The shared data is gathered before the application is locked: a department system may take
    seconds to answer, and no write lock (with SQLite, the whole database's) is held meanwhile.
    Under the lock everything is checked again, so a redelivered task cannot decide twice."""
    application = Application.objects.filter(pk=application_id).first()
    if not _to_check(application):
        return None
    config = config_for(application.service_item_id)
    if config is None or not config.enabled:
        return None
    today = timezone.localdate()
    version = rules.version_in_force(config.rule_set, today)
    facts, problems = gather(application, version.definition) if version else ({}, [])
    with transaction.atomic():
        application = handling.locked(Application(pk=application_id))
        if not _to_check(application):
            return None
        config = config_for(application.service_item_id)
        if config is None or not config.enabled:
            return None
        if version is None:
            return _route_to_person(
                application, None, None, [{"detail": "规则集没有现行有效的版本"}], None
            )
        current = rules.version_in_force(config.rule_set, today)
        if current is None or current.pk != version.pk:
            return None  # the rules changed meanwhile: the sweep checks it again with the new ones
        decision, outcome = rules.decide(
            version=version,
            subject_type="application",
            subject_ref=application.case_number,
            facts=facts,
            as_of=today,
        )
        blockers = _blockers(application, outcome, problems)
        if not blockers:
            try:
                with transaction.atomic():
                    return _approve(application, config, version, decision, outcome)
            except (ValidationError, PermissionDenied) as error:  # a seal, a moved case …
                blockers = [{"detail": f"系统自动办结失败：{'；'.join(error.messages)}"}]
                application = handling.locked(application)
        return _route_to_person(application, version, decision, blockers, outcome)


def _blockers(application: Application, outcome: Outcome, problems: list[dict]) -> list[dict]:
    """Why the system may not approve: clauses not passed, data not had, commitments to check."""
    labels = dict(DataElement.objects.values_list("name", "label"))
    found = [
        {
            "clause": trace.clause,
            "label": trace.label,
            "basis": trace.basis,
            "result": trace.outcome,
            "detail": OUTCOME_LABELS[trace.outcome],
            "read": "；".join(
                f"{labels.get(v['element'], v['element'])}：{_shown(v['value'])}"
                f"（{_source_text(v.get('source') or {})}）"
                for v in trace.values
            ),
        }
        for trace in outcome.clauses
        if trace.outcome != PASS
    ]
    if outcome.outcome != PASS and not found:
        found.append({"detail": OUTCOME_LABELS[outcome.outcome]})
    found.extend(problems)
    if application.commitments.exists():  # 告知承诺 / 容缺 are checked by a person
        found.append({"detail": "申请含告知承诺或容缺受理材料，须由工作人员核查"})
    return found


def _approve(application, config, version, decision, outcome) -> InstantDecision:
    today = timezone.localdate()
    rule_text = f"{version.rule_set.name}第{version.number}版"
    handling.move(application, Status.ACCEPTED, None, SYSTEM, f"智能秒批：{rule_text}核验通过")
    case = accepted(application, None, today, deemed=False, instant=True)
    report = _report(case, version, decision, outcome, approved=True)
    opinion = (
        f"经系统依据{rule_text}核验，申请符合全部{len(outcome.clauses)}项条件。"
        f"审查报告：{report.document.number}。"
    )
    ReviewStep.objects.create(
        case=case,
        task_id=INSTANT_STEP_TASK,
        name="智能审核（秒批）",
        role=SYSTEM_ROLE,
        department_id=case.department_id,
        finished_at=timezone.now(),
        action=ReviewStep.Action.APPROVE,
        opinion=opinion,
    )
    handling.record_event(application, "智能审核：通过", opinion, public=False)
    decide(application, case, None, "approved", opinion, kind=SYSTEM, notify=False)
    finish(application, case, None, Case.CompletionResult.ISSUED, SYSTEM)
    from tongban.licences.actions import issue_for_case

    licence = issue_for_case(application, None)
    sampled = secrets.randbelow(100) < config.sample_percent
    instant = InstantDecision.objects.create(
        application=application,
        rule_decision=decision,
        outcome=InstantDecision.Outcome.APPROVED,
        report=report,
        spot_check=InstantDecision.Check.PENDING if sampled else "",
    )
    handling.record_event(
        application,
        "智能秒批",
        "系统已核验您符合全部办理条件，准予许可，本件已办结。"
        + ("电子证照已签发，可在“我的证照”中查看和下载。" if licence else ""),
    )
    audit.record(
        AuditAction.INSTANT_APPROVE,
        obj=application,
        detail={
            "rule_set": version.rule_set.code,
            "version": version.number,
            "report": report.document.number,
            "sampled": sampled,
        },
    )
    handling.notify_applicant(application, "application.decided", result="准予许可（智能秒批）")
    return instant


def _route_to_person(application, version, decision, blockers, outcome) -> InstantDecision:
    case = handling.case_for(application)
    report = (
        _report(case, version, decision, outcome, approved=False, blockers=blockers)
        if version is not None
        else None
    )
    instant = InstantDecision.objects.create(
        application=application,
        rule_decision=decision,
        outcome=InstantDecision.Outcome.MANUAL,
        reasons=blockers,
        report=report,
    )
    lines = [(f"{b['label']}：{b['detail']}" if b.get("label") else b["detail"]) for b in blockers]
    handling.record_event(
        application,
        "智能秒批未通过，转人工办理",
        "\n".join(lines) + (f"\n审查报告：{report.document.number}" if report else ""),
        public=False,
    )
    handling.record_event(
        application,
        "转人工审查",
        "系统核验未能确认您符合全部条件，您的申请已转由工作人员审查，请留意办理进度。",
    )
    audit.record(
        AuditAction.INSTANT_MANUAL,
        obj=application,
        detail={"blockers": [b.get("clause") or b.get("source") or "" for b in blockers]},
    )
    return instant


# --- the 审查报告 ---------------------------------------------------------------------------------


def _shown(value) -> str:
    if value is None:
        return "（无数据）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    if isinstance(value, str) and _CITIZEN_ID.match(value):
        return pii.mask_id_number(value)
    return str(value)


def _source_text(source: dict) -> str:
    if source.get("kind") == "exchange":
        at = (source.get("at") or "")[:19].replace("T", " ")
        call = f"，调用记录 {source['call']}" if source.get("call") else ""
        return f"{source.get('provider')}（{source.get('department')}，{at}{call}）"
    if source.get("kind") == "form":
        return "申请表"
    return "无"


def report_sections(case: Case, version, decision, outcome, *, approved, blockers=()):
    application = case.application
    labels = dict(DataElement.objects.values_list("name", "label"))
    valid = f"自{version.valid_from:%Y年%m月%d日}起施行" if version.valid_from else ""
    sections = [
        ("办件编号", application.case_number),
        ("申请事项", application.item_version.name),
        ("申请人", application.applicant_name),
        (
            "适用规则",
            f"{version.rule_set.name}（{version.rule_set.code}）第{version.number}版{valid}",
        ),
        ("核验时间", f"{timezone.localtime(decision.evaluated_at):%Y年%m月%d日 %H:%M:%S}"),
        (
            "核验结论",
            f"全部{len(outcome.clauses)}项条件均符合，准予许可（智能秒批）。"
            if approved
            else "未能确认全部条件均符合，转人工审查。",
        ),
    ]
    for index, trace in enumerate(outcome.clauses, start=1):
        lines = [f"结果：{OUTCOME_LABELS[trace.outcome]}", f"依据：{trace.basis or '—'}"]
        for read in trace.values:
            name = read["element"]
            lines.append(
                f"{labels.get(name, name)}：{_shown(read['value'])}"
                f"（来源：{_source_text(read.get('source') or {})}）"
            )
        sections.append((f"{index}. {trace.label}", "\n".join(lines)))
    extra = [b["detail"] for b in blockers if not b.get("clause")]
    if extra:
        sections.append(("需人工核查", "\n".join(extra)))
    sections.append(
        ("", "本报告由智能审批系统依据已发布的规则和共享数据自动生成，数据调用均已记录备查。")
    )
    return sections


def _report(case, version, decision, outcome, *, approved, blockers=()):
    document = handling.issue(
        case,
        "review_report",
        "审查报告",
        report_sections(case, version, decision, outcome, approved=approved, blockers=blockers),
        None,
    )
    if not approved:  # the handler's working paper until someone decides
        document.public = False
        document.save(update_fields=["public"])
    return document


# --- 事后抽查 and revocation ------------------------------------------------------------------------


def spot_check_queue(user: User):
    """Instantly approved cases drawn for 事后抽查 and not yet checked, of the user's departments."""
    queue = InstantDecision.objects.filter(spot_check=InstantDecision.Check.PENDING).select_related(
        "application__item_version", "application__service_item__department", "report__document"
    )
    if not user.has_role(Role.PLATFORM_ADMIN, Role.SUPERVISOR):
        from tongban.accounts.permissions import departments_served

        queue = queue.filter(application__service_item__department_id__in=departments_served(user))
    return queue.order_by("decided_at")


def _locked_decision(application: Application, actor: User, *roles) -> InstantDecision:
    instant = (
        InstantDecision.objects.select_for_update(of=("self",))
        .filter(application=application, outcome=InstantDecision.Outcome.APPROVED)
        .first()
    )
    if instant is None:
        raise ValidationError("该办件不是智能秒批办件")
    if not (
        actor.has_role(*roles) and serves_department(actor, application.service_item.department_id)
    ):
        raise ValidationError("您的角色或所属部门无权抽查此件")
    return instant


@transaction.atomic
def confirm(*, application: Application, actor: User, note: str) -> InstantDecision:
    """事后抽查无误: the instant decision stands."""
    application = handling.locked(application)
    instant = _locked_decision(application, actor, Role.REVIEWER, Role.APPROVER)
    if instant.spot_check != InstantDecision.Check.PENDING:
        raise ValidationError("该办件不在待抽查状态")
    if not (note or "").strip():
        raise ValidationError({"note": ["请填写抽查意见"]})
    instant.spot_check, instant.checked_by = InstantDecision.Check.CONFIRMED, actor
    instant.checked_at, instant.check_note = timezone.now(), note.strip()
    instant.save()
    handling.record_event(application, "事后抽查：无误", note.strip(), public=False, actor=actor)
    audit.record(AuditAction.INSTANT_CONFIRM, actor=actor, obj=application)
    return instant


@transaction.atomic
def revoke(*, application: Application, actor: User, reason: str, legal_basis: str):
    """A problem found after an instant approval (抽查 or otherwise): the approval is revoked with
    a sealed 撤销行政许可决定书, the licence is revoked through the licence service layer with it,
    and the applicant is told."""
    from tongban.licences import status as licence_status
    from tongban.licences.models import Licence

    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = ["请填写撤销理由"]
    if not legal_basis:
        errors["legal_basis"] = ["请填写撤销的法律依据"]
    if errors:
        raise ValidationError(errors)
    application = handling.locked(application)
    instant = _locked_decision(application, actor, Role.APPROVER)
    case = Case.objects.select_for_update().get(application=application)
    handling.move(application, Status.REVOKED, actor, STAFF, reason)
    document = handling.issue(
        case,
        "decision",
        "撤销行政许可决定书",
        [
            *handling.header(application),
            (
                "决定",
                "经核查，本机关以智能秒批方式作出的准予许可决定不符合法定条件，决定予以撤销。",
            ),
            ("理由", reason),
            ("法律依据", legal_basis),
            (
                "",
                "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
                "或者在六个月内依法提起行政诉讼。",
            ),
        ],
        actor,
    )
    active = Licence.objects.filter(application=application).exclude(
        status__in=[Licence.Status.REVOKED, Licence.Status.CANCELLED, Licence.Status.REPLACED]
    )
    for licence in active:
        licence_status.revoke(
            licence, actor, reason, legal_basis=legal_basis, decision=document.document
        )
    instant.spot_check, instant.checked_by = InstantDecision.Check.REVOKED, actor
    instant.checked_at, instant.check_note = timezone.now(), reason
    instant.save()
    handling.record_event(
        application,
        "撤销行政许可",
        f"理由：{reason}\n依据：{legal_basis}\n决定书：{document.document.number}",
        actor=actor,
    )
    audit.record(
        AuditAction.INSTANT_REVOKE,
        actor=actor,
        obj=application,
        detail={"document": document.document.number, "legal_basis": legal_basis},
    )
    handling.notify_applicant(application, "application.decided", result="撤销行政许可")
    return instant


# --- what people see ----------------------------------------------------------------------------------


def summary_for_applicant(application: Application) -> dict | None:
    """The plain-language outcome shown to the applicant (None: not a 秒批 item)."""
    instant = (
        InstantDecision.objects.select_related("rule_decision", "report__document")
        .filter(application=application)
        .first()
    )
    if instant is None:
        if application.status == Status.SUBMITTED and is_enabled(application.service_item_id):
            return {"state": "pending"}
        return None
    if instant.outcome == InstantDecision.Outcome.MANUAL:
        return {"state": "manual"}
    from tongban.licences.models import Licence

    trace = instant.rule_decision.trace if instant.rule_decision else {"clauses": []}
    return {
        "state": "revoked" if application.status == Status.REVOKED else "approved",
        "conditions": [c["label"] for c in trace["clauses"]],
        "report": instant.report,
        "licence": Licence.objects.filter(application=application).order_by("-version").first(),
    }


def for_handler(application: Application) -> InstantDecision | None:
    return (
        InstantDecision.objects.select_related(
            "report__document", "rule_decision__version__rule_set"
        )
        .filter(application=application)
        .first()
    )


def decided_on(instant: InstantDecision) -> datetime.date:
    return timezone.localdate(instant.decided_at)


def published_rule_sets(department_id: int):
    """Rule sets of a department with a version in force today (what 秒批 may use)."""
    today = timezone.localdate()
    live = RuleSetVersion.objects.filter(
        status=RuleSetVersion.Status.PUBLISHED, valid_from__lte=today
    ).exclude(valid_to__lte=today)
    return RuleSet.objects.filter(department_id=department_id, versions__in=live).distinct()
