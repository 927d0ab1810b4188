import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tongban.applications.models import Application
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db
BASE = "/api/v1/applications/"
# Queries per step of an API submission (PostgreSQL; SQLite counts its extra savepoints).
# create and submit: +2 since the data exchange (the checklist asks which materials shared data can stand in
# for, and prefill looks up its consumer), still a fixed number whatever the item. submit: +1 since
# the materials verified through shared data while it was a draft get the case number (one UPDATE).
BUDGET = (
    {"create": 16, "page": 7, "upload": 11, "submit": 24}
    if connection.vendor == "postgresql"
    else {"create": 18, "page": 11, "upload": 15, "submit": 25}
)


def test_api_journey_with_idempotent_create_and_submit(client, citizen, published_item):
    client.force_login(citizen)
    body = {"implementation_code": published_item.implementation_code}
    first = client.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["public_id"] == again.json()["public_id"]
    assert Application.objects.count() == 1
    draft = first.json()
    assert "applicant_name" in draft["form"]["prefilled"]
    assert draft["problems"]["request_detail"] == ["请填写申请事项说明"]
    url = f"{BASE}{draft['public_id']}/"
    bad = client.put(
        url + "sections/1/", {"values": {"request_detail": "短"}}, content_type="application/json"
    )
    assert bad.json() == {"errors": {"request_detail": "至少填写 4 个字"}}
    client.put(
        url + "sections/1/",
        {"values": {"request_detail": "申请领取高龄津贴"}},
        content_type="application/json",
    )
    client.put(
        url + "sections/2/",
        {"values": {"delivery_method": "window"}},
        content_type="application/json",
    )
    for material in draft["materials"]:
        uploaded = client.post(
            url + "files/",
            {"material": material["id"], "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
        )
        assert uploaded.status_code == 201, uploaded.content
    disguised = client.post(
        url + "files/",
        {
            "material": draft["materials"][0]["id"],
            "file": SimpleUploadedFile("a.pdf", b"MZ\x00\x00"),
        },
    )
    assert disguised.status_code == 400 and "改扩展名无效" in str(disguised.json())
    submitted = client.post(url + "submit/").json()
    assert len(submitted["case_number"]) == 43 and submitted["status"] == "submitted"
    assert client.post(url + "submit/").json()["case_number"] == submitted["case_number"]
    assert client.get(BASE).json()["results"][0]["channel"] == "api"


def test_values_for_another_page_or_no_field_are_refused_not_dropped(
    client, citizen, published_item
):
    client.force_login(citizen)
    body = {"implementation_code": published_item.implementation_code}
    draft = client.post(BASE, body, content_type="application/json").json()
    url = f"{BASE}{draft['public_id']}/sections/1/"
    values = {"request_detail": "申请领取高龄津贴", "delivery_method": "window", "colour": "红"}
    refused = client.put(url, {"values": values}, content_type="application/json")
    assert refused.status_code == 400
    message = str(refused.json())
    assert "“结果领取方式”在第 3 页" in message and "申请表中没有这些字段：colour" in message
    saved = Application.objects.get(public_id=draft["public_id"]).data
    assert saved.get("request_detail") is None  # nothing of a refused page is half-saved


def test_a_retry_racing_the_first_create_gets_the_first_draft(
    client, citizen, published_item, monkeypatch
):
    """Two requests with the same Idempotency-Key that both find no draft yet (a client's retry
    overtaking its first attempt): the second insert is refused by the unique key and answers with
    the first draft, and only one start is audited."""
    from tongban.applications import api
    from tongban.core.models import AuditRecord

    client.force_login(citizen)
    body = {"implementation_code": published_item.implementation_code}
    first = client.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-9")
    monkeypatch.setattr(api, "_application_for_key", lambda key, owner, fingerprint: None)
    raced = client.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-9")
    assert raced.status_code == 201
    assert raced.json()["public_id"] == first.json()["public_id"]
    assert Application.objects.count() == 1
    assert AuditRecord.objects.filter(action="applications.start").count() == 1


def test_api_refuses_incomplete_submission_with_reasons(client, citizen, published_item):
    client.force_login(citizen)
    draft = client.post(
        BASE,
        {"implementation_code": published_item.implementation_code},
        content_type="application/json",
    ).json()
    response = client.post(f"{BASE}{draft['public_id']}/submit/")
    assert response.status_code == 400
    assert response.json()["errors"]["materials"][0].startswith("尚未上传")


def test_api_needs_login_and_hides_other_peoples_applications(
    client, citizen, second_citizen, published_item
):
    assert client.get(BASE).status_code == 403
    client.force_login(citizen)
    draft = client.post(
        BASE,
        {"implementation_code": published_item.implementation_code},
        content_type="application/json",
    ).json()
    client.force_login(second_citizen)
    assert client.get(f"{BASE}{draft['public_id']}/").status_code == 404


def test_public_progress_api(client, citizen, published_item):
    response = client.post(
        "/api/v1/progress/",
        {"case_number": "1" * 43, "phone_tail": "1234"},
        content_type="application/json",
    )
    assert response.status_code == 404 and "没有找到匹配的办件" in response.json()["detail"]


def test_an_api_submission_stays_within_its_query_budget(
    client, citizen, published_item, django_assert_max_num_queries
):
    """Each step of a submission through the API reads what it needs once: the published version's
    materials come from the process's copy, the checklist is worked out once per response, and a
    row lock does not read the owner and form again (docs/sizing.md, "A submission")."""
    client.force_login(citizen)
    body = {"implementation_code": published_item.implementation_code}
    client.post(BASE, body, content_type="application/json")  # the first one reads the version
    with django_assert_max_num_queries(BUDGET["create"]):
        draft = client.post(BASE, body, content_type="application/json").json()
    url = f"{BASE}{draft['public_id']}/"
    for section, values in (
        (1, {"request_detail": "申请领取高龄津贴"}),
        (2, {"delivery_method": "window"}),
    ):
        with django_assert_max_num_queries(BUDGET["page"]):
            saved = client.put(
                f"{url}sections/{section}/", {"values": values}, content_type="application/json"
            )
        assert saved.json() == {"errors": {}}
    for material in draft["materials"]:
        with django_assert_max_num_queries(BUDGET["upload"]):
            uploaded = client.post(
                url + "files/",
                {"material": material["id"], "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
            )
        assert uploaded.status_code == 201
    with django_assert_max_num_queries(BUDGET["submit"]):
        submitted = client.post(url + "submit/").json()
    assert submitted["status"] == "submitted"
