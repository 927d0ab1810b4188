"""Issue 19, licence points: a revoked licence never verifies as in force (4); 延续/变更 make a new
version of the same licence (5); 撤销 and 注销 through the workbench, API, admin and command, with
a sealed 撤销决定书 (6); the department lookup is tied to a case its user may handle (20); and
`tongban verify-pdf` gives a verdict, not a traceback, for a changed file."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from tongban.cases import actions as cases
from tongban.catalog import actions as catalog
from tongban.catalog.actions import MaterialSpec
from tongban.core.models import AuditRecord
from tongban.licences import actions, identifier, status
from tongban.licences.models import Licence, LicenceStatusChange, LicenceUse, ReminderSent
from tongban.notify.models import Notification
from tongban.seals import actions as seals
from tongban.seals.models import IssuedDocument
from tongban.testing.builders import approve_all, submit_application
from tongban.testing.catalog import complete_item
from tongban.testing.clock import at
from tongban.testing.factories import staff

pytestmark = pytest.mark.django_db
D = datetime.date
BASIS = "《中华人民共和国行政许可法》第六十九条第二款"


@pytest.fixture
def situation_item(department, team, licence_type):
    """公共场所卫生许可 with the four 业务办理项, chosen by one situation question."""
    with at(D(2026, 9, 1)):
        item, draft = complete_item(
            department, code="010101007000", name="卫生许可（情形）", materials=0
        )
        catalog.set_structure(
            actor=team["catalogue"],
            version=draft,
            handling_items=[
                ("01", "公共场所卫生许可（新设）", ""),
                ("02", "公共场所卫生许可（延续）", ""),
                ("03", "公共场所卫生许可（变更）", ""),
                ("04", "公共场所卫生许可（注销）", ""),
            ],
            materials=[MaterialSpec("申请书", "申请人", 1, 0)],
            questions=[
                {
                    "text": "您要办理哪种业务？",
                    "options": [
                        {"text": "新设", "handling_serial": "01"},
                        {"text": "延续", "handling_serial": "02"},
                        {"text": "变更", "handling_serial": "03"},
                        {"text": "注销", "handling_serial": "04"},
                    ],
                }
            ],
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    licence_type.issued_for_items.add(item)
    item.refresh_from_db()
    return item


def _answers(item, text):
    question = item.current_version.questions.get()
    return {question.pk: question.options.get(text=text).pk}


def _complete_case(owner, team, item, situation, day, detail="申请办理许可"):
    with at(day):
        application = submit_application(owner, item, answers=_answers(item, situation))
        application.data["request_detail"] = detail
        application.save(update_fields=["data"])
        cases.accept(application=application, actor=team["clerk"])
        approve_all(application, team)
        cases.complete(application=application, actor=team["clerk"])
    return application


# --- point 5: 延续 and 变更 are new versions ----------------------------------------------------------


def test_renewal_and_change_make_new_versions_of_the_same_licence(citizen, team, situation_item):
    first = _complete_case(citizen, team, situation_item, "新设", D(2026, 9, 21))
    original = Licence.objects.get(application=first)
    assert original.version == 1 and original.valid_until == D(2027, 9, 20)

    renewal = _complete_case(citizen, team, situation_item, "延续", D(2027, 8, 2))
    renewed = Licence.objects.get(application=renewal)
    original.refresh_from_db()
    assert renewed.previous == original and renewed.serial == original.serial
    assert renewed.version == 2 and renewed.change_kind == "renew"
    parts = identifier.parts(renewed.identifier)
    assert parts["serial"] == identifier.parts(original.identifier)["serial"]
    assert parts["version"] == 2 and identifier.check(renewed.identifier) == (True, "")
    assert original.status == Licence.Status.REPLACED
    assert renewed.valid_until == D(2028, 8, 1)
    # The wallet holds one licence of the kind, the current version.
    assert list(actions.wallet(citizen)) == [renewed]
    assert renewal.events.filter(action="延续电子证照", is_public=True).exists()
    # The reminder before the old version's end date goes out for nothing: it was replaced.
    assert actions.send_expiry_reminders(today=D(2027, 9, 1))["sent"] == 0
    assert not ReminderSent.objects.filter(licence=original).exists()

    change = _complete_case(citizen, team, situation_item, "变更", D(2027, 10, 8), "餐饮、住宿")
    changed = Licence.objects.get(application=change)
    assert changed.version == 3 and changed.previous == renewed
    assert changed.valid_until == renewed.valid_until  # 变更 keeps the validity period
    assert changed.data["request_detail"] == "餐饮、住宿"
    assert list(actions.wallet(citizen)) == [changed]
    assert "已被新版本替代" in actions.verify(original.identifier).reason
    assert changed.identifier in actions.verify(renewed.identifier).reason  # points to the current


def test_cancellation_item_cancels_the_current_licence(citizen, team, situation_item):
    first = _complete_case(citizen, team, situation_item, "新设", D(2026, 9, 21))
    licence = Licence.objects.get(application=first)
    _complete_case(citizen, team, situation_item, "注销", D(2026, 11, 2))
    licence.refresh_from_db()
    assert licence.status == Licence.Status.CANCELLED
    assert licence.status_reason.startswith("申请注销")
    assert Licence.objects.count() == 1


# --- point 6: 撤销 and 注销 -----------------------------------------------------------------------------


def test_revoke_issues_a_sealed_decision_and_tells_the_holder(citizen, licence, team):
    with at(D(2026, 11, 3)):
        revoked = status.revoke(
            licence, team["approver"], "以提供虚假材料的不正当手段取得许可", legal_basis=BASIS
        )
    assert revoked.status == Licence.Status.REVOKED
    decision = revoked.status_document
    assert decision.document_type == IssuedDocument.Type.DECISION and decision.title == "撤销决定书"
    assert seals.verify_pdf(decision.read_bytes()).is_valid  # signed with the department's seal
    change = LicenceStatusChange.objects.get(licence=licence, to_status="revoked")
    assert change.legal_basis == BASIS and change.actor == team["approver"]
    assert change.document == decision
    assert AuditRecord.objects.filter(action="licences.revoke", object_id=str(licence.pk)).exists()
    message = Notification.objects.get(recipient=citizen, template_code="licence.revoked")
    assert "撤销" in message.subject
    with pytest.raises(ValidationError, match="已撤销"):
        actions.show_token(revoked, citizen)  # 亮证 refuses


def test_revocation_decision_addresses_the_holder_by_name(citizen, licence, team):
    from pypdf import PdfReader

    with at(D(2026, 11, 3)):
        revoked = status.revoke(licence, team["approver"], "虚假材料", legal_basis=BASIS)
    pdf = PdfReader(io.BytesIO(revoked.status_document.read_bytes()))
    text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert f"向{licence.holder_name}颁发的" in text
    assert "你（单位）" not in text


def test_revoke_refuses_bad_input(licence, team, other_department):
    with pytest.raises(ValidationError) as missing:
        status.revoke(licence, team["approver"], "  ", legal_basis=BASIS)
    assert missing.value.message_dict["reason"] == ["请填写撤销理由"]
    with pytest.raises(ValidationError) as no_basis:
        status.revoke(licence, team["approver"], "虚假材料", legal_basis="")
    assert no_basis.value.message_dict["legal_basis"] == ["请填写撤销的法律依据"]
    with pytest.raises(status.NotPermitted, match="批准"):
        status.revoke(licence, team["handler"], "虚假材料", legal_basis=BASIS)
    stranger = staff(other_department, "otherapprover", "approver")
    with pytest.raises(status.NotPermitted, match="只有颁发机构"):
        status.revoke(licence, stranger, "虚假材料", legal_basis=BASIS)
    status.revoke(licence, team["approver"], "虚假材料", legal_basis=BASIS)
    with pytest.raises(ValidationError, match="该证照已撤销，不能再撤销"):
        status.revoke(licence, team["approver"], "虚假材料", legal_basis=BASIS)
    with pytest.raises(ValidationError, match="不能再注销"):
        status.cancel(licence, team["approver"], status.CancelReason.APPLIED)
    assert IssuedDocument.objects.filter(title="撤销决定书").count() == 1


def test_cancel_reasons(licence, team):
    with pytest.raises(ValidationError, match="请选择注销原因"):
        status.cancel(licence, team["handler"], "whatever")
    with pytest.raises(ValidationError, match="请填写具体情况"):
        status.cancel(licence, team["handler"], status.CancelReason.OTHER)
    with pytest.raises(ValidationError, match="尚在有效期内"):
        status.cancel(licence, team["handler"], status.CancelReason.NOT_RENEWED)
    with pytest.raises(status.NotPermitted):
        status.cancel(licence, team["clerk"], status.CancelReason.APPLIED)
    cancelled = status.cancel(licence, team["handler"], status.CancelReason.APPLIED, note="歇业")
    assert cancelled.status == Licence.Status.CANCELLED
    assert actions.verify(licence.identifier).reason.startswith("该公共场所卫生许可证已于")
    assert "已注销" in actions.verify(licence.identifier).status_label


def test_workbench_page_revokes_and_cancels(client, licence, team, other_department):
    url = reverse("licences_staff:detail", args=[licence.pk])
    client.force_login(team["clerk"])
    assert client.get(url).status_code == 403  # window clerks have no licence desk
    stranger = staff(other_department, "otherhandler", "approver")
    client.force_login(stranger)
    assert client.get(url).status_code == 404  # another department's licence
    client.force_login(team["handler"])
    page = client.get(reverse("licences_staff:list")).content.decode()
    assert licence.identifier in page
    refused = client.post(
        reverse("licences_staff:revoke", args=[licence.pk]),
        {"reason": "虚假材料", "legal_basis": BASIS, "confirm": "on"},
    )
    assert refused.status_code == 400 and "批准" in refused.content.decode()
    client.force_login(team["approver"])
    empty = client.post(reverse("licences_staff:revoke", args=[licence.pk]), {"confirm": "on"})
    assert empty.status_code == 400 and "请填写撤销理由" in empty.content.decode()
    done = client.post(
        reverse("licences_staff:revoke", args=[licence.pk]),
        {"reason": "虚假材料", "legal_basis": BASIS, "confirm": "on"},
        follow=True,
    )
    page = done.content.decode()
    assert "已撤销" in page and "撤销决定书" in page and BASIS in page
    twice = client.post(reverse("licences_staff:cancel", args=[licence.pk]), {"reason": "applied"})
    assert twice.status_code == 400 and "不能再注销" in twice.content.decode()


def test_api_revoke_and_cancel(client, citizen, licence, licence_type, team, other_department):
    revoke_url, cancel_url = reverse("api:licences-revoke"), reverse("api:licences-cancel")
    body = {"identifier": licence.identifier, "reason": "虚假材料", "legal_basis": BASIS}
    assert client.post(revoke_url, body, content_type="application/json").status_code in (401, 403)
    client.force_login(citizen)
    assert client.post(revoke_url, body, content_type="application/json").status_code == 403
    client.force_login(staff(other_department, "otherapprover", "approver"))
    foreign = client.post(revoke_url, body, content_type="application/json")
    assert foreign.status_code == 403 and "只有颁发机构" in foreign.json()["detail"]
    client.force_login(team["approver"])
    no_reason = client.post(revoke_url, {**body, "reason": ""}, content_type="application/json")
    assert no_reason.status_code == 400
    wrong = licence.identifier[:-1] + ("0" if licence.identifier[-1] != "0" else "1")
    bad = client.post(revoke_url, {**body, "identifier": wrong}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]["identifier"] == ["校验位错误"]
    done = client.post(revoke_url, body, content_type="application/json").json()
    assert done["status"] == "revoked" and done["status_label"] == "已撤销"
    assert done["status_basis"] == BASIS and done["decision_number"]
    again = client.post(revoke_url, body, content_type="application/json")
    assert again.status_code == 400 and "不能再撤销" in str(again.json())
    with at(D(2026, 10, 9)):
        other = actions.issue(
            licence_type=licence_type,
            holder_name="示例老人",
            holder_id_type="111",
            holder_id_number=citizen.citizen.id_number,
        )
    client.force_login(team["handler"])
    cancelled = client.post(
        cancel_url,
        {"identifier": other.identifier, "reason": "applied"},
        content_type="application/json",
    )
    assert cancelled.status_code == 200 and cancelled.json()["status_label"] == "已注销"


def test_admin_action_calls_the_service(client, licence, team, platform_admin):
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(platform_admin)
    url = reverse("admin:licences_licence_changelist")
    asked = client.post(url, {"action": "revoke_selected", "_selected_action": [licence.pk]})
    assert asked.status_code == 200 and "法律依据" in asked.content.decode()
    client.post(
        url,
        {
            "action": "revoke_selected",
            "_selected_action": [licence.pk],
            "apply": "1",
            "reason": "虚假材料",
            "legal_basis": BASIS,
            "confirm": "on",
        },
    )
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED and licence.status_document_id


def test_command_revokes_and_cancels(licence, licence_type, citizen, team, capsys):
    with pytest.raises(CommandError, match="批准"):
        call_command(
            "licences", "revoke", licence.identifier, "--by", "handler1", "--reason", "虚假材料",
            "--basis", BASIS,
        )  # fmt: skip
    with pytest.raises(CommandError, match="没有启用中的账户"):
        call_command(
            "licences", "revoke", licence.identifier, "--by", "nobody", "--reason", "x",
            "--basis", BASIS,
        )  # fmt: skip
    call_command(
        "licences", "revoke", licence.identifier, "--by", "approver1", "--reason", "虚假材料",
        "--basis", BASIS,
    )  # fmt: skip
    assert "撤销原因：虚假材料" in capsys.readouterr().out
    with pytest.raises(CommandError, match="不能再注销"):
        call_command(
            "licences", "cancel", licence.identifier, "--by", "handler1", "--reason", "applied"
        )


# --- point 4: verification shows the licence's status beside the signature --------------------------


def test_revoked_licence_pdf_verifies_with_its_status(client, licence, team, tmp_path, capsys):
    pdf = licence.document.read_bytes()
    before = seals.verify_pdf(pdf)
    assert before.is_valid and before.in_force and before.subject.status_label == "有效"
    status.revoke(licence, team["approver"], "虚假材料", legal_basis=BASIS)
    after = seals.verify_pdf(pdf)
    assert after.is_valid  # the signature itself still holds …
    assert not after.in_force and after.subject.status_label == "已撤销"  # … the licence does not
    upload = io.BytesIO(pdf)
    upload.name = "licence.pdf"
    page = client.post("/verify/", {"file": upload}).content.decode()
    assert "已撤销" in page and "不能再作为有效证照使用" in page
    register = client.get(reverse("seals:document", args=[licence.document.public_id]))
    assert "已撤销" in register.content.decode()
    qr_page = client.get(actions.verification_page_url(licence.identifier)).content.decode()
    assert "已撤销" in qr_page and BASIS in qr_page
    api = client.post(
        reverse("api:licences-verify"),
        {"identifier": licence.identifier},
        content_type="application/json",
    ).json()
    assert api["valid"] is False and api["status_label"] == "已撤销"
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    with pytest.raises(CommandError) as exc:
        call_command("verify-pdf", str(path))
    assert exc.value.returncode == 7
    out = capsys.readouterr().out
    assert "电子证照状态：已撤销" in out and "签章：有效" in out


def test_verify_pdf_gives_a_verdict_for_a_changed_file(licence, tmp_path, capfd):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(licence.document.read_bytes()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "changed.pdf"
    path.write_bytes(out.getvalue())
    with pytest.raises(CommandError) as exc:
        call_command("verify-pdf", str(path))
    assert exc.value.returncode == 2
    printed = capfd.readouterr()
    assert "核验结论：未通过（文件已被篡改）" in printed.out
    assert "Traceback" not in printed.out + printed.err
    for name, content, code in (("plain.txt", b"hello", 6), ("empty.pdf", b"", 6)):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CommandError) as exc:
            call_command("verify-pdf", str(tmp_path / name))
        assert exc.value.returncode == code


# --- point 20: the lookup is tied to a case --------------------------------------------------------


def test_lookup_needs_a_case_the_user_may_handle(
    client, citizen, licence, team, promise_item, other_department
):
    with at(D(2026, 10, 12)):
        application = submit_application(citizen, promise_item)
    url = reverse("api:licences-lookup")
    body = {"holder_id_type": "111", "holder_id_number": citizen.citizen.id_number}
    assert client.post(url, body, content_type="application/json").status_code in (401, 403)
    for role in ("supervisor", "catalogue"):
        client.force_login(team[role])
        refused = client.post(
            url, {**body, "case_number": application.case_number}, content_type="application/json"
        )
        assert refused.status_code == 403 and "窗口受理" in refused.json()["detail"]
    client.force_login(team["clerk"])
    no_case = client.post(url, body, content_type="application/json")
    assert no_case.json()["errors"]["case_number"] == ["请填写所办理办件的办件编号"]
    unknown = client.post(url, {**body, "case_number": "X" * 43}, content_type="application/json")
    assert unknown.json()["errors"]["case_number"] == ["未找到该办件编号"]
    client.force_login(staff(other_department, "otherclerk", "window_clerk"))
    foreign = client.post(
        url, {**body, "case_number": application.case_number}, content_type="application/json"
    )
    assert foreign.status_code == 403 and "不属于您所在部门" in foreign.json()["detail"]
    assert not AuditRecord.objects.filter(action="licences.lookup").exists()
    client.force_login(team["clerk"])
    response = client.post(
        url,
        {**body, "case_number": application.case_number, "purpose": "核对持证情况"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [row["identifier"] for row in response.json()] == [licence.identifier]
    record = AuditRecord.objects.get(action="licences.lookup")
    assert record.object_type == "applications.application"
    assert record.object_id == str(application.pk)
    assert application.case_number in record.purpose and "核对持证情况" in record.purpose
    use = licence.uses.get(purpose=LicenceUse.Purpose.LOOKUP)
    assert use.application == application
    with at(D(2026, 10, 13)):
        cases.refuse(
            application=application,
            actor=team["clerk"],
            reason="不属于本机关职权",
            legal_basis="《中华人民共和国行政许可法》第三十二条",
        )
    closed = client.post(
        url, {**body, "case_number": application.case_number}, content_type="application/json"
    )
    assert closed.status_code == 400 and "不在办理中" in str(closed.json())
