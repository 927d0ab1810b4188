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
