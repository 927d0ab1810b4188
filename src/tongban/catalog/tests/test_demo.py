from tongban.catalog import demo as catalog_demo
from tongban.catalog.models import ItemVersion, ServiceItem


def test_demo_loads_twice_and_is_complete(demo_catalog):
    catalog_demo.load(lambda _msg: None)
    items = ServiceItem.objects.filter(current_version__isnull=False)
    assert items.count() >= 40
    assert items.values("department").distinct().count() >= 8
    assert set(items.values_list("exercise_level", flat=True)) >= {3, 4, 5}
    types = set(items.values_list("current_version__handling_type", flat=True))
    assert {"1", "2"} <= types
    assert ItemVersion.objects.filter(status=ItemVersion.Status.SUPERSEDED).exists()
