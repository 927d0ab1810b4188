"""A population resource of the data exchange for tests: its data items, three people's rows, and
helpers that register, publish and load it through the exchange's service layer."""

import datetime
import hashlib

from tongban.core import testdata
from tongban.exchange.actions import bulk, catalogue
from tongban.exchange.actions.catalogue import ItemSpec
from tongban.exchange.models import DataItem, ShareCondition

PEOPLE = [
    ("示例甲", datetime.date(1940, 5, 6), 1),
    ("示例乙", datetime.date(1990, 1, 2), 7),
    ("示例丙", datetime.date(2001, 9, 9), 9),
]
ITEMS = [
    ItemSpec("xm", "姓名", sensitivity="sensitive", personal=True, required=True),
    ItemSpec("gmsfhm", "公民身份号码", personal=True, required=True, rule=DataItem.Rule.CITIZEN_ID),
    ItemSpec("xb", "性别", rule=DataItem.Rule.CODE_TABLE, code_table="男|女"),
    ItemSpec("csrq", "出生日期", item_type="date", required=True),
]


def person_id(birth, sequence):
    return testdata.citizen_id(birth=birth, sequence=sequence)


def population_rows():
    return [
        {
            "subject": person_id(birth, seq),
            "xm": name,
            "gmsfhm": person_id(birth, seq),
            "xb": "男",
            "csrq": birth.isoformat(),
        }
        for name, birth, seq in PEOPLE
    ]


def load_rows(resource, rows, **kwargs):
    content = bulk.csv_bytes(rows, ["subject", "xm", "gmsfhm", "xb", "csrq"])
    return bulk.load_file(
        actor=None,
        resource=resource,
        content=content,
        file_name="rk.csv",
        declared_rows=len(rows),
        sha256=hashlib.sha256(content).hexdigest(),
        **kwargs,
    )


def make_resource(
    department,
    resource_class,
    *,
    code="T_RK",
    condition=ShareCondition.CONDITIONAL,
    plugin="local_table",
    options=None,
    publish=True,
):
    version = catalogue.create_resource(
        actor=None,
        code=code,
        department=department,
        elements={
            "name": "人口基础信息（测试）",
            "resource_class": resource_class,
            "share_condition": condition,
            "share_basis": "测试依据" if condition != ShareCondition.UNCONDITIONAL else "",
            "delivery": "both",
            "provider_plugin": plugin,
            "provider_options": options or {},
            "provider_label": "公安人口库",
        },
        items=list(ITEMS),
    )
    if publish:
        catalogue.publish(actor=None, version=version)
    version.resource.refresh_from_db()
    return version.resource
