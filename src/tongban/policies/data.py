"""The data policies read: data elements of the rule format, where each comes from in the
exchange, and the typed table (one row per subject) the bulk evaluator runs over.

The exchange delivers each resource's local copy in bulk to the platform consumer
`platform.policies` (its own grants, logged). The tables are joined on the subject's blind index;
the subject's number comes from the base resource's own item (公民身份号码 / 统一社会信用代码).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from tongban.exchange.actions import delivery
from tongban.exchange.models import Consumer
from tongban.rules import grammar

CONSUMER = "platform.policies"
PURPOSE = "惠民惠企政策主动匹配（免申即享）"
PERSON, ENTERPRISE = "person", "enterprise"
INDEX = delivery.SUBJECT_INDEX
NUMBER_COLUMN, NAME_COLUMN, REGION_COLUMN = "__number", "__name", "__region"


@dataclass(frozen=True)
class Source:
    element: grammar.Element
    resource: str
    item: str


def _e(name, label, kind, codes=()):
    return grammar.Element(name, kind, label, tuple(codes))


SOURCES: dict[str, list[Source]] = {
    PERSON: [
        Source(_e("person.id_number", "公民身份号码", grammar.STRING), "RK_RKJBXX", "gmsfhm"),
        Source(_e("person.birth_date", "出生日期", grammar.DATE), "RK_RKJBXX", "csrq"),
        Source(
            _e("disability.grade", "残疾等级", grammar.STRING, ["一级", "二级", "三级", "四级"]),
            "CL_CJRZ",
            "cjdj",
        ),
        Source(_e("disability.category", "残疾类别", grammar.STRING), "CL_CJRZ", "cjlb"),
        Source(_e("disability.valid_to", "残疾人证有效期至", grammar.DATE), "CL_CJRZ", "yxqz"),
    ],
    ENTERPRISE: [
        Source(
            _e("enterprise.status", "登记状态", grammar.STRING, ["存续", "注销", "吊销"]),
            "SJ_QYDJ",
            "djzt",
        ),
        Source(_e("enterprise.founded", "成立日期", grammar.DATE), "SJ_QYDJ", "clrq"),
        Source(_e("insurance.headcount", "参保职工人数", grammar.NUMBER), "RS_QYCB", "cbrs"),
        Source(_e("insurance.new_hires", "本年新增参保人数", grammar.NUMBER), "RS_QYCB", "xzcbrs"),
        Source(_e("insurance.layoff_rate", "上年裁员率（%）", grammar.NUMBER), "RS_QYCB", "cyl"),
        Source(
            _e("insurance.arrears", "社保欠费状态", grammar.STRING, ["无欠费", "欠费"]),
            "RS_QYCB",
            "qfzt",
        ),
    ],
}
# The base resource of each target: who the subjects are, their number and name.
BASE = {
    PERSON: ("RK_RKJBXX", "gmsfhm", "xm"),
    ENTERPRISE: ("SJ_QYDJ", "tyshxydm", "qymc"),
}
SUBJECT_KIND = {PERSON: "citizen_id", ENTERPRISE: "uscc"}
# Where a subject's payment account comes from in shared data: (resource, bank item, number item,
# purpose). People: the 社会保障卡金融账户 ("一卡通"); enterprises: the account reported to the
# tax bureau (《税收征收管理法》第十七条).
BANK_RESOURCE = {
    PERSON: ("RS_SBKZH", "khyh", "yhzh", "补贴资金通过社会保障卡发放"),
    ENTERPRISE: ("SW_CKZH", "khyh", "yhzh", "惠企政策资金拨付"),
}


def elements(target: str) -> dict[str, grammar.Element]:
    """The elements a policy for this target may read (validation uses exactly these)."""
    return {s.element.name: s.element for s in SOURCES[target]}


def columns(target: str) -> list[str]:
    return [s.element.name for s in SOURCES[target]]


def consumer() -> Consumer:
    return Consumer.objects.get(code=CONSUMER)


def _typed(frame: pl.DataFrame, target: str) -> pl.DataFrame:
    casts = []
    for source in SOURCES[target]:
        element = source.element
        if element.type == grammar.NUMBER:
            casts.append(pl.col(element.name).cast(pl.Float64, strict=False))
        elif element.type == grammar.DATE:
            casts.append(pl.col(element.name).cast(pl.Date, strict=False))
        else:
            casts.append(pl.col(element.name).cast(pl.String, strict=False))
    return frame.with_columns(casts)


def load_frame(target: str, subject_indexes: list[str] | None = None) -> pl.DataFrame:
    """One row per subject of the target: blind index, number, name, region, and every element,
    read from the exchange in bulk under the platform consumer's grants."""
    reader = consumer()
    base_code, number_item, name_item = BASE[target]
    wanted: dict[str, list[Source]] = {}
    for source in SOURCES[target]:
        wanted.setdefault(source.resource, []).append(source)
    base_items = [number_item, name_item] + [s.item for s in wanted.get(base_code, [])]
    frame = delivery.read_copy(
        consumer=reader,
        resource_code=base_code,
        items=list(dict.fromkeys(base_items)),
        purpose=PURPOSE,
        subject_indexes=subject_indexes,
    ).with_columns(
        pl.col(number_item).alias(NUMBER_COLUMN),
        pl.col(name_item).alias(NAME_COLUMN),
        *[pl.col(s.item).alias(s.element.name) for s in wanted.get(base_code, [])],
    )
    for resource, sources in wanted.items():
        if resource == base_code:
            continue
        other = delivery.read_copy(
            consumer=reader,
            resource_code=resource,
            items=[s.item for s in sources],
            purpose=PURPOSE,
            subject_indexes=subject_indexes,
        ).select(INDEX, *[pl.col(s.item).alias(s.element.name) for s in sources])
        frame = frame.join(other, on=INDEX, how="left")
    frame = frame.with_columns(pl.col(NUMBER_COLUMN).str.slice(2, 6).alias(REGION_COLUMN))
    if target == PERSON:
        frame = frame.with_columns(pl.col(NUMBER_COLUMN).str.slice(0, 6).alias(REGION_COLUMN))
    keep = [INDEX, NUMBER_COLUMN, NAME_COLUMN, REGION_COLUMN, *columns(target)]
    return _typed(frame.select(keep), target)


