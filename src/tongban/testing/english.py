"""Checking that a page speaks English: the Chinese left in its main content once the data
shown on it (names, numbers as typed) is taken out."""

import re
from html.parser import HTMLParser

CJK = re.compile(r"[\u4e00-\u9fff]")


class _Texts(HTMLParser):
    """Text nodes of the page's main content (not scripts, not the site's header and footer)."""

    def __init__(self):
        super().__init__()
        self.texts, self.skip, self.main = [], 0, 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "main":
            self.main += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag == "main":
            self.main -= 1

    def handle_data(self, data):
        if self.main and not self.skip and data.strip():
            self.texts.append(data.strip())


def chinese_left(html: str, data: list[str]) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    left = []
    for text in parser.texts:
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        if CJK.search(text):
            left.append(text)
    return left


# Chinese characters and the full-width punctuation that comes with them
CJK_TEXT = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Elements whose text is interface chrome: labels, headers, buttons, navigation, form hints.
CHROME_TAGS = {"title", "h2", "h3", "th", "dt", "label", "legend", "button", "summary", "nav"}


class _Chrome(HTMLParser):
    """Collects the text inside interface-chrome elements and every attribute a screen reader or
    a browser shows (placeholder, aria-label, alt, title). Skips what the page itself marks as not
    English: `lang="zh-Hans"` (the language switch's 中文) and `aria-hidden` decorations (the 通
    brand mark, the one-character theme icons)."""

    VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, chrome, skipped)
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = (self.stack and self.stack[-1][2]) or (
            attrs.get("lang", "").lower().startswith("zh") or attrs.get("aria-hidden") == "true"
        )
        if not skipped:
            for name in ("placeholder", "aria-label", "alt", "title", "data-confirm"):
                if attrs.get(name):
                    self.texts.append(attrs[name])
        if tag in self.VOID:
            return
        chrome = (self.stack and self.stack[-1][1]) or tag in CHROME_TAGS
        self.stack.append((tag, chrome, skipped))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.stack and self.stack[-1][1] and not self.stack[-1][2] and data.strip():
            self.texts.append(data.strip())


def chrome_texts(html: str, data: tuple[str, ...] = ()) -> list[str]:
    """Interface texts still holding Chinese once the given database values are taken out."""
    parser = _Chrome()
    parser.feed(html)
    left = []
    for text in parser.texts:
        for value in data:
            text = text.replace(value, "")
        if CJK_TEXT.search(text):
            left.append(text)
    return left
