"""Preparing a bundle application: the answers checked, the chosen members planned, the form prefilled,
the values and materials checked, the applicant allowed — everything `applying.submit_bundle` reads
before it writes."""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from tongban.accounts import actions as accounts
from tongban.accounts.models import AgentAuthorisation, User
from tongban.applications import formdefs, prefill
from tongban.bundles import merge
from tongban.bundles.models import (
    BundleApplication,
    BundleVersion,
)
from tongban.bundles.states import BundleStatus
from tongban.core.identifiers import IdType
from tongban.licences.models import Licence


class BundleUnavailable(ValidationError):
    """The bundle cannot be applied for now (a member withdrawn …); staff see why."""


@dataclass
class Prepared:
    version: BundleVersion
    answers: dict[int, int]
    plans: list[merge.MemberPlan]
    materials: list[merge.MergedMaterial]
    schema: dict
    layout: dict
    owners: dict[str, list[str]]

    def plan_named(self, code: str) -> merge.MemberPlan | None:
        return next((p for p in self.plans if p.member.implementation_code == code), None)

    @property
    def asked_materials(self) -> list[merge.MergedMaterial]:
        return [m for m in self.materials if m.asked]

    @property
    def shared_fields(self) -> set[str]:
        return {name for name, members in self.owners.items() if len(members) > 1}


def unavailable_message(version: BundleVersion, problems: list[str]) -> str:
    return (
        f"“{version.name}”暂时不能申请：其中的事项正在调整（{'；'.join(problems)}）。"
        "您可以稍后再来，或分别申请各事项。"
    )


def check_answers(version: BundleVersion, raw: dict) -> dict[int, int]:
    """Situation answers ({question id: option id}, as numbers or digit strings) → checked ids."""
    questions = list(version.questions.prefetch_related("options"))
    answers, errors = {}, []
    known = {q.pk for q in questions}
    for key in raw or {}:
        if not str(key).isdigit() or int(key) not in known:
            errors.append(f"情形问题 {key} 不属于该一件事")
    for question in questions:
        value = (raw or {}).get(question.pk, (raw or {}).get(str(question.pk)))
        options = {o.pk for o in question.options.all()}
        if value in (None, ""):
            errors.append(f"请回答：{question.text}")
        elif not str(value).isdigit() or int(value) not in options:
            errors.append(f"问题“{question.text}”没有这个选项")
        else:
            answers[question.pk] = int(value)
    if errors:
        raise ValidationError({"answers": errors})
    return answers


def chosen_members(version: BundleVersion, answers: dict[int, int]) -> list:
    """Required members, the members the answers add, and the prerequisites of those (a dependent
    cannot start without its prerequisite), in the bundle's order."""
    members = list(version.members.all())
    chosen = {m.pk for m in members if m.required}
    for question in version.questions.prefetch_related("options__members"):
        for option in question.options.all():
            if answers.get(question.pk) == option.pk:
                chosen |= {m.pk for m in option.members.all()}
    by_id = {m.pk: m for m in members}
    for member_id in list(chosen):
        before = by_id[member_id].prerequisite_id
        while before and before not in chosen:
            chosen.add(before)
            before = by_id[before].prerequisite_id
    return [m for m in members if m.pk in chosen]


def prepare(version: BundleVersion, answers: dict[int, int]) -> Prepared:
    """The merged guide and form for these answers. Raises BundleUnavailable when a member cannot
    be applied for (the message names it, for the applicant and the staff)."""
    members = chosen_members(version, answers)
    plans, problems = merge.plan_members(members, theme_object=version.service_object)
    if not problems:
        merge.attach_forms(plans)
        try:
            schema, layout, owners = merge.merged_form(plans)
        except merge.MergeProblem as exc:
            problems = exc.messages
    if problems:
        raise BundleUnavailable(unavailable_message(version, problems))
    return Prepared(
        version=version,
        answers=answers,
        plans=plans,
        materials=merge.merged_materials(plans),
        schema=schema,
        layout=layout,
        owners=owners,
    )


def prefill_context(owner: User, enterprise) -> prefill.PrefillContext:
    return prefill.PrefillContext(owner=owner, enterprise=enterprise, entrusted=False)


def prefilled_data(prepared: Prepared, owner: User, enterprise) -> dict:
    """The one form as the platform fills it: the account (read-only) and the data exchange."""
    context = prefill_context(owner, enterprise)
    return prefill.from_exchange(
        prepared.schema, context, prefill.apply(prepared.schema, context, {})
    )


def locked_fields(prepared: Prepared, owner: User, enterprise) -> set[str]:
    known = prefill.prefill_values(prefill_context(owner, enterprise))
    return {
        name
        for name, prop in prepared.schema["properties"].items()
        if prop.get("x-prefill") in known
    }


def wallet_offers(prepared: Prepared, owner: User, enterprise) -> dict[str, Licence]:
    """Per asked material (by key): a valid licence of the applicant that may stand for it."""
    if enterprise is not None:
        identity = (IdType.USCC, enterprise.uscc)
    else:
        citizen = getattr(owner, "citizen", None)
        identity = (IdType.CITIZEN_ID, citizen.id_number) if citizen else None
    wanted = {m.key: m.licence_type for m in prepared.asked_materials if m.licence_type}
    if identity is None or not wanted:
        return {}
    candidates = [
        licence
        for licence in Licence.objects.filter(
            holder_id_index=Licence.index_for(*identity),
            status=Licence.Status.VALID,
            licence_type__name__in=set(wanted.values()),
        )
        .select_related("licence_type")
        .order_by("-issued_on", "-pk")[:50]
        if licence.is_usable
    ]
    offers = {}
    for key, type_name in wanted.items():
        found = next((lic for lic in candidates if lic.licence_type.name == type_name), None)
        if found is not None:
            offers[key] = found
    return offers


