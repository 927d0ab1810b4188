"""Catalogue settings, read from Django settings with defaults.

CATALOG_LOCKED_ELEMENTS: the elements an implementation item inherits from its 基本目录 item and may
not change ("四级N同"). Which elements these are is not fixed by the standard, so it is configuration.
CATALOG_SEARCH_PAGE_SIZE: results per page of the catalogue search.
Neither has a line in settings.py: their one default is here.
"""

from django.conf import settings

DEFAULT_SEARCH_PAGE_SIZE = 20
DEFAULT_LOCKED_ELEMENTS = ["name", "item_type", "legal_basis", "exercise_content", "service_object"]
LOCKABLE_ELEMENTS = {
    "name",
    "item_type",
    "legal_basis",
    "exercise_content",
    "service_object",
    "authority_division",
}


def locked_elements() -> list[str]:
    names = list(getattr(settings, "CATALOG_LOCKED_ELEMENTS", DEFAULT_LOCKED_ELEMENTS))
    unknown = set(names) - LOCKABLE_ELEMENTS
    if unknown:
        raise ValueError(f"CATALOG_LOCKED_ELEMENTS 含有不能锁定的要素：{sorted(unknown)}")
    return names


def search_page_size() -> int:
    return int(getattr(settings, "CATALOG_SEARCH_PAGE_SIZE", DEFAULT_SEARCH_PAGE_SIZE))


def publish_by_second_person() -> bool:
    """Whether a draft's creator and editors are kept from publishing it (settings.py)."""
    return bool(settings.CATALOG_PUBLISH_BY_SECOND_PERSON)
