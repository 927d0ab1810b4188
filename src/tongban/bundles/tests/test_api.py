"""/api/v1/bundles: the public list and guide, one idempotent submission, the account's bundle
applications and their joint status; bad input answered in Chinese, nothing created twice."""

import pytest
from rest_framework.test import APIClient

from tongban.bundles.models import BundleApplication, MemberApplication
from tongban.bundles.tests.conftest import pdf
from tongban.bundles.tests.test_journeys import NEWBORN_VALUES, answers_for

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_list_and_guide_are_public(newborn):
    client = client_for()
    listed = client.get("/api/v1/bundles/").json()
    assert {b["code"] for b in listed} >= {"newborn", "restaurant"}
    assert all(
        b["theme"] == "enterprise" for b in client.get("/api/v1/bundles/?theme=enterprise").json()
    )
    guide = client.get("/api/v1/bundles/newborn/").json()
    assert guide["questions"] and "materials" not in guide
    query = "&".join(f"q{q}={o}" for q, o in answers_for(newborn, 0).items())
    full = client.get(f"/api/v1/bundles/newborn/?{query}").json()
    assert full["available"] is True
    names = [m["name"] for m in full["materials"]]
    assert len(names) == len(set(names))  # each material asked once
    assert len(full["members"]) >= 3 and full["form"]["schema"]["properties"]


def test_bad_inputs_answer_in_chinese(newborn, parent):
    client = client_for()
    bad = client.get("/api/v1/bundles/?theme=9")
    assert bad.status_code == 400 and "个人一件事" in str(bad.json())
    missing = client.get("/api/v1/bundles/nosuchbundle/")
    assert missing.status_code == 404 and "未找到" in missing.json()["detail"]
    assert client.post("/api/v1/bundles/newborn/submit/", {}, format="json").status_code in (
        401,
        403,
    )
    signed = client_for(parent)
    no_key = signed.post("/api/v1/bundles/newborn/submit/", {}, format="json")
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["errors"]
    wrong = signed.post(
        "/api/v1/bundles/newborn/submit/",
        {"answers": {"999999": "1"}, "values": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="a1",
    )
    assert wrong.status_code == 400
    assert BundleApplication.objects.count() == 0
    other = client_for(parent).get("/api/v1/bundles/mine/00000000-0000-0000-0000-000000000000/")
    assert other.status_code == 404


def _submit(client, version, key="api-1", **extra):
    answers = {str(q): str(o) for q, o in answers_for(version, 0).items()}
    guide_query = "&".join(f"q{q}={o}" for q, o in answers.items())
    guide = client.get(f"/api/v1/bundles/newborn/?{guide_query}").json()
    body = {"answers": answers, "values": NEWBORN_VALUES, "licence_consent": True, **extra}
    import json

    data = {"bundle": json.dumps(body)}
    for m in guide["materials"]:
        if m["asked"]:
            data[f"material_{m['key']}"] = pdf(f"{m['name']}.pdf")
    return client.post(
        "/api/v1/bundles/newborn/submit/", data, format="multipart", HTTP_IDEMPOTENCY_KEY=key
    )


def test_submit_is_idempotent_and_status_is_joint(newborn, parent):
    client = client_for(parent)
    first = _submit(client, newborn)
    assert first.status_code == 201, first.json()
    members = MemberApplication.objects.count()
    again = _submit(client, newborn)
    assert again.status_code == 200 and again.json()["public_id"] == first.json()["public_id"]
    assert MemberApplication.objects.count() == members  # nothing created twice
    changed = _submit(client, newborn, values={**NEWBORN_VALUES, "baby_name": "李大满"})
    assert changed.status_code == 400 and "另一份申请" in str(changed.json())
    mine = client.get("/api/v1/bundles/mine/").json()
    assert [b["public_id"] for b in mine] == [first.json()["public_id"]]
    status = client.get(f"/api/v1/bundles/mine/{first.json()['public_id']}/").json()
    assert len(status["members"]) == members
    assert all(m["case_number"] for m in status["members"])
    assert status["timeline"] and status["result_available"] is False
