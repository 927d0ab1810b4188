"""Search latency over 10,000 published catalogue items.

Run: python bench/catalog_search.py  (DJANGO_SETTINGS_MODULE defaults to tongban.settings; when
TONGBAN_DATA_DIR is not set a temporary directory is used, so the dev database is never touched).

It migrates a fresh SQLite database, loads the demo reference data and demo catalogue (through the
service layer), then bulk-inserts synthetic published items up to 10,000 (bulk_create: the bench
measures search, not the service layer), builds the index once (cold, reported separately) and
times ~1,000 searches of mixed kinds through `catalog.search.search`, each including the cache read
that checks the index generation. Prints p50/p95/p99 in milliseconds.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TOTAL = 10_000
QUERIES = 1_000


def setup():
    if os.environ.get("TONGBAN_DATABASE_URL"):
        sys.exit(
            "catalog_search bench runs on a throwaway SQLite database; unset TONGBAN_DATABASE_URL"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    if not os.environ.get("TONGBAN_DATA_DIR"):
        os.environ["TONGBAN_DATA_DIR"] = tempfile.mkdtemp(prefix="tongban-bench-")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


SUBJECTS = [
    "高龄津贴",
    "老年人优待证",
    "残疾人生活补贴",
    "食品经营",
    "食品生产",
    "药品零售",
    "医疗器械经营",
    "公共场所卫生",
    "放射诊疗",
    "医疗机构执业",
    "护士执业",
    "医师执业",
    "个体工商户",
    "农民专业合作社",
    "企业名称",
    "营业执照",
    "网约车驾驶员",
    "巡游出租车",
    "道路货物运输",
    "道路旅客运输",
    "机动车维修",
    "大货车通行",
    "建筑垃圾处置",
    "户外广告设置",
    "占道经营",
    "城市绿地占用",
    "树木砍伐",
    "燃气经营",
    "健康证明",
    "出生医学证明",
    "预防接种证",
    "母婴保健技术服务",
    "不动产转移",
    "不动产首次",
    "不动产抵押",
    "房屋租赁",
    "住房公积金贷款",
    "住房公积金提取",
    "失业保险金",
    "工伤认定",
    "社会保障卡",
    "养老保险关系转移",
    "退休人员资格",
    "就业创业证",
    "职业技能等级",
    "人才引进",
    "异地就医",
    "门诊慢特病",
    "生育医疗费用",
    "医保关系转移",
    "居民身份证",
    "居住证",
    "户口迁移",
    "机动车驾驶证",
    "机动车登记",
    "出入境证件",
    "最低生活保障",
    "临时救助",
    "特困人员供养",
    "婚姻登记",
    "收养登记",
    "殡葬服务",
    "养老机构",
    "社会团体",
    "民办非企业单位",
    "慈善组织",
    "取水许可",
    "排污许可",
    "建设工程规划",
    "施工许可",
    "消防设计审查",
    "人防工程",
    "文物保护",
    "娱乐场所",
    "网吧经营",
    "出版物零售",
    "广播电视设施",
    "种子经营",
    "兽药经营",
    "动物防疫",
    "林木采伐",
    "野生动物驯养",
    "渔业捕捞",
    "烟草专卖零售",
    "酒类经营",
    "特种设备使用",
    "计量器具",
    "检验检测机构",
    "危险化学品经营",
    "烟花爆竹经营",
    "民用爆炸物品",
    "保安服务",
    "公章刻制",
    "旅馆业特种行业",
    "校外培训机构",
    "教师资格",
    "学历认证",
    "职称评审",
]
ACTIONS = [
    "申领",
    "许可",
    "登记",
    "备案",
    "审批",
    "核发",
    "认定",
    "变更",
    "延续",
    "注销",
    "补领",
    "换发",
    "证明开具",
    "资格认证",
    "信息查询",
    "年度报告",
    "核准",
    "确认",
    "补贴发放",
    "待遇申请",
]
SITUATIONS = [
    "",
    "（新设）",
    "（变更）",
    "（延续）",
    "（注销）",
    "（补办）",
    "（个人）",
    "（单位）",
]


def synthetic_names():
    names = []
    for subject in SUBJECTS:
        for action in ACTIONS:
            for situation in SITUATIONS:
                names.append(f"{subject}{action}{situation}")
    random.Random(7).shuffle(names)
    return names


def populate():
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from tongban.accounts import demo as accounts_demo
    from tongban.catalog import demo as catalog_demo
    from tongban.catalog.models import BasicItem, ItemVersion, ServiceItem
    from tongban.core import demo as core_demo
    from tongban.core.models import Department

    core_demo.load(lambda _m: None)
    get_user_model()  # accounts demo needs the user model ready
    accounts_demo.load(lambda _m: None)
    catalog_demo.load(lambda _m: None)
    existing = ServiceItem.objects.count()
    departments = list(Department.objects.all())
    names = synthetic_names()
    needed = TOTAL - existing
    rng = random.Random(11)
    with transaction.atomic():
        basics = BasicItem.objects.bulk_create(
            BasicItem(
                basic_code=f"B{i:011d}",
                name=names[i % len(names)],
                item_type="01",
                legal_basis="《中华人民共和国行政许可法》",
                service_object="1",
            )
            for i in range(needed)
        )
        items = []
        for i, basic in enumerate(basics):
            department = departments[i % len(departments)]
            items.append(
                ServiceItem(
                    basic_item=basic,
                    department=department,
                    region_id=department.region_id,
                    exercise_level=department.level,
                    implementation_code=f"{department.uscc}{department.level}{basic.basic_code}",
                    view_count=rng.randint(0, 500),
                )
            )
        items = ServiceItem.objects.bulk_create(items)
        versions = ItemVersion.objects.bulk_create(
            ItemVersion(
                item=item,
                number=1,
                status="published",
                name=item.basic_item.name,
                item_type="01",
                legal_basis=item.basic_item.legal_basis,
                service_object="1",
                handling_forms="1,2",
                legal_limit=20,
                promised_limit=rng.randint(0, 20),
                keywords="",
            )
            for item in items
        )
        for item, version in zip(items, versions, strict=True):
            item.current_version = version
        ServiceItem.objects.bulk_update(items, ["current_version"], batch_size=2000)
    return ServiceItem.objects.filter(current_version__isnull=False).count()


def queries(count):
    from pypinyin import Style, lazy_pinyin

    rng = random.Random(3)
    names = synthetic_names()
    out = []
    for i in range(count):
        name = rng.choice(names)
        kind = i % 6
        if kind == 0:
            out.append(name)  # full name
        elif kind == 1:
            start = rng.randrange(0, max(1, len(name) - 2))
            out.append(name[start : start + 2])  # partial word
        elif kind == 2:
            initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
            out.append(initials[: rng.randint(2, 6)])  # pinyin initials
        elif kind == 3:
            out.append("".join(lazy_pinyin(name[:2])))  # full pinyin of the first word
        elif kind == 4:
            out.append(f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}")  # two words
        else:
            out.append(
                rng.choice(
                    ["高龄", "gljt", "公积金", "许可", "xk", "营业执照", "不存在的事项", "qqzx"]
                )
            )
    return out


def percentile(sorted_values, p):
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


def main():
    setup()
    from tongban.catalog import search

    started = time.perf_counter()
    total = populate()
    print(
        f"catalogue: {total} published items (populated in {time.perf_counter() - started:.1f} s)"
    )
    search.invalidate()
    started = time.perf_counter()
    index = search.get_index()
    print(
        f"index build (cold): {(time.perf_counter() - started) * 1000:.0f} ms, "
        f"{len(index.grams)} grams, {len(index.tokens)} tokens, {len(index.pinyin)} pinyin keys"
    )
    timings, hits = [], 0
    for query in queries(QUERIES):
        started = time.perf_counter()
        result = search.search(query)
        timings.append((time.perf_counter() - started) * 1000)
        hits += bool(result)
    timings.sort()
    print(
        f"{len(timings)} queries ({hits} with results): "
        f"p50 {percentile(timings, 50):.2f} ms, p95 {percentile(timings, 95):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms, max {timings[-1]:.2f} ms"
    )
    print(
        f"mean {statistics.mean(timings):.2f} ms; goal p95 < 50 ms: "
        f"{'met' if percentile(timings, 95) < 50 else 'NOT met'}"
    )
    search.invalidate()  # what a publication does
    started = time.perf_counter()
    search.get_index()
    print(
        f"index rebuild after a publication (warm process): {(time.perf_counter() - started) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
