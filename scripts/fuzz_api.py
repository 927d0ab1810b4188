"""Fuzz the API against its own OpenAPI file with schemathesis, on a live server.

    .venv/bin/python scripts/fuzz_api.py [--max-examples N] [--seed S] [--only WHO] [--paths REGEX] [--keep]

Makes a throw-away data directory, migrates it and loads the demo data, starts the platform's
own web server (tongban.server) on a free loopback port, then runs schemathesis over every
operation of /api/v1/schema/ four times: anonymous, signed in as a citizen, as an enterprise's
agent (经办人) and as a staff member (事项管理员). Checks: no server error, every answer matches
its documented schema, every status is documented. A fixed seed and a bounded number of examples
keep the run repeatable and short. Prints the counts per identity and exits non-zero on any
failure. Used by .ci/run; the server and the data directory are gone when it ends.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
PASSWORD = "Tongban2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_identities(env: dict) -> dict[str, str | None]:
    """Login names of the demo accounts the runs sign in as (None: anonymous)."""
    code = (
        "import django; django.setup()\n"
        "from tongban.accounts import demo\n"
        "from tongban.core import testdata\n"
        "print(testdata.phone(demo.CITIZENS[0][4]))\n"
        "print(testdata.phone(demo.CITIZENS[1][4]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return {"anonymous": None, "citizen": out[0], "enterprise-agent": out[1], "staff": "catalog"}


def prepare(env: dict) -> None:
    tongban = str(BIN / "tongban")
    steps = (["migrate", "--noinput", "-v0"], ["createcachetable"], ["demo"])
    for command in (*steps, ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([tongban, *command], env=env, check=True, stdout=subprocess.DEVNULL)


def start_server(env: dict, port: int) -> subprocess.Popen:
    server_env = {
        **env,
        "TONGBAN_BIND": f"127.0.0.1:{port}",
        "TONGBAN_ACCESS_LOG": "0",
        "TONGBAN_WEB_WORKERS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tongban.server"], env=server_env, start_new_session=True
    )


def wait_until_ready(server: subprocess.Popen, base: str) -> None:
    import requests

    for _ in range(120):
        try:
            if requests.get(f"{base}/healthz", timeout=30).ok:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        if server.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.5)
    raise SystemExit("the server did not answer /healthz in time")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def sign_in(base: str, login: str) -> list[str]:
    """Headers of a signed-in session: its cookies and the CSRF token unsafe requests need."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if found is None:
        raise SystemExit(f"no sign-in form at {base}/accounts/login/: {page.status_code}")
    token = found.group(1)
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "identifier": login, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"could not sign in as {login}: {answer.status_code}")
    cookies = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    return ["-H", f"Cookie: {cookies}", "-H", f"X-CSRFToken: {session.cookies['csrftoken']}"]


def counts(junit: Path) -> dict[str, int]:
    suite = ET.parse(junit).getroot()
    suites = [suite] if suite.tag == "testsuite" else list(suite)
    total = {"operations": 0, "failures": 0, "errors": 0, "skipped": 0}
    for one in suites:
        total["operations"] += int(one.get("tests", 0))
        total["failures"] += int(one.get("failures", 0))
        total["errors"] += int(one.get("errors", 0))
        total["skipped"] += int(one.get("skipped", 0))
    return total


def fuzz(base: str, who: str, headers: list[str], args, report_dir: Path) -> dict:
    junit = report_dir / f"{who}.xml"
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/v1/schema/",
        "--checks",
        CHECKS,
        "--seed",
        str(args.seed),
        "--max-examples",
        str(args.max_examples),
        "--phases",
        args.phases,
        # One worker: with two, schemathesis builds Hypothesis strategies in two threads at once,
        # and CPython 3.11's ast.parse is not safe across threads (it failed a CI run with
        # "SystemError: AST constructor recursion depth mismatch", inside the fuzzer, not the API).
        "--workers",
        "1",
        "--no-shrink",
        "--generation-database",
        "none",
        "--generation-with-security-parameters",
        "false",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
        "--output-truncate",
        "true",
        *(["--include-path-regex", args.paths] if args.paths else []),
        *headers,
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    figures = counts(junit) if junit.exists() else {"operations": 0, "failures": 0, "errors": 1}
    figures["seconds"] = round(time.monotonic() - started)
    figures["cases"] = _test_cases(result.stdout)
    if result.returncode != 0 or figures["failures"] or figures["errors"]:
        print(result.stdout[-20000:])
        print(result.stderr[-3000:], file=sys.stderr)
        figures["exit"] = result.returncode
    return figures


def _test_cases(output: str) -> int:
    found = re.search(r"(\d+) generated", output)
    return int(found.group(1)) if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--only", help="one identity: anonymous, citizen, enterprise-agent, staff")
    parser.add_argument("--paths", help="only the operations whose path matches this regex")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="tongban-fuzz-"))
    env = {
        **os.environ,
        "TONGBAN_DATA_DIR": str(data_dir),
        "TONGBAN_LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        # Generated requests come fast and from one address: rate limits would answer most of
        # them with 429 and hide what lies behind.
        "TONGBAN_THROTTLE_ANON": "100000/min",
        "TONGBAN_THROTTLE_IDENTIFIER_CHECK": "100000/min",
    }
    for name in ("TONGBAN_DATABASE_URL", "TONGBAN_REDIS_URL", "TONGBAN_BROKER_URL"):
        env.pop(name, None)
    started = time.monotonic()
    server = None
    try:
        prepare(env)
        identities = demo_identities(env)
        port = free_port()
        server = start_server(env, port)
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(server, base)
        print(f"server ready after {time.monotonic() - started:.0f}s; fuzzing {base}/api/v1/")
        results = {}
        for who, login in identities.items():
            if args.only and who != args.only:
                continue
            headers = sign_in(base, login) if login else []
            results[who] = fuzz(base, who, headers, args, data_dir)
            figures = results[who]
            print(
                f"schemathesis {who:<17} operations {figures['operations']:>3}  "
                f"test cases {figures['cases']:>5}  failures {figures['failures']}  "
                f"errors {figures['errors']}  ({figures['seconds']}s)",
                flush=True,
            )
    finally:
        if server is not None:
            stop(server)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    failed = sum(r["failures"] + r["errors"] for r in results.values())
    exits = [who for who, r in results.items() if r.get("exit")]
    cases = sum(r["cases"] for r in results.values())
    print(
        f"schemathesis: {cases} test cases over {len(results)} identities, "
        f"{failed} failing operations, {time.monotonic() - started:.0f}s in all"
        + (f"; schemathesis failed for {', '.join(exits)}" if exits else "")
    )
    return 1 if failed or exits or not results else 0


if __name__ == "__main__":
    sys.exit(main())
