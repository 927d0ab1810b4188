"""The demo city's residents and their register rows: generated, obviously fictional, valid check
digits.

The people are the demo accounts (accounts.demo) plus generated residents named 示例居民NN. The
demo loader bulk-loads the local-table resources from these rows, and the demo department system
(`department`) answers the 民政 resources from `department_records`, so both sides agree without
sharing a database.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from tongban.accounts import demo as accounts_demo
from tongban.core import testdata

RESIDENTS = 24  # generated residents besides the demo accounts
# Street names no map has, so a generated address cannot be someone's real home.
STREETS = ["示例路", "演示街", "样板大道", "示范路", "虚拟街", "模拟路"]


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    birth: datetime.date
    male: bool
    region: str
    address: str
    household_no: str


@lru_cache(maxsize=1)
def people() -> tuple[Person, ...]:
    rows = []
    for index, (name, birth, sequence, male, _phone) in enumerate(accounts_demo.CITIZENS):
        rows.append(_person(name, birth, sequence, male, "411002", index))
    rep_name, rep_birth, rep_sequence = accounts_demo.ENTERPRISE[2:5]
    rows.append(_person(rep_name, rep_birth, rep_sequence, True, "411002", 9))
    for n in range(1, RESIDENTS + 1):
        birth = datetime.date(1935 + (n * 3) % 70, 1 + n % 12, 1 + (n * 7) % 28)
        region = "411002" if n % 3 else "411081"
        rows.append(_person(f"示例居民{n:02d}", birth, 200 + n, n % 2 == 1, region, 20 + n))
    # Last, so the generated residents keep their places: the second enterprise's representative.
    rep_name, rep_birth, rep_sequence = accounts_demo.SECOND_ENTERPRISE[2:5]
    rows.append(_person(rep_name, rep_birth, rep_sequence, True, "411002", 10))
    return tuple(rows)


def _person(name, birth, sequence, male, region, serial) -> Person:
    id_number = testdata.citizen_id(region, birth, sequence, male)
    street = STREETS[serial % len(STREETS)]
    district = "魏都区" if region == "411002" else "禹州市"
    return Person(
        name=name,
        id_number=id_number,
        birth=birth,
        male=male,
        region=region,
        address=f"河南省许昌市{district}{street}{100 + serial}号",
        household_no=f"4110{serial:05d}",
    )


def population() -> list[dict]:
    return [
        {
            "subject": p.id_number,
            "xm": p.name,
            "gmsfhm": p.id_number,
            "xb": "男" if p.male else "女",
            "csrq": p.birth.isoformat(),
            "mz": "汉族",
            "zz": p.address,
        }
        for p in people()
    ]


def household(person: Person) -> dict:
    return {
        "xm": person.name,
        "gmsfhm": person.id_number,
        "csrq": person.birth.isoformat(),
        "hh": person.household_no,
        "yhzgx": "户主",
        "hjdz": person.address,
        "hjszd": person.region,
    }


def marriage(person: Person, index: int) -> dict:
    married = person.birth.year < 1996 and index % 4 != 3
    return {
        "xm": person.name,
        "gmsfhm": person.id_number,
        "hyzk": "已婚" if married else "未婚",
        "djrq": datetime.date(person.birth.year + 26, 5, 20).isoformat() if married else None,
        "djjg": "许昌市民政局婚姻登记处" if married else None,
    }


def department_records(resource_code: str) -> dict[str, dict]:
    """What the demo 民政 system answers, by ID number."""
    if resource_code == "MZ_HJ":
        return {p.id_number: household(p) for p in people()}
    if resource_code == "MZ_HYDJ":
        return {p.id_number: marriage(p, i) for i, p in enumerate(people())}
    return {}


def social_insurance() -> list[dict]:
    rows = []
    for index, p in enumerate(people()):
        retired = p.birth.year < 1966
        rows.append(
            {
                "subject": p.id_number,
                "xm": p.name,
                "gmsfhm": p.id_number,
                "xz": "城乡居民基本养老保险" if index % 2 else "企业职工基本养老保险",
                "cbzt": "参保缴费" if not retired else "暂停缴费",
                "cbrq": datetime.date(max(p.birth.year + 20, 1995), 7, 1).isoformat(),
                "dwmc": accounts_demo.ENTERPRISE[0] if index % 2 == 0 and not retired else "",
            }
        )
    return rows


def real_estate() -> list[dict]:
    return [
        {
            "subject": p.id_number,
            "qlr": p.name,
            "gmsfhm": p.id_number,
            "bdcqzh": f"豫（2020）许昌市不动产权第{4110000 + index:07d}号",
            "zl": p.address,
            "mj": f"{80 + index * 3}.50",
            "yt": "住宅",
        }
        for index, p in enumerate(people())
        if p.birth.year < 1995
    ]


def birth_certificates() -> list[dict]:
    """Children among the generated residents born after 2000."""
    rows = []
    for index, p in enumerate(people()):
        if p.birth.year >= 2000:
            rows.append(
                {
                    "subject": p.id_number,
                    "xm": p.name,
                    "csrq": p.birth.isoformat(),
                    "mqxm": "示例母亲",
                    "fqxm": "示例父亲",
                    "zmbh": f"R41{p.birth.year}{index:06d}",
                    "csdd": "许昌市中心医院（示例）",
                }
            )
    return rows


def disability_cards() -> list[dict]:
    return [
        {
            "subject": p.id_number,
            "xm": p.name,
            "cjrzh": f"{p.id_number}{4 if index % 2 else 2}{index % 4 + 1}",
            "cjlb": "肢体残疾" if index % 2 else "视力残疾",
            "cjdj": ["一级", "二级", "三级", "四级"][index % 4],
            "yxqz": datetime.date(2030, 12, 31).isoformat(),
        }
        for index, p in enumerate(people())
        if index % 7 == 5
    ]


def drivers() -> list[dict]:
    return [
        {
            "subject": p.id_number,
            "xm": p.name,
            "jszh": p.id_number,
            "zjcx": ["C1", "C2", "B2", "A2"][index % 4],
            "jszzt": "正常",
            "hphm": f"豫K·D{index:04d}" if index % 3 == 0 else "",
            "cllx": "小型汽车" if index % 3 == 0 else "",
            "cclzrq": datetime.date(p.birth.year + 20, p.birth.month, 1).isoformat(),
        }
        for index, p in enumerate(people())
        if 1950 < p.birth.year < 2007
    ]


# 智能秒批 demos (cases.instant_demo): the demo accounts 李演示 and 王测试 drive; 王测试 has a
# drink-driving record (fails 网约车), 李演示's lorry is only 国四 (fails 大货车入市通行证).
DRIVING_RECORDS = {"王测试": "饮酒后驾驶"}
VEHICLES = {
    "王测试": ("豫KH6013", "重型货车", "国六", datetime.date(2027, 6, 30)),
    "李演示": ("豫KH4012", "中型货车", "国四", datetime.date(2027, 3, 31)),
}


def driving_records() -> list[dict]:
    """驾驶人安全记录: one row per driver, the disqualifying records (none for most)."""
    return [
        {
            "subject": row["subject"],
            "xm": row["xm"],
            "gmsfhm": row["subject"],
            "wfjl": DRIVING_RECORDS.get(row["xm"], ""),
            "jm12": "false",
        }
        for row in drivers()
    ]


def vehicles() -> list[dict]:
    """机动车登记信息 by owner: the demo lorries."""
    rows = []
    for p in people():
        if p.name in VEHICLES:
            plate, kind, emission, inspected_until = VEHICLES[p.name]
            rows.append(
                {
                    "subject": p.id_number,
                    "syr": p.name,
                    "gmsfhm": p.id_number,
                    "hphm": plate,
                    "cllx": kind,
                    "pfbz": emission,
                    "jyyxqz": inspected_until.isoformat(),
                    "zt": "正常",
                }
            )
    return rows


def social_security_cards() -> list[dict]:
    """社会保障卡金融账户 (惠民惠农补贴资金“一卡通”发放账户); the generated residents' numbers are
    fictional and obviously so (the 6222 test prefix followed by the serial)."""
    return [
        {
            "subject": p.id_number,
            "xm": p.name,
            "gmsfhm": p.id_number,
            "khyh": "示例银行许昌分行",
            "yhzh": f"622200{index:013d}",
        }
        for index, p in enumerate(people())
        if index % 5 != 4
    ]