def _resources(target: str) -> dict[str, list[str]]:
    """{resource code: items read} for a target, base resource first."""
    base_code, number_item, name_item = BASE[target]
    found = {base_code: [number_item, name_item]}
    for source in SOURCES[target]:
        found.setdefault(source.resource, []).append(source.item)
    return found


def changes(target: str, after_load: int) -> tuple[set[str], int, bool]:
    """The exchange's change feed for the target's resources since the load `after_load`: the
    subjects whose data was written since, the feed position now, and whether a full load
    replaced one of the copies (then rows may have disappeared: compare everyone)."""
    changed, position, replaced = set(), after_load, False
    for code, items in _resources(target).items():
        found, last, full = delivery.changes_since(
            consumer=consumer(),
            resource_code=code,
            items=items,
            purpose=PURPOSE,
            after_load=after_load,
        )
        changed.update(found)
        position, replaced = max(position, last), replaced or full
    return changed, position, replaced


def bank_accounts(subject_indexes: list[str], target: str = PERSON) -> dict[str, tuple[str, str]]:
    """Payment accounts of these subjects from shared data: {index: (bank, number)}."""
    code, bank_item, number_item, purpose = BANK_RESOURCE[target]
    frame = delivery.read_copy(
        consumer=consumer(),
        resource_code=code,
        items=[bank_item, number_item],
        purpose=purpose,
        subject_indexes=subject_indexes,
    )
    return {
        index: (bank or "", number)
        for index, bank, number in frame.select(INDEX, bank_item, number_item).iter_rows()
        if number
    }
