"""Browser journeys: Playwright driving Debian's Chromium against a live Tongban server.

The server runs inside the test process (pytest-django's live_server), on a fresh database loaded
with the demo data, so a journey can travel in time with time_machine (the server sees the
travelled clock; the browser does not need to). Every page a journey visits is saved as a PNG under
e2e/screenshots/<journey>/<size>/ for people to look at (the folder is not committed).
"""

import os
import re
from pathlib import Path

import pytest
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


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """The demo data every journey starts from; files go to a temporary directory."""
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.DEBUG = False
    from django.utils.module_loading import import_string

    for dotted in settings.DEMO_LOADERS:
        import_string(dotted)(lambda _line: None)
    from tongban.celery import app

    app.conf.task_always_eager = True  # receipts and messages are made at once, in process
    yield
    app.conf.task_always_eager = False


class Journey:
    """One browser context at one size, with a screenshot after every step worth seeing."""

    def __init__(self, browser, base_url: str, name: str, size: str, who: str):
        options = {"viewport": SIZES[size], "locale": "zh-CN"}
        if size == "phone":
            options.update(user_agent=PHONE_UA, is_mobile=True, has_touch=True)
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.base_url, self.size, self.count = base_url, size, 0
        self.folder = SHOTS / name / f"{size}-{who}"
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        self.page.wait_for_load_state()
        return self.page

    def shot(self, label: str) -> None:
        self.count += 1
        safe = re.sub(r"[^\w\-]+", "-", label)
        self.page.screenshot(
            path=str(self.folder / f"{self.count:02d}-{safe}.png"),
            full_page=True,
            animations="disabled",
            timeout=90_000,
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
