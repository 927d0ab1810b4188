import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from tongban.core.models import AuditRecord
from tongban.seals import actions, documents
from tongban.seals.models import IssuedDocument, SealUse

pytestmark = pytest.mark.django_db

SECTIONS = [
    ("", "示例申请人：\n您提交的高龄津贴申领申请，材料齐全，符合法定形式，本机关决定予以受理。"),
    ("办理时限", "自受理之日起10个工作日内办结。"),
]


def test_numbers_are_sequential_per_department_and_year(department, other_department):
    numbers = [documents.next_document_number(department, year=2026) for _ in range(3)]
    assert numbers == ["市民政局〔2026〕1号", "市民政局〔2026〕2号", "市民政局〔2026〕3号"]
    assert documents.next_document_number(other_department, year=2026) == "市卫健委〔2026〕1号"
    assert documents.next_document_number(department, year=2027) == "市民政局〔2027〕1号"
    assert documents.next_document_number(department, year=2026, prefix="许民审") == (
        "许民审〔2026〕1号"
    )
    assert documents.next_document_number(department, year=2026) == "市民政局〔2026〕4号"


def test_render_document_is_an_a4_pdf_with_chinese_text(department, seal):
    pdf = documents.render_document(
        "受理通知书",
        "市民政局〔2026〕1号",
        SECTIONS,
        department,
        datetime.date(2026, 11, 20),
        qr_url="http://127.0.0.1:8000/verify/documents/x/",
    )
    assert pdf.startswith(b"%PDF-") and b"STSong-Light" in pdf
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


@pytest.mark.parametrize("paragraphs", range(3, 9))
def test_the_seal_page_carries_body_text_and_no_page_ends_on_a_heading(
    department, seal, paragraphs
):
    # Around five paragraphs the issuer, date and seal no longer fit on the first page.
    sections = [("", "示例申请人：")] + [
        (f"第{n}项", f"（{n}）您提交的申请材料齐全，符合法定形式，本机关决定予以受理。")
        for n in range(1, paragraphs + 1)
    ]
    pdf = documents.render_document(
        "受理通知书", "市民政局〔2026〕1号", sections, department, datetime.date(2026, 11, 20)
    )
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "2026年11月20日" in pages[-1]
    assert f"（{paragraphs}）您提交的" in pages[-1]
    for text in pages[:-1]:
        assert not text.rstrip().splitlines()[-1].startswith("第")


def test_the_qr_code_is_drawn_as_runs_that_cover_exactly_its_dark_modules():
    matrix = documents._qr_matrix("http://127.0.0.1:8000/verify/documents/x/")
    for row in matrix:
        drawn = [False] * len(row)
        for start, length in documents.dark_runs(row):
            assert not any(drawn[start : start + length])  # runs never overlap
            drawn[start : start + length] = [True] * length
        assert drawn == list(row)
    assert documents.dark_runs([True, True, False, True, False, False, True]) == [
        (0, 2),
        (3, 1),
        (6, 1),
    ]


def test_issue_document_signs_stores_and_registers(department, seal, platform_admin, citizen):
    doc = documents.issue_document(
        document_type=IssuedDocument.Type.ACCEPTANCE_NOTICE,
        title="受理通知书",
        sections=SECTIONS,
        department=department,
        actor=platform_admin,
        related=citizen,
        issued_on=datetime.date(2026, 11, 20),
    )
    assert doc.number == "市民政局〔2026〕1号" and doc.seal == seal
    assert doc.file.name.startswith("issued/2026/") and len(doc.file.name) > 40
    assert default_storage.exists(doc.file.name)
    data = doc.read_bytes()
    assert len(data) == doc.size
    result = actions.verify_pdf(data)
    assert result.status == "valid" and result.document == doc
    assert result.document_number == doc.number and result.document_type == "受理通知书"
    assert SealUse.objects.get(sha256=doc.sha256).related_id == str(citizen.pk)
    assert AuditRecord.objects.filter(
        action="seals.document_issued", object_id=str(doc.pk)
    ).exists()
    second = documents.issue_document(
        document_type=IssuedDocument.Type.DECISION,
        title="准予许可决定书",
        sections=SECTIONS,
        department=department,
        issued_on=datetime.date(2026, 11, 21),
    )
    assert second.number == "市民政局〔2026〕2号"


def test_licences_prefer_the_licence_seal(department, seal, licence_seal):
    doc = documents.issue_document(
        document_type=IssuedDocument.Type.LICENCE,
        title="公共场所卫生许可证",
        sections=SECTIONS,
        department=department,
    )
    assert doc.seal == licence_seal


def test_no_usable_seal_is_a_clear_error(department, other_department, seal, platform_admin):
    with pytest.raises(ValidationError, match="没有可用的电子印章"):
        documents.issue_document(
            document_type=IssuedDocument.Type.DECISION,
            title="决定书",
            sections=SECTIONS,
            department=other_department,
        )
    actions.revoke_seal(platform_admin, seal, "测试注销")
    with pytest.raises(ValidationError, match="注销"):
        documents.issue_document(
            document_type=IssuedDocument.Type.DECISION,
            title="决定书",
            sections=SECTIONS,
            department=department,
            seal=seal,
        )
    assert not IssuedDocument.objects.exists()


def test_unsigned_documents_draw_the_seal_default_signing_would_choose(
    department, other_department, seal, licence_seal
):
    """A receipt is drawn with the issuer's seal but not signed: it reads the chosen seal's kind
    only (its image, certificate and key are the bulk of the row), and the choice is the one
    signing makes: the business seal before the licence seal; no seal, no seal drawn."""
    assert actions.default_seal(department) == seal
    with CaptureQueriesContext(connection) as queries:
        assert actions.default_seal_label(department) == "业务专用章"
    assert len(queries) == 1 and "image_png" not in queries[0]["sql"]
    assert actions.default_seal_label(other_department) is None
    drawn = PdfReader(
        io.BytesIO(
            documents.render_document(
                "申请回执", "TB-1", SECTIONS, department, datetime.date(2026, 11, 20)
            )
        )
    ).pages[-1]
    assert "业务专用章" in drawn.extract_text()
    bare = documents.render_document(
        "申请回执", "TB-2", SECTIONS, other_department, datetime.date(2026, 11, 20)
    )
    assert "专用章" not in PdfReader(io.BytesIO(bare)).pages[-1].extract_text()
