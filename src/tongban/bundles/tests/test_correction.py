"""补正 of form values in one place: a member asks to correct a field several members share; the
applicant corrects it once on the bundle and every member that asks for it gets the value (the
member under 补正 is resubmitted, the members still waiting take it into their drafts), through the
service layer, on the timeline and audited. Bad input changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.applications.models import Application
from tongban.bundles.actions import correcting, joint
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.tests.conftest import staff
from tongban.bundles.tests.test_journeys import member, submit_newborn
from tongban.cases import actions as cases
from tongban.core.models import AuditRecord


@pytest.fixture
def under_correction(newborn, parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = submit_newborn(newborn, parent)
        cases.request_correction(
            application=member(bundle, "出生医学证明"),
            actor=staff("yjsclerk"),
            items=["新生儿姓名与医学记录不一致，请更正"],
        )
    bundle.refresh_from_db()
    return bundle


def names_of(bundle) -> dict[str, str]:
    return {
        r.application.item_version.name: Application.objects.get(pk=r.application_id).data.get(
            "baby_name"
        )
        for r in joint.memberships(bundle)
    }


def test_a_shared_field_is_corrected_once_for_every_member(
    under_correction, parent, django_capture_on_commit_callbacks
):
    bundle = under_correction
    offered = {f.name: f for f in correcting.correctable_fields(bundle)}
    name = offered["baby_name"]
    assert name.value == "李小满" and len(name.applications) > 1
    assert "出生医学证明" in name.member_names and "出生登记" in name.member_names
    with django_capture_on_commit_callbacks(execute=True):
        numbers = correcting.correct(
            bundle=bundle, actor=parent, files={}, values={"baby_name": "李小圆"}
        )
    assert numbers == [member(bundle, "出生医学证明").case_number]
    assert set(names_of(bundle).values()) == {"李小圆"}  # every member, waiting ones too
    certificate = member(bundle, "出生医学证明")
    assert certificate.status == "submitted"
    bundle.refresh_from_db()
    assert bundle.status == "submitted"
    step = [e for e in joint.timeline(bundle) if e["action"] == "补正后重新提交" and not e["item"]]
    assert "新生儿姓名（出生医学证明、出生登记" in step[-1]["opinion"]
    record = AuditRecord.objects.filter(action=AuditAction.CORRECT).latest("sequence")
    assert record.detail["fields"] == ["baby_name"] and "李小圆" not in str(record.detail)
    # Again (a second tab): nothing more to correct, nothing changed.
    assert correcting.correct(bundle=bundle, actor=parent, files={}, values={}) == []


def test_bad_values_change_nothing(under_correction, parent, client):
    bundle = under_correction
    before = names_of(bundle)
    with pytest.raises(ValidationError, match="不在待补正事项的申请表中，不能在此修改：owner_id"):
        correcting.correct(bundle=bundle, actor=parent, files={}, values={"owner_id": "1"})
    with pytest.raises(ValidationError) as empty:
        correcting.correct(bundle=bundle, actor=parent, files={}, values={"baby_name": ""})
    assert "新生儿姓名" in str(empty.value)
    with pytest.raises(ValidationError, match="只有申请人本人可以补正"):
        correcting.correct(
            bundle=bundle, actor=staff("yjsclerk"), files={}, values={"baby_name": "王某"}
        )
    assert names_of(bundle) == before
    assert member(bundle, "出生医学证明").status == "correction"
    # The page: the field asked once, naming the members; a bad value is shown, nothing lost.
    client.force_login(parent)
    page = client.get(reverse("bundles:detail", args=[bundle.public_id])).content.decode()
    assert page.count('name="value_baby_name"') == 1 and "此项用于：出生医学证明、出生登记" in page
    answer = client.post(
        reverse("bundles:correct", args=[bundle.public_id]), {"value_baby_name": ""}, follow=True
    )
    assert "新生儿姓名" in answer.content.decode()
    assert names_of(bundle) == before
    done = client.post(
        reverse("bundles:correct", args=[bundle.public_id]),
        {"value_baby_name": "李小圆"},
        follow=True,
    )
    assert "补正材料已提交" in done.content.decode()
    assert set(names_of(bundle).values()) == {"李小圆"}
