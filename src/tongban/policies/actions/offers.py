"""Offers: telling newly eligible people and enterprises, in plain language, and their answer.

免申即享 needs nothing from anyone: the match goes straight into the next payment batch.
一键确认 is one step on the phone: the person confirms, and the payment account is taken from
shared data where the law allows (社会保障卡, "一卡通") or entered once. 精准推送 points to the
service item to apply for. Account numbers are stored encrypted and shown masked; they never
appear in a URL or a log.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from tongban.accounts.models import CitizenProfile, EnterpriseProfile, User
from tongban.core import audit, pii
from tongban.core.statemachine import transition
from tongban.notify import actions as notify
from tongban.policies import data, states
from tongban.policies.audit_actions import AuditAction
from tongban.policies.models import BankAccount, Match, Policy

D = Policy.Delivery
CYCLE_WORDS = {
    Policy.Cycle.MONTHLY: gettext_lazy("每月"),
    Policy.Cycle.YEARLY: gettext_lazy("每年"),
    Policy.Cycle.ONCE: gettext_lazy("一次性"),
}
ACCOUNT_NUMBER = re.compile(r"^\d{12,30}$")


def initial_status(policy: Policy) -> str:
    return {
        D.AUTOMATIC: Match.Status.AUTOMATIC,
        D.CONFIRM: Match.Status.OFFERED,
        D.NOTICE: Match.Status.NOTIFIED,
    }[policy.delivery]


def amount_text(match: Match) -> str:
    return gettext("%(cycle)s %(amount)s 元") % {
        "cycle": CYCLE_WORDS[match.policy.cycle],
        "amount": f"{match.amount:,.2f}",
    }


def _value_text(clause: dict) -> str:
    value = clause.get("value")
    if value is None or not clause.get("value_label"):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return gettext("（%(label)s：%(value)s）") % {"label": clause["value_label"], "value": value}


def reason_text(explanation: dict) -> str:
    """The explanation as a sentence a person reads: which conditions hold, on which values."""
    held = [
        c["label"] + _value_text(c) for c in explanation.get("clauses", []) if c["result"] is True
    ]
    band = explanation.get("band")
    # The labels and band names are the policy's own words (content); the sentence around them
    # is the page's language.
    text = (
        gettext("您符合：%(conditions)s。") % {"conditions": gettext("；").join(held)}
        if held
        else ""
    )
    if band:
        text += gettext("按“%(band)s”的标准发放。") % {"band": band}
    return text.strip()


def blocking_text(explanation: dict) -> str:
    """Why a subject does not qualify: the first condition not met, with its value."""
    for clause in explanation.get("clauses", []):
        if clause["clause"] == explanation.get("blocking"):
            if clause["result"] is None:
                return gettext("缺少判断“%(condition)s”所需的数据") % {"condition": clause["label"]}
            return gettext("不符合“%(condition)s”%(value)s") % {
                "condition": clause["label"],
                "value": _value_text(clause),
            }
    if explanation.get("outcome") == "pass":
        return gettext("符合条件，但按金额标准本期无可发放金额")
    return ""


def account_for(match: Match) -> User | None:
    """The platform account of the matched person or enterprise, if they have one."""
    if match.subject_kind == data.PERSON:
        profile = CitizenProfile.objects.filter(id_index=match.subject_index).first()
    else:
        profile = EnterpriseProfile.objects.filter(uscc=pii.decrypt(match.subject_ref)).first()
    return profile.user if profile else None


def subject_index_of(user) -> tuple[str, str] | None:
    """(target, blind index) of a citizen's or enterprise's account."""
    if user.kind == User.Kind.CITIZEN and hasattr(user, "citizen"):
        return data.PERSON, user.citizen.id_index
    if user.kind == User.Kind.ENTERPRISE and hasattr(user, "enterprise"):
        return data.ENTERPRISE, pii.blind_index(
            user.enterprise.uscc, data.SUBJECT_KIND["enterprise"]
        )
    return None


def offer(match: Match, *, first: bool = True) -> None:
    """Tell the subject (in-app and SMS; inside the run's transaction)."""
    recipient = account_for(match)
    template = {
        D.AUTOMATIC: "policy.granted",
        D.CONFIRM: "policy.offer",
        D.NOTICE: "policy.notice",
    }[match.policy.delivery]
    if recipient is not None:
        notify.send(
            recipient,
            template,
            {
                "policy_name": match.policy.name,
                "amount_text": amount_text(match),
                "reason": reason_text(match.explanation),
                "department": match.policy.department.name,
            },
            related=match,
            link=f"/policies/{match.pk}/",
        )
    audit.record(
        AuditAction.OFFER,
        obj=match,
        detail={"policy": match.policy.code, "delivery": match.policy.delivery, "first": first},
    )


def _owned(user, match: Match) -> Match:
    mine = subject_index_of(user)
    if mine is None or mine != (match.subject_kind, match.subject_index):
        raise PermissionDenied(gettext("只能办理本人或本企业的政策"))
    return match


def shared_account(match: Match) -> tuple[str, str] | None:
    """The subject's account from shared data where the law allows it: a person's 社会保障卡
    account ("一卡通"), an enterprise's account reported to the tax bureau; None when there is
    none (then it is entered once)."""
    return data.bank_accounts([match.subject_index], match.subject_kind).get(match.subject_index)


def payment_account(subject_index: str) -> BankAccount | None:
    return BankAccount.objects.filter(subject_index=subject_index).first()


def _store_account(subject_index, holder, bank, number, source) -> BankAccount:
    account, _ = BankAccount.objects.update_or_create(
        subject_index=subject_index,
        defaults={
            "holder": holder,
            "bank": bank,
            "number": pii.encrypt(number),
            "masked": pii.mask_bank_account(number),
            "source": source,
        },
    )
    return account


def _checked_number(bank: str, number: str) -> tuple[str, str]:
    number = re.sub(r"[\s-]", "", number or "")
    errors = {}
    if not (bank or "").strip():
        errors["bank"] = [gettext("请填写开户银行")]
    if not ACCOUNT_NUMBER.match(number):
        errors["account_number"] = [gettext("银行账号应为12至30位数字")]
    if errors:
        raise ValidationError(errors)
    return bank.strip(), number


@transaction.atomic
def set_account(*, user, match: Match, bank: str, number: str) -> BankAccount:
    """Entered once by the person or enterprise; used for every policy paid to them."""
    _owned(user, match)
    bank, number = _checked_number(bank, number)
    account = _store_account(
        match.subject_index, match.subject_name, bank, number, BankAccount.Source.ENTERED
    )
    audit.record(
        AuditAction.ACCOUNT_SET, actor=user, obj=account, detail={"masked": account.masked}
    )
    from tongban.policies.actions import payments

    payments.retry_failed_for(match.subject_index, actor=user)
    return account


def ensure_shared_account(match: Match) -> BankAccount | None:
    """Take the subject's account from shared data when none is on file."""
    account = payment_account(match.subject_index)
    if account is not None:
        return account
    shared = shared_account(match)
    if shared is None:
        return None
    bank, number = shared
    account = _store_account(
        match.subject_index, match.subject_name, bank, number, BankAccount.Source.SHARED
    )
    audit.record(AuditAction.ACCOUNT_SHARED, obj=account, detail={"masked": account.masked})
    return account


@transaction.atomic
def confirm(*, user, match: Match, bank: str = "", number: str = "") -> Match:
    """一键确认: one step. An account is needed once (taken from shared data where allowed);
    confirming again changes nothing."""
    match = Match.objects.select_for_update().select_related("policy").get(pk=match.pk)
    _owned(user, match)
    if match.status == Match.Status.CONFIRMED:
        return match
    states.MATCH.check(
        match.status,
        Match.Status.CONFIRMED,
        states.SUBJECT,
        message=gettext("该政策当前状态为“%(status)s”，无需确认"),
    )
    if number:
        set_account(user=user, match=match, bank=bank, number=number)
    elif ensure_shared_account(match) is None:
        raise ValidationError(
            {"account_number": [gettext("请填写用于接收资金的银行账户（只需填写一次）")]}
        )
    match.confirmed_at = timezone.now()
    transition(
        match,
        Match.Status.CONFIRMED,
        actor_kind=states.SUBJECT,
        machine=states.MATCH,
        update_fields=["confirmed_at", "updated_at"],
        write_audit=False,
    )
    audit.record(
        AuditAction.OFFER_CONFIRM, actor=user, obj=match, detail={"policy": match.policy.code}
    )
    return match


@transaction.atomic
def decline(*, user, match: Match) -> Match:
    match = Match.objects.select_for_update().get(pk=match.pk)
    _owned(user, match)
    transition(
        match,
        Match.Status.DECLINED,
        actor_kind=states.SUBJECT,
        machine=states.MATCH,
        message=gettext("只有待确认的政策可以放弃"),
        update_fields=["updated_at"],
        write_audit=False,
    )
    audit.record(AuditAction.OFFER_DECLINE, actor=user, obj=match)
    return match


def matches_for(user):
    mine = subject_index_of(user)
    if mine is None:
        return Match.objects.none()
    target, index = mine
    return (
        Match.objects.filter(subject_kind=target, subject_index=index)
        .select_related("policy", "policy__department")
        .order_by("-eligible", "policy__name")
    )
