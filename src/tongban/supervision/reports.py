"""Monthly reports (月度报告) per department and for the city: a PDF with a chart and the tables of
the dashboards, issued by the supervising office as a sealed document (seals.documents.issue_rendered: its
number, its seal, a QR code to the public verification page), and the same figures as Excel. Made by the scheduler on the 1st for the month before, and kept (MonthlyReport).

The supervising office is the department named by settings.SUPERVISION_OFFICE (its code), by
default the first department holding a usable seal whose name contains “政务服务”."""

import datetime
import hashlib
import io
import logging
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.core.models import Department
from tongban.seals import documents, images
from tongban.seals.models import IssuedDocument
from tongban.supervision import conf, exports, figures
from tongban.supervision.filters import Filters, threshold
from tongban.supervision.models import DailyCaseFigure, MonthlyReport

log = logging.getLogger(__name__)
NUMBER_PREFIX = "效能月报"  # 代字 of the reports' numbers: 效能月报〔2026〕3号
REPORT_SECTIONS = ("status", "channel", "online", "timeliness", "items", "instant", "ratings")


def supervising_office() -> Department:
    """settings.SUPERVISION_OFFICE_USCC names it; unset, the first city-level department that
    holds a usable seal (the demo's supervisors sit in the 民政局)."""
    from tongban.seals.models import Seal

    found = Department.objects.filter(is_active=True)
    uscc = conf.office_uscc()
    if uscc:
        office = found.filter(uscc=uscc).first()
    else:
        sealed = Seal.objects.filter(status=Seal.Status.ACTIVE).values("department_id")
        office = (
            found.filter(level=Department.ExerciseLevel.CITY, pk__in=sealed).order_by("pk").first()
        )
    if office is None:
        raise ValidationError(
            "未配置效能监察部门（SUPERVISION_OFFICE_USCC）或其没有可用印章，无法签章月度报告"
        )
    return office


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _pdf(
    title: str, number: str, heading: str, sections, office: Department, seal, qr_url: str
) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = images.register_cid_font()
    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=26, alignment=1, wordWrap="CJK")
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=20, spaceBefore=8, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    story = [
        Paragraph(escape(title), h1),
        Paragraph(escape(f"{number}　{heading}"), body),
        Spacer(1, 4 * mm),
    ]
    hidden = f"<{threshold()}"
    for section in sections:
        story.append(Paragraph(escape(section.title), h2))
        numeric = (
            [
                [
                    v if isinstance(v, int | float) else 0
                    for v in (r.get(section.series[0]) for r in section.rows[:12])
                ]
            ]
            if section.series
            else []
        )
        if numeric and any(numeric[0]):
            drawing = Drawing(160 * mm, 45 * mm)
            chart = VerticalBarChart()
            chart.x, chart.y, chart.width, chart.height = 10 * mm, 8 * mm, 145 * mm, 33 * mm
            chart.data = numeric
            chart.categoryAxis.categoryNames = [
                str(r.get("name", ""))[:6] for r in section.rows[:12]
            ]
            chart.categoryAxis.labels.fontName = font
            chart.categoryAxis.labels.fontSize = 6
            chart.valueAxis.labels.fontSize = 6
            chart.valueAxis.valueMin = 0
            chart.bars[0].fillColor = colors.HexColor("#1d5fa8")
            drawing.add(chart)
            drawing.add(String(0, 0, "", fontName=font))
            story.append(drawing)
        data = [[Paragraph(escape(label), body) for _, label in section.columns]]
        for row in section.rows[:40]:
            data.append(
                [
                    Paragraph(
                        escape(
                            hidden
                            if row.get(key) is None and key in section.series
                            else ("—" if row.get(key) is None else str(row.get(key)))
                        ),
                        body,
                    )
                    for key, _ in section.columns
                ]
            )
        if len(data) == 1:
            data.append([Paragraph("本期无数据", body)] + [""] * (len(section.columns) - 1))
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
        if section.note:
            story.append(Paragraph(escape(section.note), body))
    story.append(Spacer(1, 8 * mm))
    today = timezone.localdate()
    story.append(
        KeepTogether(
            documents.signature_block(
                office.name,
                f"{today.year}年{today.month}月{today.day}日",
                seal.get_kind_display(),
                qr_url,
                font,
            )
        )
    )
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=office.name,
        subject=number,
    ).build(story)
    return out.getvalue()


def make(month: datetime.date, department: Department | None) -> MonthlyReport:
    """Make (or return the kept) report of `month` for `department` (None: the city)."""
    first, last = month_bounds(month)
    kept = MonthlyReport.objects.filter(month=first, department=department).first()
    if kept is not None:
        return kept
    filters = Filters(first, last, department, None)
    sections = [figures.SECTIONS[key](filters) for key in REPORT_SECTIONS]
    where = department.name if department else "全市"
    title = f"{where}政务服务效能监察月度报告（{first:%Y年%m月}）"
    office = supervising_office()
    xlsx = exports.workbook(sections, f"{title}　{filters.label}")
    with transaction.atomic():
        # An issued document of the supervising office: numbered in its 效能月报 series, sealed,
        # with a QR code to the public verification page, where anyone holding the PDF checks it.
        document = documents.issue_rendered(
            document_type=IssuedDocument.Type.SUPERVISION_REPORT,
            title=title,
            department=office,
            prefix=NUMBER_PREFIX,
            render=lambda number, url, seal: _pdf(
                title, number, filters.label, sections, office, seal, url
            ),
        )
        signed = document.read_bytes()
        report = MonthlyReport(
            month=first,
            department=department,
            number=document.number,
            document=document,
            sha256=hashlib.sha256(signed).hexdigest(),
        )
        stem = f"{first:%Y%m}-{department.pk if department else 'city'}"
        report.pdf.save(f"{stem}.pdf", ContentFile(signed), save=False)
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.save()
    return report


def make_last_month(today: datetime.date | None = None) -> list[MonthlyReport]:
    today = today or timezone.localdate()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first, last = month_bounds(month)
    departments = Department.objects.filter(
        pk__in=DailyCaseFigure.objects.filter(day__gte=first, day__lte=last).values("department_id")
    ).order_by("pk")
    made = [make(month, None)]
    for department in departments:
        try:
            made.append(make(month, department))
        except ValidationError as exc:  # a report that cannot be sealed is retried next run
            log.warning("monthly report of %s not made: %s", department.pk, exc.messages[0])
    return made
