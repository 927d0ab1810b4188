"""Daily and monthly Excel reports of the hall: average times against the target, by window,
item and hour, and every ticket's times (codes only: no names or numbers of visitors)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from tongban.hall import monitor
from tongban.hall.actions.common import setup_of
from tongban.hall.codes import TicketStatus

HEAD = ["分组", "张数", "平均等候(分)", "平均步行(分)", "平均办理(分)", "平均在厅(分)"]


def _sheet(book, title, header, rows):
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    return sheet


def _summary_rows(summary):
    return [
        [s["key"], s["tickets"], s["waiting"], s["walking"], s["service"], s["in_hall"]]
        for s in summary
    ]


def workbook(hall, start, end) -> bytes:
    tickets = list(monitor.tickets_between(hall, start, end))
    rows = [monitor.times_of(t) for t in tickets]
    target = setup_of(hall).target_minutes
    avg_in_hall = monitor.average(r.in_hall for r in rows)
    book = Workbook()
    overview = book.active
    overview.title = "汇总"
    for line in [
        ["大厅", hall.name],
        ["期间", f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"],
        ["取号总数", len(rows)],
        ["办结", sum(1 for t in tickets if t.status == TicketStatus.DONE)],
        ["过号", sum(1 for t in tickets if t.status == TicketStatus.NO_SHOW)],
        ["平均等候(分)", monitor.average(r.waiting for r in rows)],
        ["平均办理(分)", monitor.average(r.service for r in rows)],
        ["平均在厅(分)", avg_in_hall],
        ["在厅时长目标(分)", target],
        [
            "是否达标",
            "—" if avg_in_hall is None else ("达标" if avg_in_hall <= target else "未达标"),
        ],
    ]:
        overview.append(line)
    for cell in overview["A"]:
        cell.font = Font(bold=True)
    by_window = monitor.summarise(rows, lambda r: r.window or "（未叫号）")
    by_item = monitor.summarise(rows, lambda r: r.item or "（未选事项）")
    by_hour = monitor.summarise(rows, lambda r: f"{r.hour:02d}:00")
    by_group = monitor.summarise(rows, lambda r: r.group)
    _sheet(book, "按分组", HEAD, _summary_rows(by_group))
    _sheet(book, "按窗口", ["窗口", *HEAD[1:]], _summary_rows(by_window))
    _sheet(book, "按事项", ["事项", *HEAD[1:]], _summary_rows(by_item))
    _sheet(book, "按小时", ["取号时段", *HEAD[1:]], _summary_rows(by_hour))
    _sheet(
        book,
        "明细",
        ["号码", "分组", "窗口", "事项", "状态", "等候(分)", "步行(分)", "办理(分)", "在厅(分)"],
        [
            [
                r.code,
                r.group,
                r.window,
                r.item,
                r.status,
                r.waiting,
                r.walking,
                r.service,
                r.in_hall,
            ]
            for r in rows
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
