"""Browser journeys: Playwright driving Debian's Chromium against a live Tongban server.

The server runs inside the test process (pytest-django's live_server), on a database holding the
demo data as loaded (restored from a snapshot of the first load: see `_DemoSnapshot`), so a journey can travel in time with time_machine (the server sees the
travelled clock; the browser does not need to). Every page a journey visits is saved as a PNG under
e2e/screenshots/<journey>/<size>-<who>/ for people to look at (the folder is not committed),
and checked with axe-core (installed from the npm registry into e2e/node_modules by `make e2e`):
a serious or critical violation fails the journey. The pages run under the platform's
Content-Security-Policy, and anything it blocks (an inline script or style, a handler attribute,
a resource from elsewhere), which Chromium reports on the console, fails the journey as well.
"""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make themselves
# (setting up data, reading results) are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"
SIZES = {"pc": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
PASSWORD = "Tongban2026"
# The innermost elements sticking out to the right of the screen: what makes a page too wide.
WIDER_THAN = """(screen) => {
    const out = [];
    for (const e of document.body.querySelectorAll('*')) {
        const box = e.getBoundingClientRect();
        if (box.right <= screen + 1 || !box.width) continue;
        if ([...e.children].some(c => c.getBoundingClientRect().right > screen + 1)) continue;
        let scrolled = false;  // inside a box that scrolls sideways (a wide table): fine
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) scrolled = true;
        }
        if (scrolled) continue;
        out.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '')
                 + ' (' + Math.round(box.right) + 'px) ' + (e.textContent || '').trim().slice(0, 30));
        if (out.length >= 5) break;
    }
    return out.join('; ');
}"""
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# Run on the page as it is: all WCAG 2.x A/AA rules and axe's best practices; report what blocks people.
AXE_RUN = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


class _DemoSnapshot:
    """The demo as the first journey of this process loaded it, to start every later journey from.

    Loading the demo (a city's catalogue, people, sealed licences) takes about ten seconds; a
    journey takes a few. On SQLite, the engine the journeys run on, the loaded database is copied
    once with SQLite's backup API into a second in-memory database and copied back before each
    journey, and the files the load wrote (sealed PDFs, blank forms) are copied into the journey's
    own file directory. A restored journey sees the same rows with the same ids as a loaded one.
    Other engines load the demo for every journey.
    """

    def __init__(self) -> None:
        self.database = None  # sqlite3.Connection holding the loaded demo
        self.files: Path | None = None

    @staticmethod
    def _live_connection():
        from django.db import connection

        connection.ensure_connection()
        return connection.connection if connection.vendor == "sqlite" else None

    def keep(self, files: Path, folder: Path) -> None:
        import shutil
        import sqlite3

        live = self._live_connection()
        if live is None:
            return
        self.database = sqlite3.connect(":memory:", check_same_thread=False)
        live.backup(self.database)
        self.files = folder / "files"
        if files.exists():
            shutil.copytree(files, self.files)

    def restore(self, files: Path) -> bool:
        import shutil

        live = self._live_connection()
        if self.database is None or live is None:
            return False
        self.database.backup(live)
        if self.files is not None and self.files.exists():
            shutil.copytree(self.files, files, dirs_exist_ok=True)
        return True


_snapshot = _DemoSnapshot()


def _forget_process_caches() -> None:
    """What this process keeps between requests, keyed by ids a restored database repeats."""
    from django.core.cache import caches

    from tongban.catalog.actions import forget_version_structures
    from tongban.exchange.actions.query import forget_items
    from tongban.identity import keys
    from tongban.rules import interpreter
    from tongban.seals.ca import forget_trust_roots

    for alias in ("default", "fragments"):
        caches[alias].clear()
    forget_version_structures()
    forget_items()
    keys.forget()
    interpreter.forget()
    forget_trust_roots()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "fresh_demo: load the demo for this journey instead of restoring the snapshot (the journey "
        "changes a setting the demo loaders read)",
    )


@pytest.fixture
def demo(transactional_db, settings, tmp_path, tmp_path_factory, request):
    """The demo data every journey starts from; files go to a temporary directory."""
    files = tmp_path / "files"
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(files), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.DEBUG = False
    fresh = request.node.get_closest_marker("fresh_demo") is not None
    if not fresh and _snapshot.restore(files):
        _forget_process_caches()
    else:
        _load_demo(settings)
        if not fresh:
            _snapshot.keep(files, tmp_path_factory.mktemp("demo"))
    from tongban.licences.models import Licence

    assert Licence.objects.exists(), "the demo licences were not issued"
    from tongban.celery import app

    app.conf.task_always_eager = True  # receipts and messages are made at once, in process
    yield
    app.conf.task_always_eager = False


