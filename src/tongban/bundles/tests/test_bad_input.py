"""Bad input from the issue: conflicting values between members' fields, a member withdrawn from the
catalogue after the bundle was published, a resubmission while a member is under 补正; and the
ordinary ones (unanswered questions, missing materials, a form that cannot be merged). Each gives a
clear Chinese error, loses nothing and never creates a member twice."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tongban.applications.models import Application
from tongban.bundles.actions import applying, correcting, joint, types, window
from tongban.bundles.models import BundleApplication
from tongban.bundles.tests.conftest import pdf, staff
from tongban.bundles.tests.test_journeys import (
    NEWBORN_VALUES,
    answers_for,
    member,
    newborn_files,
    submit_newborn,
)
from tongban.cases import actions as cases
from tongban.catalog import actions as catalog
from tongban.core import workdays
from tongban.notify.models import Notification


def test_refusals_leave_nothing_behind(newborn, parent):
    answers = answers_for(newborn, 0)
    with pytest.raises(ValidationError) as unanswered:
        applying.submit_bundle(
            owner=parent, version=newborn, channel="pc", answers={}, values=NEWBORN_VALUES
        )
    assert "请回答：是否同时为新生儿申领社会保障卡?" in str(unanswered.value)
    with pytest.raises(ValidationError) as missing:
        applying.submit_bundle(
            owner=parent,
            version=newborn,
            channel="pc",
            answers=answers,
            values={**NEWBORN_VALUES, "baby_name": ""},
            licence_consent=True,
        )
    errors = missing.value.message_dict
    assert "baby_name" in errors and "尚未上传" in errors["materials"][0]
    # Two members' fields for one fact must agree (a department system sending per member).
    with pytest.raises(ValidationError) as conflict:
        submit_newborn(
            newborn,
            parent,
            member_values={
                applying.prepare(newborn, answers).plans[1].member.implementation_code: {
                    "baby_name": "李大满"
                }
            },
        )
    assert "“新生儿姓名”在“出生登记”中填写为“李大满”，与一表填写的“李小满”不一致" in str(
        conflict.value
    )
    with pytest.raises(ValidationError, match="请同意"):
        applying.submit_bundle(
            owner=parent,
            version=newborn,
            channel="pc",
            answers=answers,
            values=NEWBORN_VALUES,
            files=newborn_files(newborn, answers),
            licence_consent=False,
        )
    assert not Application.objects.filter(owner=parent).exists()
    assert not BundleApplication.objects.exists()


def test_withdrawn_member_blocks_the_bundle_with_a_message_for_staff(newborn, parent, client):
    from tongban.bundles.demo import item

    social = item("birth_cert")
    catalog.withdraw(
        actor=staff("admin"), version=social.current_version, reason="职能调整，暂停网上办理"
    )
    problems = types.problems(newborn)
    assert problems == [f"成员事项“{social}”（{social.implementation_code}）已撤回或停止办理"]
    with pytest.raises(applying.BundleUnavailable, match="暂时不能申请"):
        submit_newborn(newborn, parent)
    assert not Application.objects.filter(owner=parent).exists()
    client.force_login(staff("admin"))
    page = client.get("/workbench/bundles/types/")
    assert "该一件事当前不能申请" in page.content.decode() and problems[0] in page.content.decode()
    client.force_login(parent)
    guide = client.get(f"/bundles/newborn/?q{newborn.questions.get().pk}=")
    assert guide.status_code == 200


def test_one_correction_notice_one_place_no_duplicates(
    newborn, parent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = submit_newborn(newborn, parent)
        certificate = member(bundle, "出生医学证明")
        cases.request_correction(
            application=certificate,
            actor=staff("yjsclerk"),
            items=["出生医学证明首次签发登记表缺少签字"],
        )
    bundle.refresh_from_db()
    assert bundle.status == "correction"
    notices = Notification.objects.filter(
        recipient=parent, template_code="bundle.correction_needed"
    )
    assert notices.count() == 1 and notices.get().subject == "需补正：新生儿出生一件事"
    # Applying again (another tab, a new key) while under 补正 is refused: no member twice.
    with pytest.raises(ValidationError, match="正在补正，请在原申请中补正"):
        submit_newborn(newborn, parent, key="k2")
    assert Application.objects.filter(owner=parent).count() == 4
    material = next(
        m for m in correcting.under_correction(bundle)[0]["materials"] if "登记表" in m.name
    )
    with django_capture_on_commit_callbacks(execute=True):
        numbers = correcting.correct(bundle=bundle, actor=parent, files={material.pk: [pdf()]})
    assert numbers == [certificate.case_number]
    assert correcting.correct(bundle=bundle, actor=parent, files={}) == []  # twice: nothing more
    bundle.refresh_from_db()
    assert bundle.status == "submitted"
    assert window.accept_all(bundle=bundle, actor=staff("yjsclerk")) == [certificate.case_number]
    assert Application.objects.filter(owner=parent).count() == 4
    assert [e["action"] for e in joint.timeline(bundle)].count("补正后重新提交") >= 1
    # The joint deadline is watched like a case's: yellow when close, red when passed, once each.
    bundle.refresh_from_db()
    due = bundle.due_date
    calendar = workdays.Calendar()
    assert due == calendar.add_working_days(bundle.accepted_on, newborn.promised_days)
    assert joint.raise_warnings(today=due - datetime.timedelta(days=1)) == {"yellow": 1, "red": 0}
    assert joint.raise_warnings(today=due + datetime.timedelta(days=10)) == {"yellow": 0, "red": 1}
    assert joint.raise_warnings(today=due + datetime.timedelta(days=11)) == {"yellow": 0, "red": 0}
    assert list(bundle.warnings.order_by("pk").values_list("level", flat=True)) == ["yellow", "red"]


def test_fields_that_mean_different_things_cannot_be_merged(newborn):
    from tongban.applications import actions as intake
    from tongban.applications import formlib
    from tongban.bundles.demo import item

    registration = item("birth_registration")
    schema, layout = formlib.build(
        {"baby_gender": {"type": "string", "title": "性别", "enum": ["1", "2"]}}, ["baby_gender"]
    )
    intake.publish_form(actor=None, service_item=registration, schema=schema, layout=layout)
    problems = types.problems(newborn)
    assert any("（baby_gender）在“出生医学证明”和“出生登记”中的含义不同" in p for p in problems)
    draft = types.new_draft(actor=staff("admin"), bundle=newborn.bundle)
    with pytest.raises(ValidationError, match="含义不同"):
        types.publish(actor=staff("admin"), version=draft)
