"""What an enterprise may authorise its 经办人 for (registered with accounts.authorisable): the
基本目录 items that have a published implementation and serve legal persons or organisations."""

from tongban.catalog.codes import ServiceObject
from tongban.catalog.models import BasicItem

FOR_ORGANISATIONS = [code for code in ServiceObject.values if code != ServiceObject.NATURAL_PERSON]


def items_for_enterprises() -> list[tuple[str, str]]:
    rows = (
        BasicItem.objects.filter(items__current_version__isnull=False)
        .values_list("basic_code", "name", "service_object")
        .distinct()
        .order_by("name", "basic_code")
    )
    return [
        (code, name)
        for code, name, served in rows
        if any(part.strip() in FOR_ORGANISATIONS for part in served.split(","))
    ]
