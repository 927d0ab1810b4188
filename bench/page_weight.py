"""Page weight and request count of the main citizen and staff pages (issue 31).

Lighthouse's own scores come from `make lighthouse` (bench/lighthouse/run.py); this prints what
drives its performance figures that a script can measure without a browser: for each page, the
HTML's size (raw and gzip), the same-origin static files it loads (stylesheets, scripts, icon: one request each) and their sizes, and the
total a first visit transfers. A page the browser renders with no request after the HTML besides
these is what the count says (the pages load no images, fonts or third-party files; the CSP
forbids them).

Run: python bench/page_weight.py   (a throw-away SQLite database with the demo data)
"""

import gzip
import os
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_django

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    workdir = fresh_django("tongban-page-weight-")
    try:
        _measure()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", interactive=False, verbosity=0)  # as `make run` does
    setup_test_environment()  # the test client's hosts and the templates it reports

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
        channel="pc",
        answers={first.question_id: first.pk, self_.question_id: self_.pk},
    )
    code = item.implementation_code
    pages = [
        ("home", None, "/"),
        ("search gaoling", None, "/services/search/?q=高龄"),
        ("guide", None, f"/services/{code}/"),
        ("login", None, "/accounts/login/"),
        ("my hub", citizen, "/my/"),
        ("form page", citizen, f"/my/cases/{draft.public_id}/?page=1"),
        ("materials", citizen, f"/my/cases/{draft.public_id}/?page=3"),
        ("my cases", citizen, "/my/cases/"),
        ("workbench home", User.objects.get(login_name="clerk"), "/workbench/"),
    ]
    print(
        f"{'page':<16}{'status':>7}{'html':>10}{'html gz':>10}{'requests':>10}"
        f"{'static':>10}{'static gz':>11}{'total gz':>10}"
    )
    for label, who, url in pages:
        client = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Mobile")
        if who is not None:
            client.force_login(who)
        response = client.get(url, follow=True)
        html = response.content
        assets = sorted(set(ASSET.findall(html.decode("utf-8", "replace"))))
        raw = zipped = 0
        for asset in assets:  # the collected (hashed) file, as the server sends it
            collected = Path(settings.STATIC_ROOT) / asset.removeprefix("/static/")
            data = collected.read_bytes()
            raw, zipped = raw + len(data), zipped + _gz(data)
        print(
            f"{label:<16}{response.status_code:>7}{len(html):>10,}{_gz(html):>10,}"
            f"{1 + len(assets):>10}{raw:>10,}{zipped:>11,}{_gz(html) + zipped:>10,}"
        )
    print("bytes; requests = the HTML + its same-origin stylesheets, scripts and icon")


if __name__ == "__main__":
    main()
