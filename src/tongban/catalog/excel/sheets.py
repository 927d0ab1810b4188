"""The workbook's sheets and columns, and reading them (see the package's docstring)."""

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tongban.catalog import codes
from tongban.core.models import Department

# (key, header). The first row of the sheet holds the headers; order does not matter on import.
COLUMNS = [
    ("basic_code", "基本编码"),
    ("name", "事项名称"),
    ("item_type", "事项类型代码"),
    ("legal_basis", "设定依据"),
    ("exercise_content", "行使内容"),
    ("service_object", "服务对象代码"),
    ("department_uscc", "实施主体统一社会信用代码"),
    ("implementer_nature", "实施主体性质代码"),
    ("exercise_level", "行使层级代码"),
    ("implementation_code", "实施编码"),
    ("legal_limit", "法定办结时限"),
    ("legal_limit_unit", "法定时限单位"),
    ("promised_limit", "承诺办结时限"),
    ("promised_limit_unit", "承诺时限单位"),
    ("handling_type", "办件类型代码"),
    ("handling_forms", "办理形式代码"),
    ("is_online", "是否网办"),
    ("online_url", "网办地址"),
    ("max_visits", "到办事现场次数"),
    ("required_realname_level", "网上申请所需实名认证等级"),
    ("charges_fee", "是否收费"),
    ("fee_basis", "收费依据"),
    ("acceptance_conditions", "受理条件"),
    ("process", "办理流程"),
    ("result_name", "结果名称"),
    ("consult_phone", "咨询电话"),
    ("supervision_phone", "监督电话"),
    ("office_hours", "办理时间"),
    ("keywords", "检索关键词"),
    ("halls", "办理地点"),
    ("place_note", "办理地点说明"),
]
ITEM_SHEET = "实施清单"
HANDLING_SHEET, MATERIAL_SHEET, QUESTION_SHEET = "业务办理项", "申请材料", "情形引导"
STRUCTURE_COLUMNS = {
    HANDLING_SHEET: [
        ("code", "实施编码"),
        ("serial", "序号"),
        ("name", "业务办理项名称"),
        ("description", "说明"),
    ],
    MATERIAL_SHEET: [
        ("code", "实施编码"),
        ("name", "材料名称"),
        ("issuer", "出具机构"),
        ("issue_time_requirement", "出具时间要求"),
        ("original_count", "原件份数"),
        ("copy_count", "复印件份数"),
        ("required", "是否必备"),
        ("notes", "填报须知"),
        ("allows_deficiency", "是否容缺"),
        ("commitment_replaceable", "可告知承诺替代"),
        ("replaceable_by_licence_type", "可由电子证照替代"),
        ("handling_serials", "适用业务办理项"),
        ("document_kind", "识别证件类型"),
    ],
    QUESTION_SHEET: [
        ("code", "实施编码"),
        ("question", "问题"),
        ("option", "选项"),
        ("handling_serial", "选中业务办理项"),
        ("materials", "需增加的材料"),
    ],
}
# Lists inside one cell (places, the materials an answer adds) are separated by "；" or line breaks:
# material names themselves may contain "、".
LIST_SEPARATOR = "；"
NATURES = {str(value) for value in Department.Nature.values}
HEADERS = {header: key for key, header in COLUMNS}
REQUIRED = {"basic_code", "name", "item_type", "legal_basis", "service_object", "department_uscc"}
BOOLEAN = {"is_online", "charges_fee"}
INTEGER = {
    "legal_limit",
    "promised_limit",
    "max_visits",
    "exercise_level",
    "required_realname_level",
}
# Columns added after the first workbooks went out: an item row from a sheet without them keeps the
# item's own value instead of being reset to the default.
LATER_COLUMNS = ("halls", "place_note", "required_realname_level")
# The sheet names units in Chinese whatever the interface language (the labels of LimitUnit follow
# the language of the person exporting or importing).
UNITS = {"工作日": codes.LimitUnit.WORKING_DAYS, "自然日": codes.LimitUnit.NATURAL_DAYS}
UNIT_NAMES = {value: name for name, value in UNITS.items()}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BROKEN_FILE = "无法读取该文件，请上传 .xlsx 格式的 Excel 工作簿"


def safe_cell(value):
    """A value safe to put into a spreadsheet cell (no formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class RowResult:
    number: int  # row number in the sheet, as Excel shows it
    data: dict
    errors: list[str] = field(default_factory=list)
    sheet: str = ITEM_SHEET
    code: str = ""  # the item's 实施编码 as worked out from the row (item sheet)


def read_workbook(content: bytes) -> tuple[list[RowResult], dict[str, list[RowResult]]]:
    """The item rows, and the rows of each structure sheet the workbook has."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as exc:
        raise ValidationError({"file": [BROKEN_FILE]}) from exc
    if not workbook.worksheets:
        raise ValidationError({"file": ["工作簿中没有工作表"]})
    names = workbook.sheetnames
    items = workbook[ITEM_SHEET] if ITEM_SHEET in names else workbook.worksheets[0]
    rows = _sheet_rows(items, HEADERS, REQUIRED, ITEM_SHEET)
    structure = {
        name: _sheet_rows(workbook[name], {h: k for k, h in columns}, {"code"}, name)
        for name, columns in STRUCTURE_COLUMNS.items()
        if name in names
    }
    workbook.close()
    return rows, structure


def read_rows(content: bytes) -> list[RowResult]:
    return read_workbook(content)[0]


def _sheet_rows(sheet, headers: dict, required: set, name: str) -> list[RowResult]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    where = "工作表" if name == ITEM_SHEET else f"“{name}”表"
    if not header:
        raise ValidationError({"file": [f"{where}第1行应为表头"]})
    keys = [headers.get(str(h).strip()) if h is not None else None for h in header]
    by_key = {key: header for header, key in headers.items()}
    missing = [by_key[k] for k in required if k not in keys]
    if missing:
        raise ValidationError({"file": [f"{where}表头缺少列：{'、'.join(sorted(missing))}"]})
    results = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        data = {key: value for key, value in zip(keys, values, strict=False) if key}
        results.append(RowResult(number, data, sheet=name))
    return results


HEADERS_BY_KEY = {key: header for key, header in COLUMNS}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_STARTS else text


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[；;\n]", text) if part.strip()]
