"""Excel import and export of the implementation catalogue (openpyxl).

Import is two steps: `validate_workbook` reads every row and reports each bad row with its number
and the reasons in Chinese, writing nothing; `apply_batch` re-reads the stored file, re-validates,
and applies all good rows in one transaction (new items get a draft version; existing items get
their draft updated or a new draft). Nothing is published by an import: publishing stays a review
step. Export writes the published catalogue; every text cell that a spreadsheet could take for a
formula (= + - @, tab, carriage return) is prefixed with an apostrophe.

A workbook has the item sheet (实施清单, one row per item) and three structure sheets keyed by 实施编码:
业务办理项, 申请材料 and 情形引导 (one row per answer option). An exported workbook imports back to the
same catalogue. An item with rows in any structure sheet gets its 业务办理项, materials and situation
questions replaced by those rows; an item with none keeps its own (so a sheet of elements alone, or an
older workbook without the structure sheets, never wipes materials).
"""

from tongban.catalog.excel.batches import (
    apply_batch,
    confirm_batch,
    progress,
    run_confirmed_batch,
    validate_workbook,
)
from tongban.catalog.excel.export import export_rows, export_workbook
from tongban.catalog.excel.sheets import BROKEN_FILE, COLUMNS, read_rows, read_workbook, safe_cell
from tongban.catalog.excel.validation import validate_rows

__all__ = [
    "BROKEN_FILE",
    "COLUMNS",
    "apply_batch",
    "confirm_batch",
    "export_rows",
    "export_workbook",
    "progress",
    "read_rows",
    "read_workbook",
    "run_confirmed_batch",
    "safe_cell",
    "validate_rows",
    "validate_workbook",
]
