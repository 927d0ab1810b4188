"""Issue 31 in a browser: the English sweep on a phone (390 px) and a PC (1366 px), in English and in
English + 长者模式.

The main citizen pages (home, search, a guide, sign-in, a form page of the demo citizen's draft,
我的, my cases, my licences, 可享政策) and a few staff pages: none is wider than the screen
(Journey.shot checks that on every page), none fails axe-core, and none shows a Chinese word of its own interface.
What stays Chinese is data: the catalogue's content (item names, guides, form questions),
people's names and addresses, department and region names, records kept in the language of record.
A Chinese run of text on an English page is data when the database holds it; anything else is an
interface string that was not translated, and the journey names it and the page it is on."""

import json
import re

import pytest
from journeys import elderly_citizen_draft, off_loop

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A run of Chinese with the digits, spaces and Chinese commas and colons inside it ("第4步，共5步" is one
# run, not four single characters that any data would contain).
HAN = re.compile(rf"[{_HAN}](?:[{_HAN}0-9 ，、：；]*[{_HAN}])?")
# Every text node and every label a person or a screen reader meets, outside <script>/<style>, on
# elements the page shows (visually hidden text included: it is read aloud), and outside an element
# that declares itself Chinese (lang="zh…": the 中文 language button, content not translated).
TEXTS = """() => {
    const out = [];
    const shown = e => e.getClientRects().length > 0 || e.tagName === 'OPTION';
    const chinese = e => { const l = e.closest('[lang]'); return l && l !== document.documentElement
                                                            && /^zh/i.test(l.getAttribute('lang')); };
    const where = e => { const a = []; for (let n = e; n && n !== document.body && a.length < 3; n = n.parentElement)
        a.unshift(n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') + (n.classList.length ? '.' + [...n.classList].join('.') : ''));
        return a.join(' > '); };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const e = t.parentElement;
        if (!e || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(e.tagName)) continue;
        if (!t.textContent.trim() || !shown(e) || chinese(e)) continue;
        out.push({text: t.textContent.trim(), where: where(e)});
    }
    for (const e of document.body.querySelectorAll('[aria-label],[placeholder],[title],img[alt]')) {
        if (chinese(e)) continue;
        for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
            const v = e.getAttribute(name);
            if (v && v.trim()) out.push({text: v.trim(), where: where(e) + '@' + name});
        }
    }
    out.push({text: document.title, where: 'title'});
    return out;
}"""


def data_corpus() -> str:
    """Every piece of text the database holds: what a page may show in Chinese as data."""
    from django.apps import apps
    from django.db import models

    kinds = (models.CharField, models.TextField, models.JSONField)
    parts = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if not names:
            continue
        for row in model._base_manager.values_list(*names).iterator():
            for value in row:
                if isinstance(value, str):
                    parts.append(value)
                elif value is not None:
                    parts.append(json.dumps(value, ensure_ascii=False))
    return "\n".join(parts)


def untranslated(j, corpus: str) -> list[str]:
    """The Chinese runs on the page that are not data, with where they are."""
    found = []
    for item in j.page.evaluate(TEXTS):
        for run in HAN.findall(item["text"]):
            if run not in corpus:
                found.append(f"{run!r} in {item['text'][:60]!r} ({item['where']})")
    return found


def sweep(j, pages, corpus, mode: str, problems: list[str]) -> None:
    for label, path in pages:
        j.go(path)
        try:  # wider than the screen, or an accessibility failure: noted, and the sweep goes on
            j.shot(f"{mode}-{label}")
        except pytest.fail.Exception as failure:
            problems.append(f"{mode} {label} {path}: {failure}")
        problems.extend(f"{mode} {label} {path}: {p}" for p in untranslated(j, corpus))


def english(j) -> None:
    j.page.locator("button[lang=en]").first.click()
    j.page.wait_for_load_state()
    assert j.page.evaluate("() => document.documentElement.lang") == "en"


def elderly(j, on: bool) -> None:
    j.page.locator("form[action$='/elderly-mode'] button[type=submit]").first.click()
    j.page.wait_for_load_state()
    assert j.page.evaluate("() => document.documentElement.classList.contains('elderly')") == on


@pytest.mark.parametrize("size", ["phone", "pc"])
def test_english_and_elderly_english(journey, size):
    draft = elderly_citizen_draft()
    item = draft.service_item
    corpus = off_loop(data_corpus)
    citizen_pages = [
        ("home", "/"),
        ("search", "/services/search/?q=%E9%AB%98%E9%BE%84"),  # 高龄
        ("guide", f"/services/{item.implementation_code}/"),
        ("form", f"/my/cases/{draft.public_id}/?page=1"),
        ("materials", f"/my/cases/{draft.public_id}/?page=3"),
        ("my", "/my/"),
        ("my-cases", "/my/cases/"),
        ("my-licences", "/licences/"),
        ("policies", "/policies/"),
    ]
    staff_pages = [
        ("workbench", "/workbench/"),
        ("cases", "/workbench/cases/"),
        ("proxy", "/workbench/proxy/"),
    ]
    problems: list[str] = []

    j = journey(size, "citizen")
    j.go("/accounts/login/")
    english(j)
    sweep(j, [("sign-in", "/accounts/login/")], corpus, "en", problems)
    j.login("17000000001")
    # the check itself: an interface string left in Chinese is found, and a name the database holds
    # is not
    j.go("/")
    j.page.evaluate(
        "() => document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<p>第9步，共9步 · 张示例</p>')"
    )
    assert [found for found in untranslated(j, corpus) if "第9步，共9步" in found]
    assert not [found for found in untranslated(j, corpus) if "'张示例'" in found]
    sweep(j, citizen_pages, corpus, "en", problems)
    elderly(j, True)
    sweep(j, citizen_pages, corpus, "en-elderly", problems)
    j.logout()
    sweep(j, [("sign-in", "/accounts/login/")], corpus, "en-elderly", problems)

    staff = journey(size, "clerk")
    staff.go("/accounts/login/")
    english(staff)
    staff.login("clerk")
    sweep(staff, staff_pages, corpus, "en", problems)
    elderly(staff, True)
    sweep(staff, staff_pages, corpus, "en-elderly", problems)

    assert not problems, (
        f"English {size} pages: too wide, inaccessible or untranslated:\n  " + "\n  ".join(problems)
    )