def _load_demo(settings) -> None:
    from django.utils.module_loading import import_string

    from tongban.notify import seed
    from tongban.notify.models import MessageTemplate
    from tongban.workflow.definitions import load_templates

    # What the migrations put in (message templates, process definitions) is gone after an earlier
    # journey's flush: put it back first.
    seed.load(MessageTemplate)
    load_templates()
    _forget_process_caches()  # kept from an earlier journey's catalogue, which the flush removed

    def load_demo():
        for dotted in settings.DEMO_LOADERS:
            import_string(dotted)(lambda _line: None)

    # In a thread of its own: the demo licences are sealed PDFs, and pyHanko cannot sign inside the
    # asyncio loop Playwright's sync API keeps running in this thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(load_demo).result()


class Journey:
    """One browser context at one size, with a screenshot after every step worth seeing."""

    def __init__(self, browser, base_url: str, name: str, size: str, who: str):
        options = {"viewport": SIZES[size], "locale": "zh-CN"}
        if size == "phone":
            options.update(user_agent=PHONE_UA, is_mobile=True, has_touch=True)
        self.context = browser.new_context(**options)
        # Every page of the context, pop-ups included: Chromium says "Refused to … because it
        # violates the following Content Security Policy directive" on the console.
        self.csp_violations: list[str] = []
        self.context.on("console", self._note_csp_violation)
        self.page = self.context.new_page()
        self.base_url, self.size, self.count = base_url, size, 0
        self.folder = SHOTS / name / f"{size}-{who}"
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def _note_csp_violation(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(
                f"{message.page.url if message.page else ''}: {message.text}"
            )

    def check_csp(self) -> None:
        """Fails on anything the Content-Security-Policy blocked since the last check."""
        found, self.csp_violations = self.csp_violations, []
        if found:
            pytest.fail("Content-Security-Policy violation:\n  " + "\n  ".join(found[:5]))

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state()
        self.check_csp()
        return self.page

    def shot(self, label: str, accessible: bool = True) -> None:
        """A full-page screenshot, then the accessibility check of the same page."""
        self.count += 1
        safe = re.sub(r"[^\w\-]+", "-", label)
        # Chromium now and then answers "Unable to capture screenshot", or never answers at all:
        # one more try, on a page that has settled.
        for attempt in (1, 2):
            try:
                self.page.screenshot(
                    path=str(self.folder / f"{self.count:02d}-{safe}.png"),
                    full_page=True,
                    animations="disabled",
                    timeout=45_000,
                )
                break
            except PlaywrightError as error:
                retry = "Unable to capture screenshot" in str(error) or "Timeout" in str(error)
                if attempt == 2 or not retry:
                    raise
                self.page.wait_for_load_state()
                self.page.wait_for_timeout(500)
        screen = SIZES[self.size]["width"]
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if width > screen:
            culprits = self.page.evaluate(WIDER_THAN, screen)
            pytest.fail(
                f"{label}: the page is {width}px wide, wider than the {self.size} screen: {culprits}"
            )
        self.check_csp()
        if accessible:
            self.check_accessibility(label)

    def check_accessibility(self, label: str = "") -> None:
        """axe-core on the current page; fails on any serious or critical violation."""
        if not AXE_SCRIPT.exists():
            pytest.fail(f"{AXE_SCRIPT} is missing: run `make e2e` (npm ci in e2e/)")
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        found = self.page.evaluate(AXE_RUN)
        if found:
            lines = [
                f"{v['impact']} {v['id']}: {v['help']} — {'; '.join(v['targets'])}" for v in found
            ]
            where = f"{self.folder.name}/{self.count:02d} {label} ({self.page.url})"
            if os.environ.get("TONGBAN_AXE") == "report":  # survey mode: list, do not fail
                with (SHOTS / "axe-report.txt").open("a", encoding="utf-8") as report:
                    report.write(where + "\n  " + "\n  ".join(lines) + "\n")
                return
            pytest.fail("accessibility (axe-core) on " + where + "\n  " + "\n  ".join(lines))

    def elderly(self, on: bool = True) -> None:
        """Switch 长者模式 with the button every page carries; the choice persists."""
        label = "长者模式" if on else "退出长者模式"
        self.page.get_by_role("button", name=label, exact=True).first.click()
        self.page.wait_for_load_state()
        assert (
            self.page.evaluate("() => document.documentElement.classList.contains('elderly')") == on
        )

    def login(self, account: str, password: str = PASSWORD) -> None:
        self.go("/accounts/login/")
        self.page.fill("#id_identifier", account)
        self.page.fill("#id_password", password)
        self.page.locator("form").filter(has=self.page.locator("#id_password")).locator(
            "button[type=submit]"
        ).click()
        self.page.wait_for_load_state()

    def logout(self) -> None:
        self.page.locator("form[action$='/accounts/logout/'] button").first.click()
        self.page.wait_for_load_state()

    def text(self) -> str:
        return self.page.inner_text("body")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def journey(browser, live_server, demo, request):
    opened = []

    def open_journey(size: str, who: str) -> Journey:
        opened.append(Journey(browser, live_server.url, request.node.name.split("[")[0], size, who))
        return opened[-1]

    yield open_journey
    for item in opened:
        item.close()
    for item in opened:  # what the last steps, after the last screenshot, set off
        item.check_csp()
