"""Issuing a licence, in the service layer: an approved 承诺件 is completed 出证办结
→ a licence in the citizen's wallet whose PDF verifies, fails after one changed byte, waives a
material in a second application, and produces one reminder near expiry."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tongban.applications import actions as intake
from tongban.applications import licence_use
from tongban.applications.models import TimelineEvent
from tongban.cases import actions as cases
from tongban.core.models import AuditRecord
from tongban.licences import actions, identifier
from tongban.licences.models import Licence, LicenceUse, ReminderSent
from tongban.notify.models import Notification
from tongban.seals import actions as seals
from tongban.testing.builders import (
    approved_and_completed,
    submit_application,
    waiving_item,
)
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def test_completion_issues_a_verifiable_licence_that_waives_a_material_and_reminds(
    citizen, department, team, promise_item, licence_type
):
    licence = approved_and_completed(citizen, team, promise_item)

    # issued: identifier, data, validity, wallet, timeline, audit
    assert identifier.check(licence.identifier) == (True, "")
    assert licence.identifier.startswith(
        f"1.2.156.3005.2.{licence_type.type_code}.{department.uscc}."
    )
    assert licence.version == 1 and licence.status == Licence.Status.VALID
    assert licence.issued_on == D(2026, 9, 28) and licence.valid_until == D(2027, 9, 27)
    assert licence.data == {"request_detail": "申请办理许可"}
    assert licence.holder_id_type == "111" and licence.owner == citizen
    assert licence.holder_id_number == citizen.citizen.id_number
    assert licence.trust_level == "A"
    meta = licence.metadata()
    assert (
        meta["证照类型代码"] == licence_type.type_code and meta["颁发机构代码"] == department.uscc
    )
    assert meta["管辖属地编码"] == department.region.code and meta["照面信息"] == {
        "许可项目": "申请办理许可"
    }
    assert list(actions.wallet(citizen)) == [licence]
    assert TimelineEvent.objects.filter(
        application=licence.application, action="签发电子证照", is_public=True
    ).exists()
    assert AuditRecord.objects.filter(action="licences.issue").count() == 1

    # the PDF verifies, and fails after one changed byte
    pdf = licence.document.read_bytes()
    assert licence.document.document_type == "licence"
    assert licence.document.number == licence.identifier
    assert licence.document.seal.kind == "licence"
    assert seals.verify_pdf(pdf).is_valid
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    assert not seals.verify_pdf(tampered).is_valid
    assert actions.verify(licence.identifier).ok

    # 免证可办 in a second application
    item, material = waiving_item(department, team, licence_type.name)
    with at(D(2026, 10, 12)):
        application = intake.start_application(owner=citizen, service_item=item, channel="pc")
        rows = {row["material"].pk: row for row in intake.material_checklist(application)}
        assert rows[material.pk]["licence_offer"] == licence
        assert rows[material.pk]["missing"]
        with pytest.raises(ValidationError, match="同意"):
            licence_use.use_for_material(application, material, licence, citizen, consent=False)
        use = licence_use.use_for_material(application, material, licence, citizen, consent=True)
        again = licence_use.use_for_material(application, material, licence, citizen, consent=True)
    assert again == use
    rows = {row["material"].pk: row for row in intake.material_checklist(application)}
    assert rows[material.pk]["licence_use"] == use and not rows[material.pk]["missing"]
    other = [pk for pk in rows if pk != material.pk]
    assert all(rows[pk]["missing"] for pk in other)  # the other material still needs a file
    assert list(licence.uses.values_list("purpose", "application", "material")) == [
        ("material", application.pk, material.pk)
    ]
    assert use.department == item.department and use.consent
    # staff see it with its verification result
    from tongban.licences.templatetags.licences import case_licence_uses

    staff_rows = case_licence_uses(application)["rows"]
    assert staff_rows[0]["check"].ok and staff_rows[0]["file"].is_valid

    # reminders: 89 days before → the 90-day one; 26 days before → the 30-day one, once
    with at(D(2027, 6, 30)):
        assert actions.send_expiry_reminders()["sent"] == 1
    with at(D(2027, 9, 1)):
        assert actions.send_expiry_reminders()["sent"] == 1
        assert actions.send_expiry_reminders()["sent"] == 0
    assert sorted(ReminderSent.objects.values_list("days_before", flat=True)) == [30, 90]
    notes = Notification.objects.filter(recipient=citizen, template_code="licence.expiring")
    assert notes.count() == 2
    assert notes.first().link.endswith(f"/{promise_item.implementation_code}/")
    assert actions.reminder_statistics() == {"reminders": 2, "renewals": 0}
    with at(D(2027, 9, 2)):
        renewed = actions.renew(licence, team["handler"])
    assert actions.reminder_statistics() == {"reminders": 2, "renewals": 1}
    assert renewed.valid_until == D(2028, 9, 1)

    # expiry job
    with at(D(2028, 9, 2)):
        assert renewed.effective_status == Licence.Status.EXPIRED
        assert actions.expire_due() == 1
    renewed.refresh_from_db()
    assert renewed.status == Licence.Status.EXPIRED
    assert not actions.verify(renewed.identifier).ok


def test_completion_rolls_back_when_the_licence_cannot_be_signed(
    citizen, department, team, promise_item, licence_type
):
    for seal in department.seals.filter(kind__in=["licence", "official"]):
        seals.revoke_seal(None, seal, "测试注销")
    with pytest.raises(ValidationError, match="电子证照签发失败"):
        approved_and_completed(citizen, team, promise_item)
    application = promise_item.applications.get()
    assert application.status == "approved"
    assert not Licence.objects.exists()


def test_items_without_a_licence_type_issue_nothing(citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    with at(D(2026, 9, 22)):
        cases.accept(application=application, actor=team["clerk"])
    assert actions.issue_for_case(application, team["clerk"]) is None


def test_wallet_use_refuses_others_licences_and_wrong_types(
    citizen, second_citizen, department, team, promise_item, licence_type
):
    licence = approved_and_completed(citizen, team, promise_item)
    item, material = waiving_item(department, team, licence_type.name)
    with at(D(2026, 10, 12)):
        foreign = intake.start_application(owner=second_citizen, service_item=item, channel="pc")
        rows = {row["material"].pk: row for row in intake.material_checklist(foreign)}
        assert rows[material.pk]["licence_offer"] is None
        with pytest.raises(ValidationError, match="本人"):
            licence_use.use_for_material(foreign, material, licence, second_citizen, consent=True)
        own = intake.start_application(owner=citizen, service_item=item, channel="pc")
        other_material = own.item_version.materials.exclude(pk=material.pk).first()
        with pytest.raises(ValidationError, match="不能替代"):
            licence_use.use_for_material(own, other_material, licence, citizen, consent=True)
        actions.revoke(
            licence, team["approver"], "许可被依法撤销", legal_basis="《行政许可法》第六十九条"
        )
        with pytest.raises(ValidationError, match="已撤销"):
            licence_use.use_for_material(own, material, licence, citizen, consent=True)
    assert not LicenceUse.objects.exists()
