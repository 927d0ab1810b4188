"""The items an enterprise may authorise its 经办人 for, as (basic code, name) pairs.

An authorisation names 基本目录 items by their basic code (`AgentAuthorisation.covers`), but the
catalogue sits above accounts in the layers, so the catalogue registers the source here when it
starts (`catalog.apps`). The enterprise chooses by name from this list; nobody types a code.
"""

from collections.abc import Callable, Iterable

Source = Callable[[], Iterable[tuple[str, str]]]
_source: Source | None = None


def register(source: Source) -> None:
    global _source
    _source = source


def choices() -> list[tuple[str, str]]:
    """(basic code, item name), sorted by name; empty when no catalogue is installed."""
    return list(_source()) if _source is not None else []
