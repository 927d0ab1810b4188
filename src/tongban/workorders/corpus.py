"""Generates the training corpus of the classifier: complaint texts as callers and citizens write them.

Every text combines a frame (how people open, place the problem, say how long it has lasted and
what they want) with a leaf's things and problems from workorders.taxonomy, placed in the demo
city's streets, communities and counties. The generator is seeded, so `tongban workorders corpus`
rewrites the same file; the file (data/corpus.tsv.gz: text TAB category code) is kept in the
repository so training needs no generator run.
"""

import csv
import gzip
import io
import random
from pathlib import Path

from tongban.workorders.taxonomy import leaves

CORPUS_FILE = Path(__file__).parent / "data" / "corpus.tsv.gz"
PER_CATEGORY = 1000
SEED = 12345

COUNTIES = ["魏都区", "建安区", "鄢陵县", "襄城县", "禹州市", "长葛市"]
STREETS = [
    "建安大道",
    "魏文路",
    "许继大道",
    "八一路",
    "文峰路",
    "劳动路",
    "七一路",
    "延安路",
    "莲城大道",
    "学院路",
    "新兴路",
    "南海街",
    "东大街",
    "西大街",
    "北大街",
    "天宝路",
    "瑞祥路",
    "永昌路",
    "颍昌大道",
    "芙蓉大道",
    "钧台路",
    "夏都大道",
    "神垕老街",
    "长社路",
    "花都大道",
]
COMMUNITIES = [
    "西关社区",
    "北关社区",
    "东城社区",
    "南关社区",
    "五一社区",
    "钧台社区",
    "夏都社区",
    "神垕村",
    "白峪村",
    "幸福家园小区",
    "锦绣花园",
    "阳光城小区",
    "碧水湾小区",
    "建业小区",
    "东方明珠小区",
    "丽景苑",
    "铁路家属院",
    "电力家属院",
    "新华书店家属院",
    "文峰名苑",
]
LANDMARKS = [
    "人民医院门口",
    "第一中学附近",
    "火车站广场",
    "胖东来对面",
    "春秋广场",
    "鹿鸣湖公园旁",
    "曹魏古城北门",
    "农贸市场里",
    "汽车站出口",
    "实验小学东边",
    "万达广场后面",
    "公交站台旁",
]
OPENINGS = [
    "",
    "",
    "你好，",
    "您好，",
    "我要反映一个问题，",
    "我想投诉，",
    "我是附近的居民，",
    "麻烦问一下，",
    "12345你好，",
    "我要举报，",
    "向你们反映，",
    "我是{community}的住户，",
]
PLACES = [
    "{county}{street}",
    "{street}{landmark}",
    "{community}",
    "{county}{community}",
    "{street}和{street2}交叉口",
    "{landmark}",
    "我们{community}",
    "{county}{street}{number}号",
    "{community}{number}号楼",
]
DURATIONS = [
    "",
    "",
    "",
    "已经一个星期了，",
    "好几天了，",
    "半个多月了，",
    "反映过好几次，",
    "从上个月开始，",
    "打了多次电话，",
    "一直没人管，",
    "昨天晚上开始，",
    "今天早上发现，",
]
EFFECTS = [
    "",
    "",
    "",
    "老人孩子出行很不方便，",
    "影响大家正常生活，",
    "存在安全隐患，",
    "群众意见很大，",
    "周边居民都很着急，",
    "晚上休息不好，",
]
ASKS = [
    "",
    "希望尽快处理。",
    "请相关部门管一管。",
    "请尽快派人来看看。",
    "希望给个答复。",
    "请问该怎么办？",
    "麻烦尽快解决，谢谢！",
    "请有关部门核实处理。",
    "希望早日解决。",
]
PATTERNS = [
    "{opening}{place}的{thing}{problem}，{duration}{effect}{ask}",
    "{opening}{duration}{place}{thing}{problem}，{effect}{ask}",
    "{opening}反映{place}{thing}{problem}的问题，{duration}{ask}",
    "{place}{thing}{problem}。{effect}{ask}",
    "{opening}{thing}{problem}，地点在{place}，{duration}{ask}",
    "{opening}{thing}{problem}{ask}",
]


# Real reports are not tidy: some leave out the thing ("坏了好几天"), some mention another matter
# in passing. These shares keep the held-out accuracy honest rather than perfect.
NO_THING_SHARE = 0.12
ASIDE_SHARE = 0.15
ASIDES = ["另外{thing}也有点问题，", "顺便说一下{thing}的事，", "之前{thing}的事已经解决了，"]


def _text(rng: random.Random, thing: str, problem: str, aside_thing: str = "") -> str:
    if rng.random() < NO_THING_SHARE:
        thing = ""
    place = rng.choice(PLACES).format(
        county=rng.choice(COUNTIES),
        street=rng.choice(STREETS),
        street2=rng.choice(STREETS),
        community=rng.choice(COMMUNITIES),
        landmark=rng.choice(LANDMARKS),
        number=rng.randint(1, 199),
    )
    opening = rng.choice(OPENINGS).format(community=rng.choice(COMMUNITIES))
    text = rng.choice(PATTERNS).format(
        opening=opening,
        place=place,
        thing=thing,
        problem=problem,
        duration=rng.choice(DURATIONS),
        effect=rng.choice(EFFECTS),
        ask=rng.choice(ASKS),
    )
    if aside_thing and rng.random() < ASIDE_SHARE:
        text = rng.choice(ASIDES).format(thing=aside_thing) + text
    return text.replace("，，", "，").replace("，。", "。").replace("的，", "，").strip("，")


def generate(per_category: int = PER_CATEGORY, seed: int = SEED) -> list[tuple[str, str]]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    rows = []
    all_things = [thing for *_l, things, _p in leaves() for thing in things]
    for *_group, code, _name, _department, things, problems in leaves():
        seen: set[str] = set()
        attempts = 0
        while len(seen) < per_category and attempts < per_category * 20:
            attempts += 1
            text = _text(rng, rng.choice(things), rng.choice(problems), rng.choice(all_things))
            if text not in seen:
                seen.add(text)
                rows.append((text, code))
    rng.shuffle(rows)
    return rows


def write(rows: list[tuple[str, str]], path: Path = CORPUS_FILE) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same corpus gives the same bytes, so regenerating leaves git with no change
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(buffer.getvalue().encode())


def read(path: Path = CORPUS_FILE) -> list[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [(row[0], row[1]) for row in csv.reader(handle, delimiter="\t") if len(row) == 2]
