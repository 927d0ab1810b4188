"""Checks on values read from a certificate. Each returns (clean value, problem): a problem means
the value is not offered, and the person sees why (in Chinese)."""

import datetime
import re

from tongban.core import identifiers
from tongban.ocr import messages, regions

ETHNIC_GROUPS = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
CJK = r"\u4e00-\u9fff"
Result = tuple[str, str]


def _squash(text: str) -> str:
    return re.sub(r"[\s:：]", "", text or "")


def _identifier(text: str, checker, what: str) -> Result:
    """An 18-character identifier. OCR may add a stray glyph of the label before it (码 read twice)
    or a speck after it: only letters and digits count, and when the whole fails, the one
    18-character stretch that passes the check digit is taken (a check digit makes a wrong pick
    improbable)."""
    value = re.sub(r"[^0-9A-Z]", "", (text or "").upper())
    check = checker(value)
    if check.valid:
        return value, ""
    windows = {value[i : i + 18] for i in range(max(0, len(value) - 17))}
    valid = [w for w in windows if len(value) > 18 and checker(w).valid]
    if len(valid) == 1:
        return valid[0], ""
    return "", messages.FAILED_CHECK % {"what": what, "reason": check.reason}


def citizen_id(text: str) -> Result:
    return _identifier(text, identifiers.check_citizen_id, "身份证号码")


# Glyphs the recogniser reads in place of a digit, or of the check character X.
CONFUSED_FOR = {
    "O": "0",
    "o": "0",
    "D": "0",
    "Q": "0",
    "〇": "0",
    "I": "1",
    "l": "1",
    "i": "1",
    "|": "1",
    "B": "8",
    "S": "5",
    "s": "5",
    "Z": "2",
    "z": "2",
    "×": "X",
    "x": "X",
    "Х": "X",  # Cyrillic
    "χ": "X",
}
# Digits printed alike, tried at the least confident places when the recogniser offers nothing.
LOOKALIKE_DIGITS = {"1": "7", "7": "1", "0": "8", "8": "0", "3": "8", "5": "6", "6": "5"}
MIN_ALTERNATIVE = 0.02  # a runner-up below this the recogniser did not really consider
DOUBTFUL_PLACES = 4  # the least confident places tried two at a time
SURE = 0.95  # a place read this confidently is not second-guessed by look-alike digits


def _as_digit(ch: str) -> str:
    ch = CONFUSED_FOR.get(ch, ch)
    return ch if ch.isascii() and (ch.isdigit() or ch == "X") else ""


def _places(candidates: list[tuple]) -> list[list[tuple[str, float]]]:
    """The places that can belong to the number, each with its options best first (as digits)."""
    places = []
    for alternatives in candidates:
        read = alternatives[0][0]
        if not read.strip():
            continue
        options: dict[str, float] = {}
        for ch, probability in alternatives:
            digit = _as_digit(ch)
            if digit and (ch == read or probability >= MIN_ALTERNATIVE):
                options.setdefault(digit, probability)
        if _as_digit(read) or options:  # a stray glyph (码, a speck) has no digit to offer
            places.append(sorted(options.items(), key=lambda item: -item[1]))
    return places


def _valid(checker, number: str) -> bool:
    return checker(number).valid


def citizen_id_mended(text: str, candidates: list[tuple]) -> Result:
    """The ID number as read or, when that fails its check, as mended (`mend_citizen_id`)."""
    value, problem = citizen_id(text)
    return (value, problem) if not problem else mend_citizen_id(candidates)


def mend_citizen_id(candidates: list[tuple]) -> Result:
    """An ID number whose check fails, mended from the recogniser's own alternatives.

    `candidates` holds, per character read, the recogniser's options ((character, probability),
    best first). When the read number fails GB 11643 (check digit, region, birth date), the number
    is rebuilt trying, in this order, and stopping at the first step that yields anything: one place
    changed to a runner-up the recogniser offered; one place changed to a digit printed alike
    (1/7, 0/8 …); two of the least confident places changed to runners-up. A step must yield
    exactly one number that passes every check: two rival corrections mean the number is
    refused, never guessed, and so is a read that is not 18 places long.
    """
    places = _places(candidates)
    what = "身份证号码"
    if len(places) != 18:
        return citizen_id("".join(option[0][0] for option in places if option))
    read = [options[0][0] for options in places]
    checker = identifiers.check_citizen_id
    if _valid(checker, "".join(read)):
        return "".join(read), ""
    doubtful = sorted(range(18), key=lambda i: places[i][0][1])

    def changed(changes: dict[int, str]) -> str:
        return "".join(changes.get(i, ch) for i, ch in enumerate(read))

    runner_up = [{changed({i: digit})} for i in range(18) for digit, _p in places[i][1:]]
    lookalike = [
        {changed({i: digit})}
        for i in doubtful[:DOUBTFUL_PLACES]
        if places[i][0][1] < SURE
        for digit in LOOKALIKE_DIGITS.get(read[i], "")
        if digit not in dict(places[i])
    ]
    pairs = [
        {changed({i: a, j: b})}
        for n, i in enumerate(doubtful[:DOUBTFUL_PLACES])
        for j in doubtful[n + 1 : DOUBTFUL_PLACES]
        for a, _pa in places[i][1:]
        for b, _pb in places[j][1:]
    ]
    for step in (runner_up, lookalike, pairs):
        passing = {number for tried in step for number in tried if _valid(checker, number)}
        if len(passing) == 1:
            return passing.pop(), ""
        if len(passing) > 1:
            return "", messages.AMBIGUOUS % {"what": what}
    return "", messages.FAILED_CHECK % {"what": what, "reason": checker("".join(read)).reason}


