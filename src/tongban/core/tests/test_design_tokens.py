"""Pages take their colours from the design tokens (static/tongban/tongban.css), so 长者模式's
high-contrast palette and any later change reach every page: no app style sheet writes a colour of
its own. Two sheets stand alone and declare their palette as custom properties: the big screen's
dark theme and the 500 page (which must render when the site's styles are what failed)."""

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(")
DECLARED = re.compile(r"--[a-z0-9-]+\s*:[^;]*;")  # a custom property: where a palette is declared
TOKENS = PACKAGE / "static" / "tongban" / "tongban.css"
STANDALONE = {"supervision/screen.css", "tongban/error.css"}
SHEETS = sorted(p for p in PACKAGE.glob("*/static/*/*.css") if p != TOKENS)


def _name(sheet: Path) -> str:
    return f"{sheet.parent.name}/{sheet.name}"


def test_the_sheets_are_found():
    assert len(SHEETS) >= 10 and TOKENS.exists()


@pytest.mark.parametrize("sheet", SHEETS, ids=_name)
def test_a_sheet_takes_its_colours_from_tokens(sheet):
    text = sheet.read_text(encoding="utf-8")
    if _name(sheet) == "tongban/error.css":
        return  # the 500 page: no site styles to lean on
    if _name(sheet) in STANDALONE:
        text = DECLARED.sub("", text)  # its own palette, declared once
    else:
        assert not DECLARED.search(text) or not COLOUR.search("".join(DECLARED.findall(text))), (
            f"{_name(sheet)} declares colours: add them to tongban.css as tokens"
        )
    found = sorted({m.group(0) for m in COLOUR.finditer(text)})
    assert not found, f"{_name(sheet)} writes colours of its own: {found}; use var(--token)"


def test_every_token_a_sheet_uses_is_declared():
    declared = set(re.findall(r"(--[a-z0-9-]+)\s*:", TOKENS.read_text(encoding="utf-8")))
    for sheet in SHEETS:
        text = sheet.read_text(encoding="utf-8")
        own = set(re.findall(r"(--[a-z0-9-]+)\s*:", text))
        used = set(re.findall(r"var\((--[a-z0-9-]+)\)", text))
        missing = used - declared - own
        assert not missing, f"{_name(sheet)} uses undeclared tokens: {sorted(missing)}"
