"""The platform's document producer: A4 PDFs in Chinese, sealed, signed, numbered and stored.

Text uses reportlab's built-in CID font STSong-Light (Adobe-GB1), so no font file is needed on the
server; PDF readers render it with their own Song/Ming typeface. The seal is drawn as vectors over
the issuer line (seals.images.draw_on_canvas) and the file is then PAdES-signed (seals.actions.sign_pdf).
"""

import datetime
import functools
import io
import itertools
import secrets
import uuid
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tongban.core import audit
from tongban.core.models import Department
from tongban.seals import actions, ca, images
from tongban.seals.audit_actions import AuditAction
from tongban.seals.models import DocumentNumberCounter, IssuedDocument, Seal

SEAL_DIAMETER_MM = 42  # 公章常用直径 42 mm


# --- Numbers --------------------------------------------------------------------------------------


def default_prefix(department: Department) -> str:
    return (department.short_name or department.name).strip()


def next_document_number(
    department: Department, *, year: int | None = None, prefix: str | None = None
) -> str:
    """`<代字>〔YYYY〕N号`, N counting per department, year and prefix. The counter row is locked,
    so concurrent callers get distinct numbers; a rolled-back caller leaves no gap, a number taken by
    a committed caller whose document later failed does (gaps are tolerated, duplicates never)."""
    year = year or timezone.localdate().year
    prefix = (prefix or default_prefix(department)).strip()
    with transaction.atomic():
        counter = (
            DocumentNumberCounter.objects.select_for_update()
            .filter(department=department, year=year, prefix=prefix)
            .first()
        )
        if counter is None:
            try:
                with transaction.atomic():
                    counter = DocumentNumberCounter.objects.create(
                        department=department, year=year, prefix=prefix
                    )
            except IntegrityError:  # created meanwhile by another process
                counter = DocumentNumberCounter.objects.select_for_update().get(
                    department=department, year=year, prefix=prefix
                )
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return f"{prefix}〔{year}〕{counter.last_number}号"


# --- Rendering ------------------------------------------------------------------------------------


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@functools.lru_cache(maxsize=64)
def _qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """Kept per process for a URL drawn again (a licence re-rendered for its own page): choosing
    the mask is a quarter of a one-page document's rendering time."""
    import qrcode

    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def dark_runs(row) -> list[tuple[int, int]]:
    """(first module, how many) of each run of dark modules in a QR code row: one rectangle per
    run instead of one per module draws the same code with about a third of the PDF operators."""
    runs, column = [], 0
    for dark, modules in itertools.groupby(row):
        length = len(list(modules))
        if dark:
            runs.append((column, length))
        column += length
    return runs


def signature_block(issuer_name, date_text, seal_label, qr_url, font):
    """A flowable: QR code on the left, issuer and date on the right with the seal over them."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable

    class SignatureBlock(Flowable):
        def wrap(self, available_width, available_height):
            self.width = available_width
            self.height = 50 * mm
            return self.width, self.height

        def draw(self):
            c = self.canv
            right = self.width - 4 * mm
            size = 15
            text_width = max(
                c.stringWidth(issuer_name, font, size), c.stringWidth(date_text, font, size)
            )
            centre_x = right - text_width / 2
            c.setFont(font, size)
            c.drawCentredString(centre_x, 28 * mm, issuer_name)
            c.drawCentredString(centre_x, 20 * mm, date_text)
            if seal_label is not None:
                images.draw_on_canvas(
                    c, centre_x, 26 * mm, SEAL_DIAMETER_MM * mm, issuer_name, seal_label
                )
            if qr_url:
                matrix = _qr_matrix(qr_url)
                side = 24 * mm
                cell = side / len(matrix)
                top = 8 * mm + side
                c.setFillColor("#000000")
                for row_index, row in enumerate(matrix):
                    for start, length in dark_runs(row):
                        c.rect(
                            start * cell,
                            top - (row_index + 1) * cell,
                            (length + 0.02) * cell,
                            cell * 1.02,
                            stroke=0,
                            fill=1,
                        )
                c.setFont(font, 8)
                c.drawString(0, 4 * mm, "扫码核验文书真伪")

    return SignatureBlock()


def render_document(
    title: str,
    number: str,
    sections: list[tuple[str, str]],
    issuer: Department,
    issued_on: datetime.date,
    qr_url: str | None = None,
    *,
    seal: Seal | None = None,
) -> bytes:
    """An A4 PDF: title, number line, body sections (heading, text; blank heading = plain text),
    issuer and date bottom-right with the seal drawn over them, optional verification QR code.
    `seal` decides the seal's kind label; without one the issuer's default seal is used (or none)."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

    font = images.register_cid_font()
    seal_label = seal.get_kind_display() if seal is not None else actions.default_seal_label(issuer)
    body_size = 14
    title_style = ParagraphStyle(
        "title", fontName=font, fontSize=22, leading=32, alignment=TA_CENTER, wordWrap="CJK"
    )
    number_style = ParagraphStyle(
        "number", fontName=font, fontSize=13, leading=20, alignment=TA_CENTER, wordWrap="CJK"
    )
    heading_style = ParagraphStyle(
        "heading",
        fontName=font,
        fontSize=body_size + 1,
        leading=(body_size + 1) * 1.8,
        spaceBefore=4,
        keepWithNext=1,  # a heading never ends a page without its text
        wordWrap="CJK",
    )
    body_style = ParagraphStyle(
        "body",
        fontName=font,
        fontSize=body_size,
        leading=body_size * 1.8,
        firstLineIndent=2 * body_size,
        wordWrap="CJK",
    )

    body = []
    for heading, text in sections:
        if heading:
            body.append(Paragraph(escape(heading), heading_style))
        for line in (text or "").splitlines():
            if line.strip():
                body.append(Paragraph(escape(line.strip()), body_style))
    signature = signature_block(
        issuer.name,
        _chinese_date(issued_on),
        seal_label,
        qr_url,
        font,
    )
    # GB/T 9704-2012 7.3.5: the issuer, date and seal never stand on a page of their own, so the
    # last paragraph (with its heading) goes with them when they do not fit under it.
    closing = max(len(body) - 1, 0)
    while closing > 0 and body[closing - 1].style is heading_style:
        closing -= 1
    story = [
        Paragraph(escape(title), title_style),
        Spacer(1, 2 * mm),
        Paragraph(escape(number), number_style),
        Spacer(1, 8 * mm),
        *body[:closing],
        KeepTogether([*body[closing:], Spacer(1, 10 * mm), signature]),
    ]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.setFillColor("#555555")
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, number)
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=title,
        author=issuer.name,
        subject=number,
        creator=f"{settings.PLATFORM_NAME}（通办）",
    )
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


