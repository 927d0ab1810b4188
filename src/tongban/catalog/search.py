"""Chinese and pinyin search over the published catalogue, from an in-process index.

The index holds, for every item with a published version: character bigrams and unigrams of its
name and keywords (so partial words match), jieba tokens of name, keywords and department (for
multi-word queries), and pinyin keys (initials and full syllables) starting at every jieba word
boundary, kept sorted for prefix look-up by bisection ("gljt" → 高龄津贴申领, "jt" → …津贴…).

The index is rebuilt when the published catalogue changes: publishing or withdrawing bumps a
generation key in Django's cache (inside the transaction and again on commit), and each process
compares its index's generation with the cached one on every search (one cache read).
"""

import bisect
import functools
import itertools
import math
import re
import threading
import uuid
from dataclasses import dataclass, field

import jieba
from django.core.cache import cache
from pypinyin import lazy_pinyin

jieba.setLogLevel(60)

GENERATION_KEY = "catalog:search:generation"
ASCII_QUERY = re.compile(r"[a-z]+")
CODE_QUERY = re.compile(r"[0-9A-Z]{6,33}")
PUNCTUATION = re.compile(r"[\s（）()《》、，,。·\-—/]+")

_lock = threading.Lock()
_index = None


@dataclass
class Doc:
    id: int
    name: str
    text: str  # name + keywords, normalised
    department: str
    code: str
    views: int


@dataclass
class Index:
    generation: str
    docs: dict[int, Doc] = field(default_factory=dict)
    grams: dict[str, set] = field(default_factory=dict)  # name/keyword uni- and bigrams
    dept_grams: dict[str, set] = field(default_factory=dict)
    tokens: dict[str, set] = field(default_factory=dict)  # jieba tokens of name/keywords/department
    pinyin: list = field(default_factory=list)  # sorted (key, doc id, position, full?)


def normalise(text: str) -> str:
    return PUNCTUATION.sub("", (text or "").strip()).lower()


@functools.lru_cache(maxsize=50_000)
def grams_of(text: str) -> frozenset:
    chars = [c for c in text if not c.isspace()]
    out = set(chars)
    out.update(a + b for a, b in itertools.pairwise(chars))
    return frozenset(out)


def query_grams(text: str) -> set[str]:
    if len(text) == 1:
        return {text}
    return {a + b for a, b in itertools.pairwise(text)}


# Derived keys are memoised by text: the same names recur across departments and rebuilds, so a
# rebuild after a publication only segments and transliterates what is new.
@functools.lru_cache(maxsize=100_000)
def _word_pinyin(word: str) -> tuple[str, str]:
    syllables = lazy_pinyin(word)
    return "".join(s[0] for s in syllables if s).lower(), "".join(syllables).lower()


@functools.lru_cache(maxsize=50_000)
def _pinyin_keys(name: str) -> tuple:
    """(key, position, full?) for initials and full pinyin from each jieba word boundary."""
    words = [w for w in jieba.lcut(normalise(name)) if w.strip()]
    pairs = [_word_pinyin(w) for w in words]
    keys = []
    for i in range(len(words)):
        keys.append(("".join(p[0] for p in pairs[i:]), i, False))
        keys.append(("".join(p[1] for p in pairs[i:]), i, True))
    return tuple(keys)


@functools.lru_cache(maxsize=50_000)
def _tokens(text: str) -> frozenset:
    tokens = (normalise(t) for t in jieba.lcut_for_search(text))
    return frozenset(t for t in tokens if len(t) > 1)


def build(rows, generation: str) -> Index:
    """rows: (id, name, keywords, department name, department short name, code, views)."""
    index = Index(generation=generation)
    pinyin = []
    for pk, name, keywords, dept, dept_short, code, views in rows:
        text = normalise(f"{name} {keywords or ''}")
        index.docs[pk] = Doc(pk, name, text, dept_short or dept, code, views)
        for gram in grams_of(text):
            index.grams.setdefault(gram, set()).add(pk)
        for gram in grams_of(normalise(f"{dept}{dept_short or ''}")):
            index.dept_grams.setdefault(gram, set()).add(pk)
        for token in _tokens(f"{name} {keywords or ''} {dept}"):
            index.tokens.setdefault(token, set()).add(pk)
        for key, position, full in _pinyin_keys(name):
            pinyin.append((key, pk, position, full))
        for word in (keywords or "").split():
            for key, position, full in _pinyin_keys(word):
                pinyin.append((key, pk, position + 1, full))
    pinyin.sort()
    index.pinyin = pinyin
    return index


