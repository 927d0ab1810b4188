"""Lighthouse mobile scores of the home page, a guide and a form page (issue 31).

Starts the web server as the Procfile does (Granian) on a throw-away SQLite database with the demo
data and collected static files, signs the demo citizen 张示例 in for the form page (a session
cookie made in this process, sent by Lighthouse as a header), and runs Lighthouse 12.2.3 (pinned
in package.json, installed from the npm registry into node_modules here) in its default mobile
mode (Moto G Power emulation, simulated slow 4G) against each page, in Chromium. Prints the four
category scores per page and, for any score below 100, the audits that cost points.

Run: make lighthouse   (npm ci here, then this script), or
     cd bench/lighthouse && npm ci && cd ../.. && python bench/lighthouse/run.py
CHROME_PATH picks the browser (default /usr/bin/chromium). A benchmark measures; it does not fail
on a score.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _common import fresh_django, load_average, start_server  # noqa: E402

CLI = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
PORT = int(os.environ.get("LIGHTHOUSE_PORT", "8431"))
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions"


def _pages() -> list[tuple[str, str, str | None]]:
    """(label, path, session cookie or None), the form page on a draft of the demo citizen."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", interactive=False, verbosity=0)  # as `make run` does
    setup_test_environment()

    from tongban.accounts.models import User
    from tongban.applications import actions as intake
    from tongban.catalog.models import ServiceItem

    item = ServiceItem.objects.get(
        basic_item__name="高龄津贴申领", department__short_name="市民政局"
    )
    citizen = User.objects.get(citizen__real_name="张示例")
    version = item.current_version
    first = version.questions.get(text__startswith="是否首次").options.get(text__startswith="是")
    self_ = version.questions.get(text__startswith="是否委托").options.get(text__startswith="否")
    draft = intake.start_application(
        owner=citizen,
        service_item=item,
        channel="mobile",
        answers={first.question_id: first.pk, self_.question_id: self_.pk},
    )
    client = Client()
    client.force_login(citizen)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [
        ("home", "/", None),
        ("guide", f"/services/{item.implementation_code}/", None),
        ("form page", f"/my/cases/{draft.public_id}/?page=1", cookie),
    ]


def _lighthouse(url: str, cookie: str | None, workdir: str) -> dict:
    out = Path(workdir) / "report.json"
    command = [
        "node",
        str(CLI),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, cwd=workdir)
    return json.loads(out.read_text(encoding="utf-8"))


def _losses(report: dict, category: str) -> list[str]:
    """The audits of a category that scored below 1, with their weight and what they say."""
    audits = report["audits"]
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
            shown = audit.get("displayValue", "")
            out.append(f"{ref['id']} (score {audit['score']:.2f}, weight {ref['weight']}) {shown}")
            if ref["id"] == "cumulative-layout-shift":  # which elements moved, and by how much
                for item in audits.get("layout-shifts", {}).get("details", {}).get("items", [])[:3]:
                    node = item.get("node", {})
                    out.append(
                        f"  moved: {node.get('selector', '?')} {node.get('nodeLabel', '')[:40]!r}"
                        f" score {item.get('score', 0):.3f}"
                    )
    return out


def main() -> int:
    if not CLI.exists():
        print(f"{CLI} is missing: run `make lighthouse` (npm ci in bench/lighthouse)")
        return 1
    workdir = fresh_django("tongban-lighthouse-")
    server = None
    try:
        pages = _pages()
        from django.db import connections

        connections.close_all()
        server = start_server(workdir, PORT)
        print(f"Lighthouse 12.2.3, mobile; load average {load_average()}")
        print(f"{'page':<12}" + "".join(f"{name:>16}" for name in CATEGORIES))
        details = []
        for label, path, cookie in pages:
            report = _lighthouse(f"http://127.0.0.1:{PORT}{path}", cookie, workdir)
            if (
                report["finalDisplayedUrl"].split("?")[0]
                != f"http://127.0.0.1:{PORT}{path}".split("?")[0]
            ):
                print(f"{label}: Lighthouse ended on {report['finalDisplayedUrl']}, not {path}")
            scores = {c: report["categories"][c]["score"] for c in CATEGORIES}
            print(
                f"{label:<12}"
                + "".join(f"{'—' if s is None else round(s * 100):>16}" for s in scores.values()),
                flush=True,
            )
            for category in CATEGORIES:
                if scores[category] is not None and scores[category] < 1:
                    details += [
                        f"{label} · {category}: {loss}" for loss in _losses(report, category)
                    ]
        for line in details:
            print("  " + line)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