# --- Issuing --------------------------------------------------------------------------------------

SEAL_KINDS_FOR = {
    IssuedDocument.Type.LICENCE: [Seal.Kind.LICENCE, Seal.Kind.OFFICIAL],
}


def verification_url(public_id) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("seals:document", args=[str(public_id)])


def issue_document(
    *,
    document_type: str,
    title: str,
    sections: list[tuple[str, str]],
    department: Department,
    actor=None,
    related=None,
    seal: Seal | None = None,
    issued_on: datetime.date | None = None,
    number: str | None = None,
    prefix: str | None = None,
    with_qr: bool = True,
    qr_url: str | None = None,
) -> IssuedDocument:
    """Render, sign and store one document; returns its IssuedDocument record.

    `document_type` is an IssuedDocument.Type value; `number` defaults to the next
    `<代字>〔YYYY〕N号` of the department (`prefix` = 代字, default the department's short name).
    Raises ValidationError (Chinese) when the department has no usable seal or the seal can't sign.
    `qr_url` points the QR code somewhere more specific than the document page (a licence's own
    verification page, for instance).
    Inside a caller's transaction everything commits or rolls back with it; outside one, each step
    commits on its own (numbers may then have gaps, never duplicates)."""
    issued_on = issued_on or timezone.localdate()

    def render(number: str, verification: str | None, seal: Seal) -> bytes:
        url = (qr_url or verification) if with_qr else None
        return render_document(title, number, sections, department, issued_on, url, seal=seal)

    return issue_rendered(
        document_type=document_type,
        title=title,
        department=department,
        render=render,
        actor=actor,
        related=related,
        seal=seal,
        issued_on=issued_on,
        number=number,
        prefix=prefix,
    )


def issue_rendered(
    *,
    document_type: str,
    title: str,
    department: Department,
    render: Callable[[str, str, Seal], bytes],
    actor=None,
    related=None,
    seal: Seal | None = None,
    issued_on: datetime.date | None = None,
    number: str | None = None,
    prefix: str | None = None,
) -> IssuedDocument:
    """Issue a document another domain lays out itself (a report with charts and tables):
    `render(number, verification_url, seal)` returns its PDF, drawn with the number and, for the
    QR code, the address of the public verification page (`signature_block` draws issuer, date,
    seal and QR as every issued document has them). Numbering, signing, storing and the audit
    record are the same as `issue_document`'s."""
    if document_type not in IssuedDocument.Type.values:
        raise ValidationError(f"未知的文书类型：{document_type}")
    type_label = IssuedDocument.Type(document_type).label
    issued_on = issued_on or timezone.localdate()
    if seal is None:
        seal = actions.default_seal(department, SEAL_KINDS_FOR.get(document_type))
    elif seal.department_id != department.pk:
        raise ValidationError("只能使用本部门的印章签发文书")
    problem = actions.signing_problem(seal)
    if problem:
        raise ValidationError(problem)
    if number and IssuedDocument.objects.filter(number=number).exists():
        raise ValidationError(f"文书编号 {number} 已被使用")
    # Short transactions: the number (committed at once unless the caller holds a transaction;
    # a failure later leaves a gap), the use log inside sign_pdf, then the stored document.
    # Rendering and signing hold no lock.
    number = number or next_document_number(department, year=issued_on.year, prefix=prefix)
    public_id = uuid.uuid4()
    pdf = render(number, verification_url(public_id), seal)
    signed = actions.sign_pdf(
        pdf,
        seal,
        document_type=type_label,
        document_number=number,
        actor=actor,
        related=related,
    )
    stored_name = default_storage.save(
        f"issued/{issued_on:%Y}/{secrets.token_hex(16)}.pdf", ContentFile(signed)
    )
    related_type, related_id = actions.related_ref(related)
    try:
        with transaction.atomic():
            document = IssuedDocument.objects.create(
                public_id=public_id,
                number=number,
                document_type=document_type,
                title=title,
                department=department,
                seal=seal,
                file=stored_name,
                sha256=ca.sha256_hex(signed),
                size=len(signed),
                issued_on=issued_on,
                related_type=related_type,
                related_id=related_id,
            )
            audit.record(
                AuditAction.DOCUMENT_ISSUED,
                actor=actor,
                obj=document,
                detail={
                    "number": number,
                    "document_type": document_type,
                    "seal_id": seal.pk,
                    "sha256": document.sha256,
                    "related_type": related_type,
                    "related_id": related_id,
                },
            )
    except Exception:
        default_storage.delete(stored_name)
        raise
    return document
