"""County names under each prefecture (GB/T 2260, from python-stdnum's region data), to check the
region an address or an issuing authority names, and to mend the one character OCR most often
gets wrong there: rare place-name characters (鄢陵县 read as 陵县 or 郡陵县)."""

import functools
import re
from pathlib import Path

import stdnum.cn

from tongban.ocr import messages

SUFFIXES = "县区市旗"


@functools.cache
def counties_by_prefecture() -> dict[str, frozenset[str]]:
    """{"许昌市": {"魏都区", "鄢陵县", …}, …}: every name a county-level code ever had."""
    names: dict[str, set[str]] = {}
    province = ""
    prefecture_of: dict[str, str] = {}
    data = (Path(stdnum.cn.__file__).parent / "loc.dat").read_text(encoding="utf-8")
    for line in data.splitlines():
        found = re.match(r"^(\s*)(\d+)\s+\w+=\"(.*)\"", line)
        if not found:
            continue
        indent, code, raw = found.groups()
        if not indent:
            province = code
            continue
        labels = [re.sub(r"\[[^\]]*\]", "", part) for part in raw.split(",")]
        full = province + code
        if code.endswith("00") and not code.endswith("0000"):
            prefecture_of[full[:4]] = labels[-1]
            names.setdefault(labels[-1], set())
        elif full[:4] in prefecture_of and labels[-1] not in ("市辖区", "县"):
            names[prefecture_of[full[:4]]].update(label for label in labels if label)
    return {prefecture: frozenset(counties) for prefecture, counties in names.items()}


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest(read: str, counties: frozenset[str]) -> str | None:
    """The one county `read` is a misreading of: a dropped first character first (rare characters
    are dropped more often than replaced), then any single-character slip."""
    dropped = [c for c in counties if len(c) == len(read) + 1 and c.endswith(read)]
    if len(dropped) == 1:
        return dropped[0]
    close = [c for c in counties if _distance(read, c) <= 1]
    return close[0] if len(close) == 1 else None


def mend_county(text: str, after: str = "") -> tuple[str, str]:
    """(text with the county after a known prefecture checked or mended, problem). `after`: words
    between the prefecture and the county (许昌市公安局鄢陵县分局)."""
    for prefecture, counties in counties_by_prefecture().items():
        at = text.find(prefecture + after)
        if at < 0 or len(prefecture) < 3:
            continue
        at += len(after)
        tail = text[at + len(prefecture) :]
        if not tail or any(tail.startswith(county) for county in counties):
            return text, ""
        segment = re.match(rf"[^{SUFFIXES}]{{0,5}}[{SUFFIXES}]", tail)
        if not segment:
            return text, ""  # no county named after the prefecture: nothing to check
        read = segment.group(0)
        mended = _closest(read, counties)
        if mended:
            return text[: at + len(prefecture)] + mended + tail[len(read) :], ""
        return text, messages.UNKNOWN_COUNTY % {"county": f"{prefecture}{read}"}
    return text, ""
