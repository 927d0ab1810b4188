"""Checkboxes and radios are at least 44 px touch targets everywhere (WCAG 2.5.5): the site's
stylesheet gives the row around each box a height of at least 2.75rem, and a lone box the full
2.75rem. The stylesheet is read as the browser would get it (the static file)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

MIN_PX = 44
ROOT_PX = 16  # html { font-size: 100% }


def _rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    """Top-level rules of `css` as (selectors, declarations); @media blocks are skipped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, depth, start, selector = [], 0, 0, ""
    for i, char in enumerate(css):
        if char == "{":
            if depth == 0:
                selector, start = css[start:i].strip(), i + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                if not selector.startswith("@"):
                    body = dict(
                        (name.strip(), value.strip())
                        for name, _, value in (
                            d.partition(":") for d in css[start:i].split(";") if ":" in d
                        )
                    )
                    rules.append(([s.strip() for s in selector.split(",")], body))
                start = i + 1
    return rules


def _px(value: str) -> float:
    number = re.fullmatch(r"([\d.]+)(rem|px)", value)
    assert number, f"unexpected length {value!r}"
    return float(number[1]) * (ROOT_PX if number[2] == "rem" else 1)


@pytest.fixture(scope="module")
def rules():
    return _rules(Path(finders.find("tongban/tongban.css")).read_text(encoding="utf-8"))


def _declared(rules, selector: str, prop: str) -> str | None:
    """The last value the stylesheet gives `prop` for exactly `selector` (the cascade's winner
    among equal selectors)."""
    found = None
    for selectors, body in rules:
        if selector in selectors and prop in body:
            found = body[prop]
    return found


@pytest.mark.parametrize(
    "row",
    [
        ".field__check",  # the site's own box + label rows (forms, situation questions, ratings)
        'label:has(> input[type="checkbox"])',  # Django's CheckboxSelectMultiple, plain labels
        'label:has(> input[type="radio"])',
        ".field__check > label",  # the label beside the box fills the row
    ],
)
def test_every_checkbox_and_radio_row_is_a_44px_target(rules, row):
    height = _declared(rules, row, "min-height")
    assert height is not None, f"{row} has no min-height"
    assert _px(height) >= MIN_PX


@pytest.mark.parametrize("lone", ['td > input[type="checkbox"]', 'td > input[type="radio"]'])
def test_a_box_with_no_label_beside_it_is_itself_44px(rules, lone):
    assert _px(_declared(rules, lone, "width")) >= MIN_PX
    assert _px(_declared(rules, lone, "height")) >= MIN_PX


def test_boxes_are_not_shrunk_below_the_rule_elsewhere(rules):
    """No later rule makes the box row smaller than 44 px again."""
    for selectors, body in rules:
        if any("field__check" in s or 'input[type="checkbox"])' in s for s in selectors):
            if "min-height" in body:
                assert _px(body["min-height"]) >= MIN_PX, selectors
            if "height" in body and "input" not in selectors[0].split()[-1]:
                assert _px(body["height"]) >= MIN_PX, selectors
