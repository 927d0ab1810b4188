"""Fictional certificates drawn with Pillow, for the benchmark and the committed test fixtures.

Every person, company and address is made up (names from a fixed list of plainly invented ones,
identifiers with valid check digits from tongban.core.testdata). The drawings vary the things that
make real photos hard: typeface, size, tilt up to 10°, sensor noise, slight blur, JPEG quality.
They are not copies of the real designs: only the printed labels and their order follow them.

Needs CJK fonts (Debian: fonts-noto-cjk). Tests do not: they read the committed fixtures, made by
`tongban ocr_fixtures` (see docs/ocr.md).
"""

import datetime
import io
import random
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tongban.core import testdata

FONT_FILES = [
    # (file, face index of Simplified Chinese in the collection)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 7),  # Sans Mono CJK SC
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红梅鹏飞鑫宇浩凯晨阳佳欣怡然子涵梓轩一诺雨桐思远嘉豪俊文博睿泽皓婷雪琳颖慧建国志强海燕春兰秋菊冬梅振华"
DISTRICTS = [
    ("411002", "魏都区"),
    ("411003", "建安区"),
    ("411024", "鄢陵县"),
    ("411025", "襄城县"),
    ("411081", "禹州市"),
    ("411082", "长葛市"),
]
STREETS = [
    "文峰",
    "七里店",
    "八一",
    "建设",
    "许继",
    "东城",
    "西湖",
    "魏武",
    "学院",
    "新兴",
    "瑞祥",
    "劳动",
    "健康",
    "光明",
    "莲城",
    "天宝",
]
TRADE_NAMES = [
    "瑞丰",
    "鑫源",
    "华康",
    "永泰",
    "恒达",
    "美途",
    "清泉",
    "悦容",
    "雅居",
    "康乐",
    "金桥",
    "盛世",
    "宏图",
    "新创",
    "嘉和",
    "众诚",
]
TRADES = [
    ("宾馆", "住宿服务；餐饮服务；会议服务"),
    ("美容美发", "美容服务；理发服务；化妆品零售"),
    ("洗浴", "洗浴服务；足浴服务；日用百货销售"),
    ("游泳健身", "游泳场馆服务；体育健身服务；体育用品零售"),
    ("商贸", "日用百货销售；食品销售（仅销售预包装食品）；五金产品零售"),
]
COMPANY_TYPES = ["有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）", "个人独资企业"]
ETHNIC = ["汉"] * 12 + ["回", "满", "蒙古", "壮", "土家"]
USES = ["住宅", "成套住宅", "商业服务", "办公"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _date(rng: random.Random, start: int, end: int) -> datetime.date:
    first = datetime.date(start, 1, 1).toordinal()
    return datetime.date.fromordinal(rng.randint(first, datetime.date(end, 12, 28).toordinal()))


def _address(rng: random.Random, district: str) -> str:
    return f"河南省许昌市{district}{rng.choice(STREETS)}路{rng.randint(1, 999)}号" + rng.choice(
        ["", f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 2602)}"]
    )


def _person(rng: random.Random, male: bool | None = None) -> dict:
    male = rng.random() < 0.5 if male is None else male
    region, district = rng.choice(DISTRICTS)
    birth = _date(rng, 1950, 2004)
    number = testdata.citizen_id(region, birth, rng.randint(1, 499), male)
    return {
        "name": _name(rng),
        "sex": "男" if male else "女",
        "birth": birth,
        "id_number": number,
        "address": _address(rng, district),
        "district": district,
        "region": region,
    }


def _cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Sheet:
    """What to draw: a title, rows of (label, value) pairs, and the true field values."""

    title: str
    rows: list[list[tuple[str, str]]]
    truth: dict[str, str]
    size: tuple[int, int]


def id_card_front(rng: random.Random) -> Sheet:
    p = _person(rng)
    ethnic = rng.choice(ETHNIC)
    return Sheet(
        "",
        [
            [("姓名", p["name"])],
            [("性别", p["sex"]), ("民族", ethnic)],
            [("出生", _cn_date(p["birth"]))],
            [("住址", p["address"])],
            [("公民身份号码", p["id_number"])],
        ],
        {
            "name": p["name"],
            "sex": p["sex"],
            "ethnicity": ethnic,
            "birth_date": p["birth"].isoformat(),
            "address": p["address"],
            "id_number": p["id_number"],
        },
        (900, 570),
    )


def id_card_back(rng: random.Random) -> Sheet:
    _, district = rng.choice(DISTRICTS)
    start = _date(rng, 2010, 2024)
    years = rng.choice((10, 20))
    try:
        until = start.replace(year=start.year + years)
    except ValueError:  # issued on 29 February: valid to the 28th
        until = start.replace(year=start.year + years, day=28)
    authority = f"许昌市公安局{district}分局"
    return Sheet(
        "中华人民共和国 居民身份证",
        [
            [("签发机关", authority)],
            [("有效期限", f"{start:%Y.%m.%d}-{until:%Y.%m.%d}")],
        ],
        {"issuing_authority": authority, "valid_until": until.isoformat()},
        (900, 570),
    )


def business_licence(rng: random.Random) -> Sheet:
    region, district = rng.choice(DISTRICTS)
    trade, scope = rng.choice(TRADES)
    name = f"许昌{rng.choice(TRADE_NAMES)}{trade}有限公司"
    code = testdata.credit_code("91", region[:4] + "00", rng.randint(1, 9_999_999))
    rep = _name(rng)
    capital = f"{rng.choice((10, 30, 50, 100, 200, 500))}万元人民币"
    founded = _date(rng, 2000, 2025)
    address = _address(rng, district)
    return Sheet(
        "营业执照",
        [
            [("统一社会信用代码", code)],
            [("名称", name)],
            [("类型", rng.choice(COMPANY_TYPES))],
            [("法定代表人", rep)],
            [("注册资本", capital)],
            [("成立日期", _cn_date(founded))],
            [("住所", address)],
            [("经营范围", scope + "。（依法须经批准的项目，经相关部门批准后方可开展经营活动）")],
            [("登记机关", f"许昌市{district}市场监督管理局")],
        ],
        {
            "name": name,
            "uscc": code,
            "legal_rep": rep,
            "registered_capital": capital,
            "established_on": founded.isoformat(),
            "address": address,
        },
        (1100, 860),
    )


def household_main(rng: random.Random) -> Sheet:
    p = _person(rng, male=True)
    number = f"{p['region']}{rng.randint(100000, 999999)}"
    kind = rng.choice(("家庭户", "集体户"))
    return Sheet(
        "居民户口簿",
        [
            [("户别", kind), ("户主姓名", p["name"])],
            [("户号", number)],
            [("住址", p["address"])],
            [("户口登记机关", f"许昌市公安局{p['district']}分局")],
        ],
        {
            "household_type": kind,
            "head_name": p["name"],
            "household_number": number,
            "address": p["address"],
        },
        (960, 620),
    )


def household_person(rng: random.Random) -> Sheet:
    p = _person(rng)
    ethnic = rng.choice(ETHNIC)
    relation = rng.choice(("户主", "妻", "长子", "长女", "次子", "孙女"))
    birthplace = f"河南省许昌市{p['district']}"
    return Sheet(
        "常住人口登记卡",
        [
            [("姓名", p["name"]), ("户主或与户主关系", relation)],
            [("性别", p["sex"]), ("民族", ethnic)],
            [("出生日期", _cn_date(p["birth"])), ("出生地", birthplace)],
            [("公民身份证件编号", p["id_number"])],
            [("登记日期", _cn_date(_date(rng, 2005, 2024)))],
        ],
        {
            "name": p["name"],
            "relation": relation,
            "sex": p["sex"],
            "ethnicity": ethnic,
            "birth_date": p["birth"].isoformat(),
            "birthplace": birthplace,
            "id_number": p["id_number"],
        },
        (1000, 640),
    )


def marriage_certificate(rng: random.Random) -> Sheet:
    man, woman = _person(rng, male=True), _person(rng, male=False)
    day = _date(rng, 2005, 2025)
    number = f"J{man['region']}-{day.year}-{rng.randint(1, 999999):06d}"
    holder = rng.choice((man, woman))["name"]
    block = []
    for p in (man, woman):
        block += [
            [("姓名", p["name"]), ("性别", p["sex"])],
            [("国籍", "中国"), ("出生日期", _cn_date(p["birth"]))],
            [("身份证件号", p["id_number"])],
        ]
    return Sheet(
        "结婚证",
        [
            [("持证人", holder)],
            [("登记日期", _cn_date(day))],
            [("结婚证字号", number)],
            *block,
        ],
        {
            "holder": holder,
            "registered_on": day.isoformat(),
            "certificate_number": number,
            "party1_name": man["name"],
            "party1_id_number": man["id_number"],
            "party2_name": woman["name"],
            "party2_id_number": woman["id_number"],
        },
        (960, 860),
    )


def property_certificate(rng: random.Random) -> Sheet:
    p = _person(rng)
    year = rng.randint(2016, 2025)
    number = f"豫（{year}）许昌市不动产权第{rng.randint(1, 9_999_999):07d}号"
    use = rng.choice(USES)
    area = f"{rng.randint(40, 220)}.{rng.randint(0, 99):02d}"
    location = _address(rng, p["district"])
    return Sheet(
        "不动产权证书",
        [
            [("证书号", number)],
            [("权利人", p["name"])],
            [("共有情况", rng.choice(("单独所有", "共同共有")))],
            [("坐落", location)],
            [("权利类型", "国有建设用地使用权/房屋所有权")],
            [("用途", use)],
            [("面积", f"房屋建筑面积{area}㎡")],
        ],
        {
            "certificate_number": number,
            "owner": p["name"],
            "location": location,
            "use": use,
            "area": area,
        },
        (1000, 720),
    )


SHEETS = {
    "id_card_front": id_card_front,
    "id_card_back": id_card_back,
    "business_licence": business_licence,
    "household_main": household_main,
    "household_person": household_person,
    "marriage_certificate": marriage_certificate,
    "property_certificate": property_certificate,
}


def available_fonts() -> list[tuple[str, int]]:
    return [(path, index) for path, index in FONT_FILES if Path(path).exists()]


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and draw.textlength(line + ch, font=font) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def draw(sheet: Sheet, rng: random.Random, fonts: list[tuple[str, int]]) -> Image.Image:
    path, index = rng.choice(fonts)
    size = rng.randint(26, 32)
    font = ImageFont.truetype(path, size, index=index)
    title_font = ImageFont.truetype(path, size + 14, index=index)
    paper = tuple(rng.randint(232, 252) for _ in range(3))
    ink = tuple(rng.randint(0, 50) for _ in range(3))
    image = Image.new("RGB", sheet.size, paper)
    pen = ImageDraw.Draw(image)
    for _ in range(rng.randint(3, 8)):  # faint guilloche-like lines behind the print
        y = rng.randint(0, sheet.size[1])
        colour = tuple(max(0, c - rng.randint(10, 30)) for c in paper)
        pen.line([(0, y), (sheet.size[0], y + rng.randint(-80, 80))], fill=colour, width=1)
    margin = rng.randint(40, 70)
    y = margin
    if sheet.title:
        pen.text(
            ((sheet.size[0] - pen.textlength(sheet.title, font=title_font)) / 2, y),
            sheet.title,
            font=title_font,
            fill=ink,
        )
        y += size * 3
    line_gap = int(size * rng.uniform(1.6, 1.9))
    for row in sheet.rows:
        x = margin
        column = (sheet.size[0] - 2 * margin) // len(row)
        lines_used = 1
        for label, value in row:
            pen.text((x, y), label, font=font, fill=ink)
            value_x = x + pen.textlength(label, font=font) + size * rng.uniform(0.8, 1.4)
            width = int(x + column - value_x - size)
            lines = _wrap(pen, value, font, width)
            for n, line in enumerate(lines):
                pen.text((value_x, y + n * line_gap), line, font=font, fill=ink)
            lines_used = max(lines_used, len(lines))
            x += column
        y += line_gap * lines_used
    return image


def _lighting(pixels, rng: random.Random):
    """Uneven light: brighter on one side than the other (a lamp or a window beside the desk)."""
    import numpy as np

    height, width = pixels.shape[:2]
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ramp = (xs / width - 0.5) * np.cos(angle) + (ys / height - 0.5) * np.sin(angle)
    dark, bright = rng.uniform(0.7, 0.95), rng.uniform(1.0, 1.12)
    gain = dark + (bright - dark) * (ramp + 0.71) / 1.42
    return pixels * gain[:, :, None]


def photograph(image: Image.Image, rng: random.Random, *, max_tilt: float = 10.0) -> bytes:
    """Tilt, blur a little, light unevenly, add sensor noise and save as a JPEG of varying
    quality."""
    import numpy as np

    background = tuple(rng.randint(90, 200) for _ in range(3))
    image = image.rotate(
        rng.uniform(-max_tilt, max_tilt),
        expand=True,
        fillcolor=background,
        resample=Image.Resampling.BICUBIC,
    )
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.8)))
    pixels = _lighting(np.asarray(image, dtype=np.float32), rng)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(2, 8), pixels.shape)
    image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype("uint8"))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=rng.randint(45, 90))
    return out.getvalue()


