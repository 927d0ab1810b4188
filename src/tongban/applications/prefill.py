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
