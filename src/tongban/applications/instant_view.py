"""Plug-in point for the 智能秒批 outcome shown to the applicant (已秒批, or 转人工审查).

Instant approval belongs to case handling, a higher domain that intake must not import: case
handling provides the lookup at start-up (CasesConfig.ready) and intake only shows what it gets.
"""

from collections.abc import Callable

_lookup: Callable | None = None


def provide(lookup: Callable) -> None:
    """`lookup(application)` returns {"state": "pending" | "approved" | "manual" | "revoked",
    "conditions": [...], "report": CaseDocument, "licence": Licence}, or None."""
    global _lookup
    _lookup = lookup


def summary(application):
    return _lookup(application) if _lookup is not None else None