def _load_rows():
    from tongban.catalog.models import ServiceItem

    return (
        ServiceItem.objects.filter(current_version__isnull=False)
        .values_list(
            "id",
            "current_version__name",
            "current_version__keywords",
            "department__name",
            "department__short_name",
            "implementation_code",
            "view_count",
        )
        .iterator(chunk_size=2000)
    )


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def invalidate() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def get_index() -> Index:
    global _index
    generation = current_generation()
    if _index is not None and _index.generation == generation:
        return _index
    with _lock:
        if _index is None or _index.generation != generation:
            _index = build(_load_rows(), generation)
    return _index


def _pinyin_matches(index: Index, query: str) -> dict[int, float]:
    scores: dict[int, float] = {}
    start = bisect.bisect_left(index.pinyin, (query,))
    for key, pk, position, full in index.pinyin[start:]:
        if not key.startswith(query):
            break
        score = (100 if position == 0 else 60 - min(position, 10)) + (5 if full else 0)
        if key == query:
            score += 20
        if score > scores.get(pk, 0):
            scores[pk] = score
    return scores


def _chinese_matches(index: Index, query: str) -> dict[int, float]:
    grams = query_grams(query)
    postings = [index.grams.get(g, set()) for g in grams]
    scores: dict[int, float] = {}
    if all(postings):
        for pk in set.intersection(*sorted(postings, key=len)):
            doc = index.docs[pk]
            name = normalise(doc.name)
            if name == query:
                scores[pk] = 200
            elif name.startswith(query):
                scores[pk] = 150
            elif query in name:
                scores[pk] = 120
            elif query in doc.text:
                scores[pk] = 90
            else:
                scores[pk] = 60
    dept = [index.dept_grams.get(g, set()) for g in grams]
    if all(dept):
        for pk in set.intersection(*sorted(dept, key=len)):
            scores.setdefault(pk, 40)
    if not scores:  # several words in any order, or a partly wrong query: rank by words matched
        for token in set(jieba.lcut_for_search(query)):
            token = normalise(token)
            for pk in index.tokens.get(token, ()) if len(token) > 1 else ():
                scores[pk] = scores.get(pk, 0) + 10 * len(token)
    return scores


def search(query: str, limit: int | None = None) -> list[int]:
    """Item ids ranked best first."""
    raw = (query or "").strip()
    text = normalise(raw)
    if not text:
        return []
    index = get_index()
    if ASCII_QUERY.fullmatch(text):
        scores = _pinyin_matches(index, text)
    else:
        scores = _chinese_matches(index, text)
    if CODE_QUERY.fullmatch(raw.upper()):
        upper = raw.upper()
        for pk, doc in index.docs.items():
            if doc.code.startswith(upper) or upper in doc.code:
                scores[pk] = max(scores.get(pk, 0), 150)
    ranked = sorted(
        scores.items(),
        key=lambda kv: (
            -(kv[1] + math.log1p(index.docs[kv[0]].views) * 0.5),
            len(index.docs[kv[0]].name),
            kv[0],
        ),
    )
    ids = [pk for pk, _ in ranked]
    return ids[:limit] if limit else ids


def group_same_names(ids: list[int]) -> list[list[int]]:
    """The ranked ids with items of the same name together (高龄津贴申领 of the city, a district,
    a county-level city and a 街道), each group where its best-ranked item was."""
    docs = get_index().docs
    groups: dict[str, list[int]] = {}
    for pk in ids:
        doc = docs.get(pk)
        groups.setdefault(doc.name if doc else f"#{pk}", []).append(pk)
    return list(groups.values())
