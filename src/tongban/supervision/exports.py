"""Excel workbooks of the dashboards' sections (openpyxl): one sheet per section, the same table
as the page, suppressed counts written as “<N”."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from tongban.supervision.filters import threshold


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:26]}{n}"
    used.add(name)
    return name


def workbook(sections, heading: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    hidden = f"<{threshold()}"
    for section in sections:
        sheet = book.create_sheet(_sheet_title(section.title, used))
        sheet.append([section.title])
        sheet.append([heading])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([label for _, label in section.columns])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in section.rows:
            values = []
            for key, _ in section.columns:
                value = row.get(key)
                values.append(hidden if value is None and key in section.series else value)
            sheet.append(values)
        if section.note:
            sheet.append([])
            sheet.append([section.note])
        sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
