"""The demo city's shared data: generated, obviously fictional, valid check digits.

The people are the demo accounts (accounts.demo) plus generated residents named 示例居民NN; the
enterprise is the demo enterprise. The demo loader bulk-loads the local-table resources from here,
and the demo department service (exchange.demo_department) answers the 民政 resources from here,
so both sides agree without sharing a database.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

from tongban.accounts import demo as accounts_demo
from tongban.core import testdata

RESIDENTS = 24  # generated residents besides the demo accounts
STREETS = ["魏文路", "八一路", "许继大道", "建安大道", "颍昌路", "文峰路"]


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
        address=f"河南省许昌市{district}{street}{100 + serial}号（示例地址）",
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


def enterprises() -> list[dict]:
    name, serial, rep_name = accounts_demo.ENTERPRISE[:3]
    uscc = testdata.credit_code("91", "411002", serial)
    rows = [
        {
            "subject": uscc,
            "qymc": name,
            "tyshxydm": uscc,
            "fddbr": rep_name,
            "clrq": "2015-03-18",
            "zs": "河南省许昌市魏都区示例路8号（示例地址）",
            "djzt": "存续",
            "jyfw": "餐饮服务；食品销售（示例）",
        }
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
                "zs": f"河南省许昌市魏都区示例街{n}号（示例地址）",
                "djzt": "存续" if n != 8 else "注销",
                "jyfw": "日用百货零售（示例）",
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
        }
        for index, p in enumerate(people())
        if 1950 < p.birth.year < 2007
    ]
