from django.urls import reverse

from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.testing.catalog import basic_item, complete_item


def test_public_list_detail_and_search(client, demo_catalog):
    listing = client.get(reverse("api:catalog-item-list")).json()
    assert listing["count"] >= 40 and len(listing["results"]) == 20
    item = ServiceItem.objects.filter(basic_item__basic_code="050401001000").first()
    detail = client.get(reverse("api:catalog-item-detail", args=[item.implementation_code])).json()
    guide = detail["guide"]
    assert guide["name"] == "高龄津贴申领"
    assert [q["text"] for q in guide["questions"]] == ["是否首次申请?", "是否委托他人办理?"]
    assert guide["handling_items"][0]["code"] == item.implementation_code + "01"
    id_card = next(m for m in guide["materials"] if m["name"] == "申请人居民身份证")
    assert id_card["replaceable_by_licence_type"] == "居民身份证"
    assert id_card["document_kind"] == "id_card_front"  # uploads of it are read for the form
    found = client.get(reverse("api:catalog-search"), {"q": "gljt"}).json()
    assert found["results"][0]["name"] == "高龄津贴申领"


def test_write_endpoints_need_catalogue_admin_of_the_department(
    client, department, staff_clerk, catalogue_admin, other_catalogue_admin
):
    basic_item()
    url = reverse("api:catalog-item-list")
    payload = {"basic_code": "010101001000", "department": department.pk}
    assert client.post(url, payload, content_type="application/json").status_code == 403
    client.force_login(staff_clerk)
    assert client.post(url, payload, content_type="application/json").status_code == 403
    client.force_login(other_catalogue_admin)
    assert client.post(url, payload, content_type="application/json").status_code == 403
    client.force_login(catalogue_admin)
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["implementation_code"] == f"{department.uscc}3010101001000"


def test_draft_edit_publish_via_api(client, department, catalogue_admin, other_catalogue_admin):
    item, draft = complete_item(department)
    version_url = reverse("api:catalog-version-detail", args=[draft.pk])
    client.force_login(other_catalogue_admin)
    assert (
        client.patch(
            version_url, {"promised_limit": 3}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(catalogue_admin)
    bad = client.patch(version_url, {"promised_limit": 30}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["promised_limit"] == ["承诺办结时限不能长于法定办结时限"]
    ok = client.patch(version_url, {"promised_limit": 3}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["promised_limit"] == 3
    structure = client.put(
        reverse("api:catalog-version-structure", args=[draft.pk]),
        {
            "handling_items": [{"serial": "01", "name": "新设"}, {"serial": "02", "name": "注销"}],
            "materials": [
                {"name": "申请书"},
                {
                    "name": "营业执照",
                    "replaceable_by_licence_type": "营业执照",
                    "handling_serials": ["01"],
                },
            ],
            "questions": [
                {
                    "text": "您要办理哪种业务?",
                    "options": [
                        {"text": "新设", "handling_serial": "01"},
                        {"text": "注销", "handling_serial": "02"},
                    ],
                }
            ],
        },
        content_type="application/json",
    )
    assert structure.status_code == 200, structure.content
    published = client.post(reverse("api:catalog-version-publish", args=[draft.pk]))
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert ItemVersion.objects.get(pk=draft.pk).status == "published"
    again = client.post(reverse("api:catalog-item-new-draft", args=[item.implementation_code]))
    assert again.status_code == 201 and again.json()["number"] == 2


def test_the_required_real_name_level_is_read_and_set_through_the_api(
    client, department, catalogue_admin
):
    _item, draft = complete_item(department)
    url = reverse("api:catalog-version-detail", args=[draft.pk])
    client.force_login(catalogue_admin)
    assert client.get(url).json()["required_realname_level"] == 0
    bad = client.patch(url, {"required_realname_level": 4}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["required_realname_level"] == [
        "所需实名认证等级应为0（不要求）、1、2或3"
    ]
    ok = client.patch(url, {"required_realname_level": 2}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["required_realname_level"] == 2
    assert ItemVersion.objects.get(pk=draft.pk).required_realname_level == 2
