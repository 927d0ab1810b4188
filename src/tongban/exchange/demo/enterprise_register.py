"""The demo enterprises and what the registers hold about them (市场主体登记, 从业人员健康管理,
单位参保, 纳税人存款账户): the demo enterprise, the second demo enterprise and eight generated ones.
Generated, obviously fictional, valid check digits."""

import datetime

from tongban.accounts import demo as accounts_demo
from tongban.core import testdata


def enterprise_uscc(enterprise=accounts_demo.ENTERPRISE) -> str:
    return testdata.credit_code("91", "411002", enterprise[1])


def enterprises() -> list[dict]:
    name, serial, rep_name = accounts_demo.ENTERPRISE[:3]
    uscc = testdata.credit_code("91", "411002", serial)
    second = accounts_demo.SECOND_ENTERPRISE
    rows = [
        {
            "subject": uscc,
            "qymc": name,
            "tyshxydm": uscc,
            "fddbr": rep_name,
            "clrq": "2015-03-18",
            "zs": "河南省许昌市魏都区示例路8号",
            "djzt": "存续",
            "jyfw": "餐饮服务；食品销售（示例）",
        },
        {
            "subject": enterprise_uscc(second),
            "qymc": second[0],
            "tyshxydm": enterprise_uscc(second),
            "fddbr": second[2],
            "clrq": "2019-09-02",
            "zs": "河南省许昌市魏都区示例路18号",
            "djzt": "存续",
            "jyfw": "洗浴服务；美容美发服务（示例）",
        },
    ]
    for n in range(1, 9):
        code = testdata.credit_code("92" if n % 2 else "91", "411002", 300 + n)
        rows.append(
            {
                "subject": code,
                "qymc": f"许昌示例商贸{n:02d}{'个体户' if n % 2 else '有限公司'}",
                "tyshxydm": code,
                "fddbr": f"示例居民{n:02d}",
                "clrq": datetime.date(2010 + n, n, 10).isoformat(),
                "zs": f"河南省许昌市魏都区示例街{n}号",
                "djzt": "存续" if n != 8 else "注销",
                "jyfw": "日用百货零售（示例）",
            }
        )
    return rows


def staff_health() -> list[dict]:
    """从业人员健康管理信息 by employer: the demo enterprise's 8 staff all hold valid health
    certificates; the second enterprise's 6 staff only 4 (fails 公共场所卫生许可)."""
    first, second = accounts_demo.ENTERPRISE, accounts_demo.SECOND_ENTERPRISE
    return [
        {
            "subject": enterprise_uscc(first),
            "dwmc": first[0],
            "cyrs": "8",
            "yxjkzms": "8",
            "zzdqrq": "2027-05-01",
        },
        {
            "subject": enterprise_uscc(second),
            "dwmc": second[0],
            "cyrs": "6",
            "yxjkzms": "4",
            "zzdqrq": "2027-02-15",
        },
    ]


def enterprise_insurance() -> list[dict]:
    """Each enterprise's social-insurance headcount (人社): the demo enterprise keeps its staff
    (稳岗返还) but hired nobody new this year (no 新增就业补贴)."""
    rows = []
    for index, row in enumerate(enterprises()):
        demo = index == 0
        rows.append(
            {
                "subject": row["subject"],
                "dwmc": row["qymc"],
                "cbrs": 48 if demo else 3 + index * 7,
                "xzcbrs": 0 if demo else index % 3,
                "cyl": "2.1" if demo else f"{index * 1.7:.1f}",
                "qfzt": "无欠费" if demo or index % 4 else "欠费",
            }
        )
    return rows


def enterprise_accounts() -> list[dict]:
    """纳税人存款账户账号报告 (税务): the account each enterprise reported to the tax bureau. The
    numbers are fictional and obviously so (the 8888 prefix, then the row's serial); the second
    demo enterprise and the deregistered one reported none (they enter theirs once)."""
    return [
        {
            "subject": row["subject"],
            "nsrmc": row["qymc"],
            "nsrsbh": row["tyshxydm"],
            "khyh": "示例银行许昌分行营业部",
            "yhzh": f"888800{index + 1:012d}",
        }
        for index, row in enumerate(enterprises())
        if index != 1 and row["djzt"] == "存续"
    ]
