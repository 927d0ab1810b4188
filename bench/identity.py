"""Benchmark: the identity provider over HTTP (a real server, threads of clients).

Standalone: a throw-away data directory (SQLite), migrated from scratch, served as the Procfile
does (`python -m tongban.server`, Granian). One approved client-credentials system, one approved
sign-in system and a citizen holding an access token (scopes openid profile realname). Prints, each
from CLIENTS threads with keep-alive connections:
- client-credentials token grants/s (/o/token/: client authenticated by its hashed secret);
- token introspections/s (/o/introspect/);
- userinfo calls/s (/o/userinfo/, claims by scope).
Goals from issue 22: ≥ 500 token grants/s and ≥ 1,000 introspections or userinfo calls/s on 2 cores.
First it prints the CPU time one call costs the server (in process, no HTTP): on a machine shared
with other work the requests/s over HTTP say more about the neighbours than about the provider.
Run: .venv/bin/python bench/identity.py [REQUESTS] [CLIENTS]
"""

import base64
import datetime
import http.client
import os
import shutil
import sys
import threading
import time
import urllib.parse
import urllib.request

from _common import fresh_django, percentiles, start_server

PORT = 8771
PASSWORD = "Tongban2026"  # noqa: S105 (a throw-away benchmark database)
WORKERS = 2
THREADS = 8


def setup():
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from tongban.accounts import actions as accounts
    from tongban.accounts.terms import TERMS_VERSION
    from tongban.core import demo as core_demo
    from tongban.core import testdata
    from tongban.identity import actions

    core_demo.load(lambda _line: None)
    department = core_demo.department("mz")
    admins = [
        accounts.create_staff(
            actor=None,
            login_name=f"benchadmin{n}",
            display_name="基准管理员",
            department=department,
            roles=["platform_admin"],
            password=PASSWORD,
        )
        for n in (1, 2)
    ]
    system = actions.register_client(
        actor=admins[0],
        name="基准收件系统",
        department=department,
        grant="client-credentials",
        allowed_scopes=["intake"],
    )
    system_secret = actions.approve_client(actor=admins[1], registration=system)
    sign_in = actions.register_client(
        actor=admins[0],
        name="基准登录系统",
        department=department,
        redirect_uris="https://bench.example.gov.cn/cb",
        allowed_scopes=["openid", "profile", "realname"],
    )
    actions.approve_client(actor=admins[1], registration=sign_in)
    citizen = accounts.register_citizen(
        real_name="示例居民",
        id_number=testdata.citizen_id(birth=datetime.date(1980, 1, 2), sequence=3),
        phone=testdata.phone(7),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )
    # A token as the code flow leaves it (the flow itself is covered by the test suite).
    token = AccessToken.objects.create(
        user=citizen,
        application=sign_in.application,
        token="bench-userinfo-" + "x" * 30,
        scope="openid profile realname",
        expires=timezone.now() + datetime.timedelta(hours=2),
    )
    return system.client_id, system_secret, token.token


def hammer(label: str, requests: int, clients: int, make_request) -> None:
    """`requests` calls spread over `clients` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    per_client = requests // clients

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        for _ in range(per_client):
            method, path, body, headers = make_request()
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    print(f"  {label:34s} {len(latencies) / seconds:8.0f} /s   {percentiles(latencies)}")
    if failures[0]:
        print(f"  !! {failures[0]} of {len(latencies)} answers were not 200")


def cpu_cost(label: str, calls: int, call) -> None:
    """CPU time of one call handled in this process (Django's test client, no HTTP, no
    threads): what a worker spends per call, whatever else the shared machine is doing."""
    for _ in range(10):
        call()
    started = time.process_time()
    for _ in range(calls):
        response = call()
        if response.status_code != 200:
            raise SystemExit(f"{label}: answer {response.status_code} {response.content[:200]}")
    per_call = (time.process_time() - started) * 1000 / calls
    print(f"  {label:34s} {per_call:6.2f} ms CPU   ≈ {1000 / per_call:6.0f} /s per core")


def in_process(client_id: str, secret: str, user_token: str, calls: int) -> None:
    from django.test import Client

    client = Client()
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    print(f"in process, CPU time per call ({calls} calls each; the server's share of the work):")
    cpu_cost(
        "client-credentials tokens",
        calls,
        lambda: client.post(
            "/o/token/",
            {"grant_type": "client_credentials", "scope": "intake"},
            HTTP_AUTHORIZATION=basic,
        ),
    )
    cpu_cost(
        "token introspections",
        calls,
        lambda: client.post("/o/introspect/", {"token": user_token}, HTTP_AUTHORIZATION=basic),
    )
    cpu_cost(
        "userinfo calls",
        calls,
        lambda: client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {user_token}"),
    )


def main() -> int:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    workdir = fresh_django("tongban-bench-identity-")
    server = None
    try:
        client_id, secret, user_token = setup()
        in_process(client_id, secret, user_token, max(50, requests // 4))
        server = start_server(workdir, PORT, WEB_WORKERS=str(WORKERS), WEB_THREADS=str(THREADS))
        basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        form = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic}
        grant = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "intake"})
        introspect = urllib.parse.urlencode({"token": user_token})
        print(
            f"identity provider over HTTP: {WORKERS} Granian workers × {THREADS} threads, "
            f"{clients} client threads, {requests} requests each (shared, loaded machine)"
        )
        hammer("warm-up", clients * 4, clients, lambda: ("POST", "/o/token/", grant, form))
        hammer(
            "client-credentials tokens",
            requests,
            clients,
            lambda: ("POST", "/o/token/", grant, form),
        )
        hammer(
            "token introspections",
            requests,
            clients,
            lambda: ("POST", "/o/introspect/", introspect, form),
        )
        bearer = {"Authorization": f"Bearer {user_token}"}
        hammer("userinfo calls", requests, clients, lambda: ("GET", "/o/userinfo/", None, bearer))
        print(f"  machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
