import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongban.cases import actions
from tongban.seals.actions import verify_pdf
from tongban.seals.models import IssuedDocument
from tongban.supervision import reports, summary
from tongban.supervision.models import MonthlyReport
from tongban.supervision.tests.conftest import D, accepted, approve_all, at

pytestmark = pytest.mark.django_db


def test_monthly_reports_are_sealed_kept_and_the_same_as_excel(
    client, citizen, team, promise_item, department, other_department
):
    application = accepted(citizen, promise_item, team, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        approve_all(application, team)
        actions.complete(application=application, actor=team["clerk"])
    summary.fold()
    with at(D(2026, 12, 1), 4):
        made = reports.make_last_month()
    assert [r.department for r in made] == [None, department]
    city = made[0]
    assert city.month == D(2026, 11, 1)
    pdf = city.pdf.open("rb").read()
    result = verify_pdf(pdf)
    assert result.is_valid, result.status_label
    assert department.name in result.signer_subject or result.signature_count == 1
    book = load_workbook(io.BytesIO(city.xlsx.open("rb").read()))
    timeliness = next(s for s in book.worksheets if s.title.startswith("按时办结率"))
    rows = list(timeliness.values)
    assert rows[3][:4] == (department.name, 1, 1, 100.0)
    # kept: the next run returns the same reports
    with at(D(2026, 12, 1), 5):
        again = reports.make_last_month()
    assert [r.pk for r in again] == [r.pk for r in made]
    assert MonthlyReport.objects.count() == 2

    client.force_login(team["handler"])  # a department sees its own report, not the city's
    listing = client.get(reverse("supervision:reports")).content.decode()
    assert "全市" not in listing and "2026-11" in listing
    assert client.get(reverse("supervision:report-file", args=[city.pk, "pdf"])).status_code == 404
    client.force_login(team["supervisor"])
    response = client.get(reverse("supervision:report-file", args=[city.pk, "pdf"]))
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


def test_a_monthly_report_is_an_issued_document_anyone_can_verify(
    client, citizen, team, promise_item, department
):
    application = accepted(citizen, promise_item, team, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        approve_all(application, team)
        actions.complete(application=application, actor=team["clerk"])
    summary.fold()
    with at(D(2026, 12, 1), 4):
        city, own = reports.make_last_month()
    # Numbered in the supervising office's own series, one number per report.
    assert re.fullmatch(r"效能月报〔2026〕\d+号", city.number)
    assert city.number != own.number
    document = city.document
    assert document.document_type == IssuedDocument.Type.SUPERVISION_REPORT
    assert document.number == city.number and document.read_bytes() == city.pdf.read()
    # The QR code's page answers for anyone, signed out, with the report's number and digest.
    page = client.get(reverse("seals:document", args=[document.public_id])).content.decode()
    assert city.number in page and document.sha256 in page and "效能监察月度报告" in page
    # The staff list links each number to that page.
    client.force_login(team["supervisor"])
    listing = client.get(reverse("supervision:reports")).content.decode()
    assert reverse("seals:document", args=[document.public_id]) in listing
    # A changed byte and the seal no longer holds.
    signed = document.read_bytes()
    at_byte = signed.index(b"/Title") + 8
    tampered = signed[:at_byte] + bytes([signed[at_byte] ^ 1]) + signed[at_byte + 1 :]
    assert verify_pdf(signed).is_valid and not verify_pdf(tampered).is_valid


def test_no_seal_no_report(team, department, settings):
    settings.SUPERVISION_OFFICE_USCC = "91411000MA00000000"
    with pytest.raises(Exception, match="无法签章月度报告"):
        reports.supervising_office()
