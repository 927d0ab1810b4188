"""What the demo resources share: the resource class tree, the shape of one demo resource
(`ResourceSpec`), `_i` for one data item, and the items most person resources carry."""

from collections.abc import Callable
from typing import NamedTuple

from tongban.exchange.actions.catalogue import ItemSpec
from tongban.exchange.models import DataItem

R = DataItem.Rule
SENS, IMP = "sensitive", "important"

CLASSES = [
    ("JCK", "基础库", None),
    ("JCK-RK", "人口基础信息库", "JCK"),
    ("JCK-FR", "法人单位基础信息库", "JCK"),
    ("JCK-ZRZY", "自然资源和空间地理基础信息库", "JCK"),
    ("ZTK", "主题库", None),
    ("ZTK-SHBZ", "社会保障主题库", "ZTK"),
    ("ZTK-JKBJ", "健康保健主题库", "ZTK"),
    ("BMK", "部门库", None),
    ("BMK-MZ", "民政部门库", "BMK"),
    ("BMK-GA", "公安部门库", "BMK"),
]


def _i(
    code,
    name,
    kind="string",
    sensitivity="general",
    personal=False,
    required=False,
    rule="",
    table="",
):
    return ItemSpec(code, name, kind, sensitivity, personal, required, rule, table)


NAME = _i("xm", "姓名", sensitivity=SENS, personal=True, required=True)
ID = _i("gmsfhm", "公民身份号码", sensitivity=SENS, personal=True, required=True, rule=R.CITIZEN_ID)


class ResourceSpec(NamedTuple):
    """One demo resource: published by the department of ``department`` (a core demo department
    key, or "cl"/"swj" for the two the exchange adds) in ``resource_class``; ``rows`` gives its
    local-table rows (None: answered by the department's own system, or not shared)."""

    code: str
    name: str
    department: str
    resource_class: str
    share_condition: str
    share_basis: str
    provider_plugin: str
    provider_label: str
    subject_kind: str
    items: list[ItemSpec]
    rows: Callable[[], list[dict]] | None