def uscc(text: str) -> Result:
    return _identifier(text, identifiers.check_uscc, "统一社会信用代码")


def person_name(text: str) -> Result:
    """2 to 6 Chinese characters, or a transcribed name with a middle dot (买买提·艾力). Specks read
    before or after it (a quote, a full stop, a stray letter) are not part of it."""
    value = re.sub(r"[•・∙⋅.．]", "·", _squash(text))
    value = re.sub(rf"^[^{CJK}]+|[^{CJK}]+$", "", value)
    if re.fullmatch(rf"[{CJK}]{{2,6}}(·[{CJK}]{{1,10}})?", value):
        return value, ""
    return "", "姓名应为2至6个汉字"


# The commonest surnames (about nine in ten people bear one of them). A name whose first character
# is not among them, while the recogniser's runner-up for it is, was most likely misread.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝鄢"
)
SURNAME_DOUBT = 0.9  # a first character read at least this confidently is kept as read
MIN_SURNAME_ALTERNATIVE = 0.05


def mend_person_name(text: str, candidates: list[tuple]) -> Result:
    """The name, with an uncommon first character replaced by the recogniser's runner-up when the
    recogniser itself doubted it and the runner-up is a common surname (a rare surname read with
    confidence stays as read)."""
    chars = [alternatives[0][0] for alternatives in candidates]
    first = next((i for i, ch in enumerate(chars) if re.fullmatch(rf"[{CJK}]", ch)), None)
    if first is not None and chars[first] not in COMMON_SURNAMES:
        read_score = candidates[first][0][1]
        likely = [
            ch
            for ch, probability in candidates[first][1:]
            if ch in COMMON_SURNAMES and probability >= MIN_SURNAME_ALTERNATIVE
        ]
        if read_score < SURNAME_DOUBT and likely:
            chars[first] = likely[0]
    return person_name("".join(chars))


def organisation_name(text: str) -> Result:
    value = _squash(text)
    if 4 <= len(value) <= 100 and re.search(rf"[{CJK}]", value):
        return value, ""
    return "", "名称不完整"


def sex(text: str) -> Result:
    value = _squash(text)
    return (value, "") if value in ("男", "女") else ("", "性别应为男或女")


def ethnicity(text: str) -> Result:
    value = _squash(text).removesuffix("族")
    return (value, "") if value in ETHNIC_GROUPS else ("", "不是已知的民族名称")


def parse_date(text: str) -> datetime.date | None:
    found = re.search(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})", text or "")
    if not found:
        return None
    try:
        return datetime.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def date(text: str) -> Result:
    value = parse_date(text)
    if value is None:
        return "", "不是有效日期"
    if not 1900 <= value.year <= datetime.date.today().year + 1:
        return "", "日期超出合理范围"
    return value.isoformat(), ""


def validity_until(text: str) -> Result:
    """The end of a 有效期限: a date or 长期 (for people over 46 when issued)."""
    if "长期" in text:
        return "长期", ""
    parts = re.split(r"[-—–~至]", text or "")
    value = parse_date(parts[-1]) if len(parts) > 1 else None
    if value is None or not 1990 <= value.year <= 2100:
        return "", "不是有效日期"
    return value.isoformat(), ""


def address(text: str) -> Result:
    value = _squash(text)
    if len(value) < 6 or not re.match(rf"[{CJK}]", value):
        return "", "地址不完整"
    value, problem = regions.mend_county(value)
    return ("", problem) if problem else (value, "")


def authority(text: str) -> Result:
    """签发机关: a public security office, whose county must exist (许昌市公安局鄢陵县分局)."""
    value, problem = text_field(text)
    if problem:
        return value, problem
    value, problem = regions.mend_county(value, after="公安局")
    return ("", problem) if problem else (value, "")


def text_field(text: str) -> Result:
    value = _squash(text)
    return (value, "") if len(value) >= 2 else ("", "内容不完整")


def long_text(text: str) -> Result:
    value = re.sub(r"\s+", "", text or "").strip(":：")
    return (value, "") if len(value) >= 4 else ("", "内容不完整")


def money(text: str) -> Result:
    value = _squash(text)
    if re.fullmatch(rf"(人民币)?[\d.,]+(万|亿)?元(人民币)?|[{CJK}]*[\d.]+万元[{CJK}]*", value):
        return value, ""
    return "", "金额格式不正确"


def area(text: str) -> Result:
    found = re.search(r"(\d+(?:\.\d{1,2})?)\s*(?:㎡|m²|m2|平方米)", text or "")
    if not found:
        found = re.search(r"(\d+\.\d{1,2})", text or "")
    if not found or float(found.group(1)) <= 0:
        return "", "面积格式不正确"
    return found.group(1), ""


def pattern(regex: str, problem: str):
    def check(text: str) -> Result:
        value = _squash(text)
        found = re.search(regex, value)
        return (found.group(0), "") if found else ("", problem)

    return check


def region_prefixed_number(text: str) -> Result:
    """户号: digits; its first six are a region code that must exist."""
    value = _squash(text)
    if re.fullmatch(r"\d{9,12}", value) and identifiers.region_ever_existed(value[:6]):
        return value, ""
    return "", "户号应为以行政区划代码开头的数字"


def relation(text: str) -> Result:
    """户主或与户主关系: 户主, 妻, 长子, 孙女 … (one character is a whole answer here)."""
    value = _squash(text)
    return (value, "") if re.fullmatch(rf"[{CJK}]{{1,6}}", value) else ("", "关系不完整")
