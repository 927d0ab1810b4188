"""补正 through the REST API, as on the bundle page: GET the open correction (members, notices,
materials, the fields corrected once), POST the corrected values and files; a repeat changes
nothing; bad input is a 400 in Chinese with nothing changed; someone else's bundle is 404, the
enterprise account following its agent's bundle 403."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tongban.applications.models import Application
from tongban.bundles.actions import joint
from tongban.bundles.tests.conftest import pdf, staff
from tongban.bundles.tests.test_agents import submit_as_agent
from tongban.bundles.tests.test_journeys import member, submit_newborn
from tongban.cases import actions as cases

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(bundle) -> str:
    return f"/api/v1/bundles/mine/{bundle.public_id}/correction/"


@pytest.fixture
def under_correction(newborn, parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = submit_newborn(newborn, parent)
        cases.request_correction(
            application=member(bundle, "出生医学证明"),
            actor=staff("yjsclerk"),
            items=["新生儿姓名与医学记录不一致，请更正", "首次签发登记表缺少签字"],
        )
    bundle.refresh_from_db()
    return bundle


def baby_names(bundle) -> set[str]:
    return {
        Application.objects.get(pk=r.application_id).data.get("baby_name")
        for r in joint.memberships(bundle)
    }


def test_the_open_correction_and_one_corrected_submission(
    under_correction, parent, django_capture_on_commit_callbacks
):
    bundle = under_correction
    client = client_for(parent)
    shown = client.get(url(bundle))
    assert shown.status_code == 200, shown.json()
    body = shown.json()
    assert body["open"] is True
    [certificate] = body["members"]
    assert certificate["name"] == "出生医学证明"
    assert certificate["case_number"] == member(bundle, "出生医学证明").case_number
    assert certificate["notice_items"] == [
        "新生儿姓名与医学记录不一致，请更正",
        "首次签发登记表缺少签字",
    ]
    assert certificate["respond_by"] and certificate["materials"]
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["baby_name"]["value"] == "李小满"
    assert {"出生医学证明", "出生登记"} <= set(fields["baby_name"]["members"])
    assert all(f["value"] is None for f in body["fields"] if f["personal"])

    form = next(m for m in certificate["materials"] if "登记表" in m["name"])
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url(bundle),
            {
                "correction": json.dumps({"values": {"baby_name": "李小圆"}}),
                f"material_{form['id']}": pdf("登记表.pdf"),
            },
            format="multipart",
        )
    assert done.status_code == 200, done.json()
    assert done.json()["resubmitted"] == [certificate["case_number"]]
    assert "补正材料已提交" in done.json()["detail"]
    assert baby_names(bundle) == {"李小圆"}  # every member, the waiting ones too
    resubmitted = member(bundle, "出生医学证明")
    assert resubmitted.status == "submitted"
    assert resubmitted.files.filter(original_name="登记表.pdf").count() == 1
    bundle.refresh_from_db()
    assert bundle.status == "submitted"

    # The same request again (a retry, a second device): nothing left, nothing changed.
    files = resubmitted.files.count()
    again = client.post(
        url(bundle),
        {
            "correction": json.dumps({"values": {"baby_name": "李小圆"}}),
            f"material_{form['id']}": pdf("登记表.pdf"),
        },
        format="multipart",
    )
    assert again.status_code == 200
    assert again.json() == {
        "resubmitted": [],
        "detail": "没有需要补正的事项，无需重复提交。",
    }
    assert member(bundle, "出生医学证明").files.count() == files
    bundle_steps = [e for e in joint.timeline(bundle) if e["action"] == "补正后重新提交"]
    assert len([e for e in bundle_steps if not e["item"]]) == 1
    closed = client.get(url(bundle)).json()
    assert closed == {"open": False, "members": [], "fields": []}


def test_nothing_under_correction(newborn, parent):
    bundle = submit_newborn(newborn, parent)
    client = client_for(parent)
    assert client.get(url(bundle)).json() == {"open": False, "members": [], "fields": []}
    answer = client.post(url(bundle), {"values": {"baby_name": "李小圆"}}, format="json")
    assert answer.status_code == 200 and answer.json()["resubmitted"] == []
    assert baby_names(bundle) == {"李小满"}


def test_bad_input_is_refused_in_chinese_and_changes_nothing(under_correction, parent):
    bundle = under_correction
    client = client_for(parent)
    certificate = client.get(url(bundle)).json()["members"][0]
    form = certificate["materials"][0]

    unknown = client.post(url(bundle), {"values": {"owner_id": "1"}}, format="json")
    assert unknown.status_code == 400
    assert "不在待补正事项的申请表中，不能在此修改：owner_id" in str(unknown.json()["errors"])

    empty = client.post(url(bundle), {"values": {"baby_name": ""}}, format="json")
    assert empty.status_code == 400 and "新生儿姓名" in str(empty.json()["errors"])

    not_a_pdf = client.post(
        url(bundle),
        {
            "correction": json.dumps({"values": {"baby_name": "李小圆"}}),
            f"material_{form['id']}": SimpleUploadedFile(
                "登记表.pdf", b"this is not a pdf", content_type="application/pdf"
            ),
        },
        format="multipart",
    )
    assert not_a_pdf.status_code == 400 and "PDF" in str(not_a_pdf.json()["errors"])

    stranger = client.post(url(bundle), {"material_999999": pdf()}, format="multipart")
    assert stranger.status_code == 400
    assert "上传的材料不属于待补正的事项" in str(stranger.json()["errors"])

    misnamed = client.post(url(bundle), {"file_1": pdf()}, format="multipart")
    assert misnamed.status_code == 400 and "material_<材料 id>" in str(misnamed.json()["errors"])

    broken = client.post(url(bundle), {"correction": "{"}, format="multipart")
    assert broken.status_code == 400 and "JSON" in str(broken.json()["errors"])

    not_a_dict = client.post(url(bundle), {"values": "baby_name"}, format="json")
    assert not_a_dict.status_code == 400

    # Nothing of it was kept: the member still waits for correction with its value and files.
    certificate_now = member(bundle, "出生医学证明")
    assert certificate_now.status == "correction"
    assert not certificate_now.files.filter(original_name="登记表.pdf").exists()
    assert baby_names(bundle) == {"李小满"}


def test_someone_elses_bundle(under_correction, parent):
    bundle = under_correction
    for outsider in (staff("yjsclerk"), staff("admin")):
        client = client_for(outsider)
        assert client.get(url(bundle)).status_code == 404
        posted = client.post(url(bundle), {"values": {"baby_name": "王某"}}, format="json")
        assert posted.status_code == 404
    assert APIClient().get(url(bundle)).status_code in (401, 403)
    assert baby_names(bundle) == {"李小满"}
    assert member(bundle, "出生医学证明").status == "correction"


def test_the_enterprise_account_follows_but_its_agent_corrects(
    restaurant, parent, enterprise_account
):
    bundle = submit_as_agent(restaurant, parent, enterprise_account.enterprise)
    follower = client_for(enterprise_account)
    assert follower.get(f"/api/v1/bundles/mine/{bundle.public_id}/").status_code == 200
    refused = follower.get(url(bundle))
    assert refused.status_code == 403 and "经办人" in refused.json()["detail"]
    posted = follower.post(url(bundle), {"values": {}}, format="json")
    assert posted.status_code == 403
    assert client_for(parent).get(url(bundle)).status_code == 200
