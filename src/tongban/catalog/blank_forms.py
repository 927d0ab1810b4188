"""Blank forms (空白表格) a guide offers for download: an A4 PDF with the form's title, the item and
department it belongs to, and labelled empty rows to fill in by hand.

Catalogue administrators upload their department's own form on the material; this drafts one from
the catalogue when none was uploaded (the demo's items use it), so a guide that says "网上下载填写"
always has something to download.
"""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from tongban.seals.images import register_cid_font

DEFAULT_ROWS = ("申请人姓名", "公民身份号码", "联系电话", "联系地址", "申请事项", "申请理由")


def render(title: str, item_name: str, department_name: str, rows=DEFAULT_ROWS) -> bytes:
    font = register_cid_font()
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    page.setTitle(title)
    page.setFont(font, 20)
    page.drawCentredString(width / 2, height - 30 * mm, title)
    page.setFont(font, 11)
    page.drawCentredString(width / 2, height - 38 * mm, f"{item_name} · {department_name}")
    left, right, top, row_height = 20 * mm, width - 20 * mm, height - 50 * mm, 14 * mm
    label_width = 40 * mm
    for index, label in enumerate((*rows, "申请人签名", "日期")):
        y = top - index * row_height
        page.rect(left, y - row_height, right - left, row_height)
        page.line(left + label_width, y, left + label_width, y - row_height)
        page.setFont(font, 12)
        page.drawString(left + 3 * mm, y - row_height / 2 - 2, label)
    page.setFont(font, 9)
    page.drawString(left, 20 * mm, "请用黑色签字笔填写，字迹清楚；填写后随其他材料一并提交。")
    page.showPage()
    page.save()
    return out.getvalue()
