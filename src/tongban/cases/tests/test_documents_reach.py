"""Issue 19, points 9 and 18 and the list's default tab: the 申请回执 is a signed document whose QR
code verifies it and which lists every material as it was provided (file, e-licence, 容缺, 告知承诺);
issued documents are one click away for staff and for an applicant asked to correct; a clerk's
case list opens on 待受理."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from tongban.applications import actions as intake
from tongban.applications import licence_use, pipeline
from tongban.applications.models import MaterialCommitment, PipelineStep
from tongban.cases import actions
from tongban.catalog import actions as catalog
from tongban.catalog.actions import MaterialSpec
from tongban.seals import actions as seals
from tongban.seals.models import IssuedDocument
from tongban.testing.builders import approved_and_completed, submit_application
from tongban.testing.catalog import complete_item
from tongban.testing.clock import at
from tongban.testing.factories import pdf_bytes, staff

pytestmark = pytest.mark.django_db
D = datetime.date


def _run_pipeline(application, capture):
    for step in application.pipeline.all():
        with capture(execute=True):
            pipeline.execute(step.pk)
    application.refresh_from_db()


# --- 9. the receipt ---------------------------------------------------------------------------------


@pytest.fixture
def four_ways_item(department, team, licence_type):
    """Four materials, one for each way of providing it."""
    with at(D(2026, 9, 1)):
        item, draft = complete_item(
            department, code="010101011000", name="卫生许可延续", handling_type="2"
        )
        catalog.set_structure(
            actor=None,
            version=draft,
            handling_items=[],
            materials=[
                MaterialSpec("申请书", "申请人"),
                MaterialSpec(
                    "原卫生许可证", "卫生部门", replaceable_by_licence_type=licence_type.name
                ),
                MaterialSpec("卫生检测报告", "检测机构", allows_deficiency=True),
                MaterialSpec("卫生管理制度", "申请人", commitment_replaceable=True),
            ],
            questions=[],
        )
        catalog.publish(actor=team["catalogue"], version=draft)
    item.refresh_from_db()
    return item


def _apply_four_ways(citizen, item, licence):
    application = intake.start_application(owner=citizen, service_item=item, channel="pc")
    intake.save_section(
        application=application, actor=citizen, section=1, raw={"request_detail": "申请延续许可"}
    )
    intake.save_section(
        application=application, actor=citizen, section=2, raw={"delivery_method": "window"}
    )
    materials = {m.name: m for m in intake.required_materials(application)}
    intake.attach_file(
        application=application,
        actor=citizen,
        material_id=materials["申请书"].pk,
        uploaded=SimpleUploadedFile("申请书.pdf", pdf_bytes()),
    )
    licence_use.use_for_material(
        application, materials["原卫生许可证"], licence, citizen, consent=True
    )
    for name, kind in (
        ("卫生检测报告", MaterialCommitment.Kind.DEFERRED),
        ("卫生管理制度", MaterialCommitment.Kind.COMMITMENT),
    ):
        intake.sign_commitment(
            application=application,
            actor=citizen,
            material_id=materials[name].pk,
            kind=kind,
            agreed=True,
        )
    return application


def test_the_receipt_is_signed_verifies_by_its_qr_and_lists_every_material_as_given(
    client, citizen, team, promise_item, four_ways_item, django_capture_on_commit_callbacks
):
    licence = approved_and_completed(citizen, team, promise_item)
    with at(D(2026, 10, 12)):
        application = _apply_four_ways(citizen, four_ways_item, licence)
        client.force_login(citizen)
        last_page = len(application.form.sections) + 1
        confirm = client.get(
            reverse("applications:draft", args=[application.public_id]) + f"?page={last_page}"
        ).content.decode()
        assert "请核对申请内容" in confirm
        assert "未上传" not in confirm
        assert "已用电子证照（公共场所卫生许可证）" in confirm
        assert "容缺后补" in confirm and "告知承诺" in confirm
        application = intake.submit(application=application, actor=citizen)
        _run_pipeline(application, django_capture_on_commit_callbacks)
    receipt = application.receipt
    document = receipt.document
    assert document.document_type == IssuedDocument.Type.RECEIPT
    assert document.number == application.case_number
    with receipt.file.open("rb") as handle:
        signed = handle.read()
    assert receipt.sha256 == document.sha256
    verdict = seals.verify_pdf(signed)
    assert verdict.is_valid and verdict.department == application.service_item.department
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(signed)).pages)
    text = text.replace("\n", "")
    assert "申请书（已上传：申请书.pdf" in text
    assert "原卫生许可证（已用电子证照：公共场所卫生许可证" in text
    assert "卫生检测报告（容缺后补）" in text and "卫生管理制度（告知承诺）" in text
    with at(D(2026, 10, 12)):
        # The QR code points at the document's verification page, which finds it valid.
        page = client.get(reverse("seals:document", args=[document.public_id])).content.decode()
        # The applicant's download is that same signed file.
        download = client.get(reverse("applications:receipt", args=[application.public_id]))
    assert application.case_number in page and "有效" in page
    assert b"".join(download.streaming_content) == signed


def test_without_a_seal_no_unsigned_receipt_is_made_and_the_step_is_retried(
    citizen, other_department, team, django_capture_on_commit_callbacks
):
    with at(D(2026, 9, 1)):
        item, draft = complete_item(other_department, code="010101012000", name="无章事项")
        catalog.publish(actor=staff(other_department, "cat2", "catalogue_admin"), version=draft)
    item.refresh_from_db()
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, item)
        _run_pipeline(application, django_capture_on_commit_callbacks)
    step = application.pipeline.get(kind=PipelineStep.Kind.RECEIPT)
    assert step.state == PipelineStep.State.FAILED and "没有可用的电子印章" in step.last_error
    assert not hasattr(application, "receipt") or application.receipt is None
    assert not IssuedDocument.objects.filter(document_type="receipt").exists()


# --- 18. issued documents within reach -----------------------------------------------------------


def test_staff_download_issued_documents_from_the_case_page(client, citizen, team, promise_item):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.accept(application=application, actor=team["clerk"])
        client.force_login(team["handler"])
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        document = application.case.documents.get()
        link = reverse("cases:document", args=[application.public_id, document.pk])
        pdf = client.get(link)
    assert f'href="{link}"' in page
    assert reverse("seals:document", args=[document.document.public_id]) in page
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_applicant_asked_to_correct_reaches_the_notice_from_my_cases_and_the_case_page(
    client, citizen, second_citizen, team, promise_item
):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        actions.request_correction(
            application=application, actor=team["clerk"], items=["申请书缺少签字"]
        )
        notice_url = reverse("cases:correction_notice", args=[application.public_id])
        client.force_login(citizen)
        mine = client.get(reverse("applications:mine")).content.decode()
        assert notice_url in mine and "去补正" in mine
        case_page = client.get(
            reverse("applications:draft", args=[application.public_id])
        ).content.decode()
        assert notice_url in case_page
        pdf = client.get(notice_url)
        assert pdf.status_code == 200
        text = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0].extract_text()
        assert "补正告知书" in text and "申请书缺少签字" in text
        client.force_login(second_citizen)  # someone else's notice: not found
        assert client.get(notice_url).status_code == 404
        client.logout()
        assert client.get(notice_url).status_code == 302  # to the login page
        other = submit_application(second_citizen, promise_item)
        client.force_login(second_citizen)  # no notice was issued on this one
        no_notice = reverse("cases:correction_notice", args=[other.public_id])
        assert client.get(no_notice).status_code == 404


# --- the case list opens on the person's work ----------------------------------------------------


def _current_tab(html: str) -> str:
    return re.search(r'href="\?tab=(\w+)" aria-current="page"', html).group(1)


def test_the_clerks_list_opens_on_the_applications_waiting_for_acceptance(
    client, citizen, team, promise_item
):
    with at(D(2026, 11, 2)):
        first = submit_application(citizen, promise_item)
        submit_application(citizen, promise_item)
        client.force_login(team["clerk"])
        page = client.get(reverse("cases:list")).content.decode()
        assert _current_tab(page) == "accept" and first.case_number in page
        assert _current_tab(client.get(reverse("cases:list") + "?tab=done").content.decode()) == (
            "done"
        )
        actions.accept(application=first, actor=team["clerk"])
        client.force_login(team["handler"])
        page = client.get(reverse("cases:list")).content.decode()
        assert _current_tab(page) == "todo" and first.case_number in page
