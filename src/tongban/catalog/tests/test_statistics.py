from django.urls import reverse

from tongban.catalog import actions, statistics
from tongban.core.models import ServiceHall
from tongban.testing.catalog import complete_item


def test_statistics_change_after_publishing(client, department, catalogue_admin):
    _online, draft = complete_item(
        department,
        code="010101001000",
        name="甲事项",
        legal_limit=20,
        promised_limit=5,
        max_visits=0,
        handling_type="1",
    )
    actions.publish(actor=catalogue_admin, version=draft)
    figures = statistics.compute(department=department)["total"]
    assert figures.as_dict() == {
        "items": 1,
        "online": 1,
        "online_rate": 100.0,
        "at_most_once": 1,
        "at_most_once_rate": 100.0,
        "zero_visit": 1,
        "zero_visit_rate": 100.0,
        "immediate": 1,
        "immediate_share": 100.0,
        "compression_ratio": 75.0,
    }
    hall = ServiceHall.objects.create(
        name="许昌市政务服务中心", kind="centre", region=department.region, address="示例路1号"
    )
    _other, draft = complete_item(
        department,
        code="010101002000",
        name="乙事项",
        is_online=False,
        online_url="",
        legal_limit=10,
        promised_limit=10,
        max_visits=2,
        halls=[hall],
    )
    client.force_login(catalogue_admin)
    before = client.get(reverse("catalog_staff:statistics")).content.decode()
    assert "100.0%（1/1）" in before
    actions.publish(actor=catalogue_admin, version=draft)
    result = statistics.compute(department=department)
    figures = result["total"]
    assert (
        figures.items,
        figures.online_rate,
        figures.at_most_once_rate,
        figures.zero_visit_rate,
    ) == (2, 50.0, 50.0, 50.0)
    assert figures.immediate_share == 50.0
    assert figures.compression_ratio == 50.0  # (15 + 0) / (20 + 10)
    assert [d.name for d, _f in result["departments"]] == [department.name]
    after = client.get(reverse("catalog_staff:statistics")).content.decode()
    assert "50.0%（1/2）" in after
    api = client.get(reverse("api:catalog-statistics"), {"region": department.region_id}).json()
    assert api["total"]["items"] == 2 and api["total"]["online_rate"] == 50.0


def test_region_prefix():
    assert statistics.region_prefix("411000") == "4110"
    assert statistics.region_prefix("411002") == "411002"
    assert statistics.region_prefix("410000") == "41"
    assert statistics.region_prefix("411002001000") == "411002001"
