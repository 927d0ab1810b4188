"""一次提交: POST /api/v1/applications/submit/ — a whole application in one request, all or nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tongban.applications.models import Application, UploadedFile
from tongban.core import audit
from tongban.core.models import AuditRecord
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/submit/"
VALUES = {"request_detail": "申请领取高龄津贴", "delivery_method": "window"}
# Queries for the whole submission (PostgreSQL; SQLite counts its extra savepoints). The same
# steps one request at a time take 14 + 2 × 7 + 2 × 11 + 21 = 71 (test_api.py).
# +2 since the data exchange: shared-data substitutes for the checklist and the prefill consumer;
# +1 on submission: the shared-data verifications of the draft get the case number (one UPDATE).
BUDGET = 27 if connection.vendor == "postgresql" else 28


def _materials(item) -> list[int]:
    return sorted(item.current_version.materials.values_list("pk", flat=True))


def _post(client, item, *, key="one-1", values=VALUES, files=None, **extra):
    body = {"implementation_code": item.implementation_code, "values": values, **extra}
    if files is None:
        files = {
            f"material_{pk}": SimpleUploadedFile("a.pdf", pdf_bytes()) for pk in _materials(item)
        }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, {"application": json.dumps(body), **files}, **headers)


def _stored_files(tmp_path) -> list:
    return [p for p in (tmp_path / "files" / "materials").rglob("*") if p.is_file()]


def test_one_request_submits_a_whole_application_and_a_retry_gets_the_same_case(
    client, citizen, published_item, tmp_path, django_capture_on_commit_callbacks, receipt_seal
):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, published_item)
    assert response.status_code == 201, response.content
    submitted = response.json()
    assert submitted["status"] == "submitted" and len(submitted["case_number"]) == 43
    application = Application.objects.get()
    assert application.channel == "api"
    assert application.data["request_detail"] == "申请领取高龄津贴"
    assert application.data["applicant_name"] == "示例老人"  # prefilled, not typed
    assert application.files.count() == 2 and len(_stored_files(tmp_path)) == 2
    assert application.receipt  # the pipeline ran after the commit
    trail = AuditRecord.objects.filter(object_type="applications.application").order_by("sequence")
    assert [r.action for r in trail] == [
        "applications.start",
        "applications.attach_file",
        "applications.attach_file",
        "applications.submit",
    ]
    assert audit.verify_chain().intact
    # A retry after a lost answer: the same case, nothing submitted twice.
    again = _post(client, published_item)
    assert again.status_code == 200 and again.json()["case_number"] == submitted["case_number"]
    assert Application.objects.count() == 1 and UploadedFile.objects.count() == 2


def test_a_refused_submission_leaves_nothing_behind_and_names_every_problem(
    client, citizen, published_item, tmp_path
):
    client.force_login(citizen)
    first, _second = _materials(published_item)
    one_file = {f"material_{first}": SimpleUploadedFile("a.pdf", pdf_bytes())}
    response = _post(client, published_item, values={"request_detail": "短"}, files=one_file)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["request_detail"] == ["至少填写 4 个字"]
    assert errors["delivery_method"] == ["请选择结果领取方式"]
    assert errors["materials"][0].startswith("尚未上传")  # in the same answer as the form's
    assert not Application.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="applications.").exists()
    assert _stored_files(tmp_path) == []


def test_a_missing_material_refuses_it_and_removes_the_files_already_written(
    client, citizen, published_item, tmp_path
):
    client.force_login(citizen)
    first, _second = _materials(published_item)
    only_one = {f"material_{first}": SimpleUploadedFile("a.pdf", pdf_bytes())}
    response = _post(client, published_item, files=only_one)
    assert response.status_code == 400
    assert response.json()["errors"]["materials"][0].startswith("尚未上传")
    assert not Application.objects.exists() and not UploadedFile.objects.exists()
    assert _stored_files(tmp_path) == []
    # The same key may be used again once the request is put right.
    assert _post(client, published_item).status_code == 201


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"key": ""}, "Idempotency-Key", "必须带 Idempotency-Key"),
        (
            {"values": {**VALUES, "favourite_colour": "蓝"}},
            "values",
            "没有这些字段：favourite_colour",
        ),
        (
            {"files": {"material_999999": SimpleUploadedFile("a.pdf", pdf_bytes())}},
            "materials",
            "不属于本次申请",
        ),
        ({"files": {"scan": SimpleUploadedFile("a.pdf", b"%PDF")}}, "scan", "material_<材料编号>"),
    ],
)
def test_bad_requests_are_refused_in_chinese(
    client, citizen, published_item, change, field, message
):
    client.force_login(citizen)
    response = _post(client, published_item, **change)
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]
    assert not Application.objects.exists()


def test_a_disguised_file_is_refused_by_its_content(client, citizen, published_item):
    client.force_login(citizen)
    first, second = _materials(published_item)
    files = {
        f"material_{first}": SimpleUploadedFile("a.pdf", pdf_bytes()),
        f"material_{second}": SimpleUploadedFile("b.pdf", b"MZ\x00\x00"),
    }
    response = _post(client, published_item, files=files)
    assert response.status_code == 400 and "改扩展名无效" in str(response.json())
    assert not Application.objects.exists()


def test_the_application_part_must_be_json(client, citizen, published_item):
    client.force_login(citizen)
    response = client.post(URL, {"application": "{not json"}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400
    assert response.json()["errors"]["application"] == ["application 部分应为 JSON 文本"]


def test_a_key_already_used_for_a_step_by_step_draft_is_a_conflict(client, citizen, published_item):
    client.force_login(citizen)
    client.post(
        "/api/v1/applications/",
        {"implementation_code": published_item.implementation_code},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    response = _post(client, published_item, key="shared")
    assert response.status_code == 409 and "草稿" in response.json()["detail"]
    assert Application.objects.filter(status="draft").count() == 1


def test_one_call_needs_login(client, published_item):
    assert _post(client, published_item).status_code == 403


def test_the_form_endpoint_names_the_fields_to_send(client, citizen, published_item):
    client.force_login(citizen)
    form = client.get(f"/api/v1/applications/forms/{published_item.implementation_code}/").json()
    assert {"request_detail", "delivery_method"} <= set(form["schema"]["properties"])
    assert form["schema"]["properties"]["applicant_name"]["x-prefill"]
    assert client.get("/api/v1/applications/forms/000000000000/").status_code == 404


def test_one_call_stays_within_its_query_budget(
    client, citizen, published_item, django_assert_max_num_queries
):
    client.force_login(citizen)
    _post(client, published_item, key="warm")  # the first one reads the published version
    files = {
        f"material_{pk}": SimpleUploadedFile("a.pdf", pdf_bytes())
        for pk in _materials(published_item)
    }
    with django_assert_max_num_queries(BUDGET):
        response = _post(client, published_item, key="measured", files=files)
    assert response.status_code == 201


def test_when_the_days_case_numbers_are_used_up_submitting_is_refused_with_the_reason(
    client, citizen, published_item, monkeypatch
):
    """An item's serials run to 9,999 a day. The next submission is refused with a reason, not a
    server error: a draft made step by step stays a draft, a one-call submission leaves nothing."""
    from tongban.applications import numbering

    monkeypatch.setattr(numbering, "MAX_SERIAL", 1)
    client.force_login(citizen)
    assert _post(client, published_item, key="first").status_code == 201
    refused = _post(client, published_item, key="second")
    assert refused.status_code == 400
    assert "办件编号已用完" in refused.json()["errors"]["non_field_errors"][0]
    assert Application.objects.count() == 1
    draft = client.post(
        "/api/v1/applications/",
        {"implementation_code": published_item.implementation_code},
        content_type="application/json",
    ).json()
    url = f"/api/v1/applications/{draft['public_id']}/"
    for section, name in ((1, "request_detail"), (2, "delivery_method")):
        values = {name: VALUES[name]}
        client.put(f"{url}sections/{section}/", {"values": values}, content_type="application/json")
    for pk in _materials(published_item):
        client.post(
            f"{url}files/", {"material": pk, "file": SimpleUploadedFile("a.pdf", pdf_bytes())}
        )
    refused = client.post(f"{url}submit/")
    assert refused.status_code == 400 and "请明天再提交" in str(refused.json())
    assert Application.objects.get(public_id=draft["public_id"]).status == "draft"