def _printed_instead(sheet: Sheet, values: dict[str, str]) -> None:
    """Print the given values in place of the drawn ones (a demo person's own card)."""
    for name, new in values.items():
        old, printed_old, printed_new = sheet.truth[name], sheet.truth[name], new
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", old):  # dates are printed 1990年1月2日
            printed_old = _cn_date(datetime.date.fromisoformat(old))
            printed_new = _cn_date(datetime.date.fromisoformat(new))

        def swap(value: str, printed_old=printed_old, printed_new=printed_new) -> str:
            if value == printed_old:
                return printed_new
            return value.replace(printed_old, printed_new) if len(printed_old) >= 4 else value

        sheet.rows = [[(label, swap(value)) for label, value in row] for row in sheet.rows]
        sheet.truth[name] = new


def generate(
    kind: str, seed: int, *, fonts=None, max_tilt: float = 10.0, values: dict | None = None
) -> tuple[bytes, dict]:
    """A JPEG photo of a fictional certificate of `kind`, and the values printed on it; `values`
    replaces some of the drawn ones."""
    fonts = fonts or available_fonts()
    if not fonts:
        raise RuntimeError("没有找到中文字体：请安装 fonts-noto-cjk")
    rng = random.Random(f"{kind}:{seed}")  # noqa: S311 (reproducible drawings, not secrets)
    sheet = SHEETS[kind](rng)
    _printed_instead(sheet, values or {})
    return photograph(draw(sheet, rng, fonts), rng, max_tilt=max_tilt), sheet.truth
