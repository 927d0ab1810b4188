"""Plug-in point for the open 补正告知 shown on an application's draft pages.

Correction notices belong to case handling, a higher domain that intake must not import: case
handling provides the lookup at start-up (CasesConfig.ready) and intake only shows what it gets.
"""

from collections.abc import Callable

_lookup: Callable | None = None


def provide(lookup: Callable) -> None:
    """`lookup(application)` returns the notice still to answer (items, respond_by,
    document_number), or None."""
    global _lookup
    _lookup = lookup


def open_notice(application):
    return _lookup(application) if _lookup is not None else None
