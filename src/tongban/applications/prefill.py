"""Prefill (智能免填): values the platform already knows are filled in and not typed again.

A form field asks for a key with "x-prefill" (e.g. "applicant.name"). Sources are small functions
registered here; each answers the keys it knows for an application's context. Later data-sharing
sources (population database, market-entity registry …) register the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass

from tongban.accounts.models import User


@dataclass
class PrefillContext:
    owner: User
    enterprise: object | None  # accounts.EnterpriseProfile
    entrusted: bool  # a citizen applying for someone else: the applicant is not the account holder


Source = Callable[[PrefillContext], dict[str, object]]
_SOURCES: dict[str, Source] = {}


def prefill_source(name: str):
    def register(func: Source) -> Source:
        _SOURCES[name] = func
        return func

    return register


@prefill_source("application")
def from_application(ctx: PrefillContext) -> dict[str, object]:
    """Facts of the application itself, used by forms to show the right sections."""
    return {
        "application.applicant_kind": "enterprise" if ctx.enterprise is not None else "person",
        "application.has_agent": ctx.entrusted or ctx.enterprise is not None,
    }


@prefill_source("account")
def from_account(ctx: PrefillContext) -> dict[str, object]:
    values: dict[str, object] = {}
    owner = ctx.owner
    citizen = getattr(owner, "citizen", None) if owner.kind == User.Kind.CITIZEN else None
    if ctx.enterprise is not None:
        values.update(
            {
                "enterprise.name": ctx.enterprise.name,
                "enterprise.uscc": ctx.enterprise.uscc,
                "enterprise.legal_rep": ctx.enterprise.legal_rep_name,
                "enterprise.address": ctx.enterprise.address,
            }
        )
    if citizen is not None:
        person = {
            "name": citizen.real_name,
            "id_number": citizen.id_number,
            "phone": owner.phone,
            "address": citizen.address,
        }
        # Entrusted: the account holder is the agent (经办人/受托人), not the applicant.
        prefix = "agent" if (ctx.entrusted or ctx.enterprise is not None) else "applicant"
        values.update({f"{prefix}.{key}": value for key, value in person.items()})
    elif owner.kind == User.Kind.ENTERPRISE:
        values["agent.phone"] = owner.phone
    return {k: v for k, v in values.items() if v not in (None, "")}


def prefill_values(ctx: PrefillContext) -> dict[str, object]:
    values: dict[str, object] = {}
    for source in _SOURCES.values():
        values.update(source(ctx))
    return values


def apply(schema: dict, ctx: PrefillContext, data: dict) -> dict:
    """Fill every field that asks for a known key; prefilled fields always show the known value."""
    known = prefill_values(ctx)
    filled = dict(data)
    for name, prop in schema.get("properties", {}).items():
        key = prop.get("x-prefill")
        if key and key in known:
            filled[name] = known[key]
    return filled


# Values other departments hold, read once when a draft starts (智能免填 as the exchange consumer
# "platform.prefill", with grants of its own; each read is in the person's 用数记录). They stay
# editable: the account's own values, above, are what the platform vouches for.
EXCHANGE_SOURCES = [
    # (prefill key, resource, item, whose identifier)
    ("applicant.address", "RK_RKJBXX", "zz", "citizen"),
    ("enterprise.address", "SJ_QYDJ", "zs", "enterprise"),
]


def _exchange_subject(ctx: PrefillContext, whose: str) -> str | None:
    if whose == "enterprise":
        return ctx.enterprise.uscc if ctx.enterprise is not None else None
    citizen = getattr(ctx.owner, "citizen", None) if ctx.owner.kind == User.Kind.CITIZEN else None
    if citizen is None or ctx.entrusted or ctx.enterprise is not None:
        return None  # only the applicant's own data, read with their own account
    return citizen.id_number


def from_exchange(schema: dict, ctx: PrefillContext, data: dict) -> dict:
    """Fill empty fields whose key only another department knows. Unavailable data (no grant, the
    provider down, no record) leaves the field empty to be typed: prefill never blocks a draft."""
    from tongban.exchange.actions import query
    from tongban.exchange.actions.errors import ExchangeDenied, ProviderUnavailable
    from tongban.exchange.models import Consumer

    wanted = {prop.get("x-prefill"): name for name, prop in schema.get("properties", {}).items()}
    filled = dict(data)
    consumer = None
    for key, resource, item, whose in EXCHANGE_SOURCES:
        name = wanted.get(key)
        subject = _exchange_subject(ctx, whose) if name and not filled.get(name) else None
        if subject is None:
            continue
        consumer = consumer or Consumer.objects.filter(code="platform.prefill", active=True).first()
        if consumer is None:
            return filled
        try:
            result = query.query(
                consumer=consumer,
                resource_code=resource,
                subjects=[subject],
                items=[item],
                purpose="办事表单预填（智能免填）",
            )
        except (ExchangeDenied, ProviderUnavailable):
            continue
        record = result.records.get(subject) or {}
        if record.get(item):
            filled[name] = record[item]
    return filled