def enterprises_for(agent: User) -> list:
    """The enterprises a 经办人 may act for today (unrevoked, unexpired authorisations)."""
    return [
        a.enterprise
        for a in AgentAuthorisation.objects.filter(
            agent=agent, revoked_at__isnull=True, valid_until__gte=timezone.localdate()
        )
        .select_related("enterprise")
        .order_by("enterprise__name")
    ]


def check_applicant(version: BundleVersion, owner: User, enterprise, prepared: Prepared) -> None:
    if version.theme == BundleVersion.Theme.PERSON:
        if enterprise is not None or owner.kind != User.Kind.CITIZEN:
            raise ValidationError("这是个人一件事，请使用个人账户办理")
        return
    if enterprise is None:
        raise ValidationError("这是企业一件事，请以企业身份办理")
    if owner.kind == User.Kind.ENTERPRISE and getattr(owner, "enterprise", None) == enterprise:
        return
    # 经办人: the enterprise's authorisation must cover every member item (by 基本编码), as for
    # applying for each item on its own (applications.actions.start_application checks it again).
    missing = [
        plan.version.name
        for plan in prepared.plans
        if accounts.active_authorisation(owner, enterprise, plan.item.basic_item.basic_code) is None
    ]
    if missing:
        raise ValidationError(
            f"您没有“{enterprise.name}”办理以下事项的有效授权：{'、'.join(missing)}。"
            "请联系企业法定代表人授权"
        )


def refuse_open_duplicate(version: BundleVersion, owner: User, enterprise) -> None:
    """One open application per bundle and applicant: a second submission (another tab, a retry
    without the key, a resubmission while a member waits for 补正) would create every member twice.
    The applicant's row is locked first (the enterprise's, whoever of its agents applies), so two
    submissions at the same moment (two devices, two agents) wait for each other and the second
    finds the first's application."""
    applicant = type(enterprise) if enterprise is not None else User
    list(
        applicant.objects.select_for_update()
        .filter(pk=(enterprise or owner).pk)
        .values_list("pk", flat=True)
    )
    open_one = (
        BundleApplication.objects.filter(
            version__bundle_id=version.bundle_id,
            # An enterprise has one open application whoever of its agents made it.
            **({"enterprise": enterprise} if enterprise else {"owner": owner, "enterprise": None}),
        )
        .exclude(status=BundleStatus.COMPLETED)
        .first()
    )
    if open_one is None:
        return
    if open_one.status == BundleStatus.CORRECTION:
        raise ValidationError(
            f"您的“{version.name}”（编号 {open_one.number}）有事项正在补正，请在原申请中补正后"
            "重新提交，无需再次申请；其他事项不受影响。"
        )
    raise ValidationError(
        f"您已申请“{version.name}”（编号 {open_one.number}），正在办理中，请勿重复申请。"
    )


def fingerprint(version_id: int, answers: dict, values: dict) -> str:
    body = json.dumps(
        [version_id, answers, values], sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(body.encode()).hexdigest()


def typed_values(prepared: Prepared, data: dict, values: dict, locked: set[str]) -> dict:
    unknown = sorted(set(values) - set(prepared.schema["properties"]))
    if unknown:
        raise ValidationError({"values": [f"申请表中没有这些字段：{'、'.join(unknown)}"]})
    typed = dict(data)
    for name, prop in prepared.schema["properties"].items():
        if name in locked or name not in values:
            continue
        typed[name] = formdefs.coerce(prop, values.get(name))
    return typed


def checked_member_values(prepared: Prepared, data: dict, member_values: dict) -> dict:
    """Values a system sends per member (by 实施编码) must agree with each other and with the one
    form: the same fact (an address, a name) cannot differ between departments."""
    errors = []
    by_field: dict[str, tuple[str, object]] = {}
    for code, values in (member_values or {}).items():
        plan = prepared.plan_named(code)
        if plan is None:
            errors.append(f"实施编码 {code} 不是本次办理的事项")
            continue
        properties = plan.form.schema.get("properties", {})
        for name, raw in values.items():
            if name not in properties:
                errors.append(f"“{plan.name}”的申请表中没有字段 {name}")
                continue
            value = formdefs.coerce(properties[name], raw)
            title = properties[name].get("title", name)
            if data.get(name) not in (None, "") and data[name] != value:
                errors.append(
                    f"“{title}”在“{plan.name}”中填写为“{value}”，与一表填写的“{data[name]}”不一致"
                )
            elif name in by_field and by_field[name][1] != value:
                errors.append(
                    f"“{title}”在“{by_field[name][0]}”和“{plan.name}”中填写不一致"
                    f"（“{by_field[name][1]}”与“{value}”），同一事实只能有一个值"
                )
            else:
                by_field[name] = (plan.name, value)
    if errors:
        raise ValidationError({"values": errors})
    return {**data, **{name: value for name, (_member, value) in by_field.items()}}


def form_problems(prepared: Prepared, data: dict) -> dict[str, list[str]]:
    return {
        name: [message]
        for name, message in formdefs.validate(prepared.schema, prepared.layout, data).items()
    }


def material_problems(
    prepared: Prepared, files: dict[str, list], licences: dict[str, Licence]
) -> dict[str, list[str]]:
    missing = [
        m.name
        for m in prepared.asked_materials
        if m.required and not files.get(m.key) and m.key not in licences
    ]
    return {"materials": [f"尚未上传：{'、'.join(missing)}"]} if missing else {}
