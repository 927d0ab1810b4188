"""Benchmark: the hall's live updates — a call at a window reaching the TV display and the phones.

Standalone: a throw-away data directory (SQLite, database cache: the embedded default), migrated
from scratch; one hall with 50 windows in 10 window groups (A–J, 5 windows each), a clerk signed in
at every window, and 2,000 tickets taken today (a day's worth) through hall.actions. The web
server starts as the Procfile does (Granian, `python -m tongban.server`), with enough threads for
the streams (docs/hall.md, "Live updates"). 500 phones (50 per group) and the display hold
Server-Sent Events streams; then the clerks call the next ticket, one call a second, round the
windows. For each call: the time from starting the call until the display shows it, and until each
phone of that group shows its new place in the queue ("前面还有 N 人"). Prints p50/p95/p99.
Goal (issue 26): ≤ 1 s p95 on 2 cores.

Run: .venv/bin/python bench/hall.py [CALLS] [PHONES]
"""

import asyncio
import json
import os
import shutil
import sys
import threading
import time

from _common import fresh_django, percentiles, start_server

PORT = int(os.environ.get("BENCH_HALL_PORT", "8201"))
WINDOWS, GROUPS, TICKETS = 50, 10, 2000
WORKERS = 2
THREADS = 300  # per worker: the streams held open plus threads for ordinary requests


def build_hall():
    import datetime

    from django.conf import settings

    from tongban.accounts import actions as accounts
    from tongban.core import testdata
    from tongban.core.models import CalendarDay, Department, Region, ServiceHall, Window
    from tongban.hall.actions import queue
    from tongban.hall.models import HallSettings, WindowGroup

    today = datetime.date.today()
    # The bench runs whenever it is started: today is a working day and the hall open all day.
    CalendarDay.objects.update_or_create(
        date=today, defaults={"is_working_day": True, "name": "基准测试"}
    )
    province = Region.objects.create(code="410000", name="河南省", level=Region.Level.PROVINCE)
    city = Region.objects.create(
        code="411000", name="许昌市", level=Region.Level.CITY, parent=province
    )
    department = Department.objects.create(
        name="许昌市民政局",
        uscc=testdata.credit_code("11", "411000", 1),
        region=city,
        level=Department.ExerciseLevel.CITY,
    )
    hall = ServiceHall.objects.create(
        name="许昌市政务服务中心", kind=ServiceHall.Kind.CENTRE, region=city, address="示例路1号"
    )
    HallSettings.objects.create(
        hall=hall,
        morning_start=datetime.time(0, 0),
        morning_end=datetime.time(12, 0),
        afternoon_start=datetime.time(12, 0),
        afternoon_end=datetime.time(23, 59, 59),
    )
    groups, windows = [], []
    for g in range(GROUPS):
        group = WindowGroup.objects.create(hall=hall, name=f"业务{g + 1}", prefix=chr(65 + g))
        groups.append(group)
        for w in range(WINDOWS // GROUPS):
            window = Window.objects.create(hall=hall, number=f"{g * 5 + w + 1}", name="窗口")
            group.windows.add(window)
            windows.append(window)
    # The bench's clerks never log in: a fast hash keeps set-up short (Argon2 is for real accounts).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clerks = []
    for window in windows:
        clerk = accounts.create_staff(
            actor=None,
            login_name=f"bench{window.number}",
            display_name=f"窗口{window.number}",
            department=department,
            roles=["window_clerk"],
            password="Tongban2026",  # noqa: S106 (throw-away bench accounts)
        )
        profile = clerk.staff_profile
        profile.hall, profile.window = hall, window
        profile.save()
        queue.set_window(actor=clerk, window=window, status="open")
        clerks.append((clerk, window))
    started = time.perf_counter()
    tickets = []
    for n in range(TICKETS):
        tickets.append(
            queue.take_ticket(group=groups[n % GROUPS], source="kiosk", phone=f"139{n:08d}")
        )
    print(
        f"  {TICKETS} tickets taken through hall.actions in {time.perf_counter() - started:.0f} s"
    )
    return hall, groups, clerks, tickets


class Watcher:
    """One SSE client (a phone, or the display when token is None): every event with its arrival."""

    def __init__(self, hall_id: int, token: str | None):
        self.path = f"/hall/{hall_id}/stream" + (f"?ticket={token}" if token else "")
        self.events: list[tuple[float, dict]] = []
        self.reconnects = 0

    async def run(self, stop: asyncio.Event):
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
                # HTTP/1.0: the body is the bare event stream, no chunked framing.
                writer.write(
                    f"GET {self.path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
                )
                await writer.drain()
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                while not stop.is_set():
                    line = await reader.readline()
                    if not line:
                        break
                    if line.startswith(b"data: "):
                        self.events.append((time.perf_counter(), json.loads(line[6:])))
                writer.close()
            except OSError:
                pass
            if not stop.is_set():
                self.reconnects += 1
                await asyncio.sleep(1)  # the server's retry: 1000

    def first_after(self, since: float, accept) -> float | None:
        for at, data in self.events:
            if at >= since and accept(data):
                return (at - since) * 1000
        return None


def main() -> int:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    phones = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    workdir = fresh_django("tongban-bench-hall-")
    from django.db import connection

    from tongban.hall.actions import queue

    started = time.perf_counter()
    hall, groups, clerks, tickets = build_hall()
    setup_s = time.perf_counter() - started
    connection.close()
    server = start_server(
        workdir,
        PORT,
        WEB_WORKERS=str(WORKERS),
        WEB_THREADS=str(THREADS),
        HALL_STREAMS_PER_WORKER=str(phones // WORKERS + 20),
        HALL_STREAM_SECONDS="600",
    )
    per_group = phones // GROUPS
    watched = [t for g in groups for t in [x for x in tickets if x.group_id == g.pk][-per_group:]]
    display = Watcher(hall.pk, None)
    phone_watchers = {t.pk: (t, Watcher(hall.pk, t.token)) for t in watched}
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    everyone = [display] + [w for _, w in phone_watchers.values()]

    def client():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(asyncio.gather(*(w.run(stop) for w in everyone)))

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    time.sleep(5)  # let every stream connect
    connected = sum(1 for w in everyone if w.events)
    display_ms, phone_ms, missed, previous = [], [], 0, {}
    try:
        for n in range(calls):
            clerk, window = clerks[n % len(clerks)]
            if n >= len(clerks):  # the window's previous visitor never came: 过号 frees it
                queue.mark_no_show(actor=clerk, ticket=previous[window.pk])
                time.sleep(0.2)
            t0 = time.perf_counter()
            called = previous[window.pk] = queue.call_next(actor=clerk, window=window)
            time.sleep(1.0)
            code = called.code
            latency = display.first_after(
                t0, lambda d, c=code: any(x["code"] == c for x in d["calls"])
            )
            if latency is None:
                missed += 1
            else:
                display_ms.append(latency)
            for ticket, watcher in phone_watchers.values():
                if ticket.group_id != called.group_id:
                    continue
                before = next((d for at, d in reversed(watcher.events) if at < t0), None)
                if before is None:
                    continue
                latency = watcher.first_after(
                    t0, lambda d, b=before: (d["ahead"], d["status"]) != (b["ahead"], b["status"])
                )
                if latency is None:
                    missed += 1
                else:
                    phone_ms.append(latency)
        time.sleep(1)
    finally:
        loop.call_soon_threadsafe(stop.set)
        server.terminate()
        server.wait(timeout=15)
        connection.close()
    print(
        f"hall: {WINDOWS} windows in {GROUPS} groups, {TICKETS} tickets today (set up in {setup_s:.0f} s)"
    )
    print(
        f"server: Granian {WORKERS} workers × {THREADS} threads, SQLite + database cache; "
        f"{len(everyone)} streams ({phones} phones + display), {connected} connected"
    )
    print(f"calls: {calls}, one a second")
    print(
        f"  call → display shows it     {percentiles(display_ms)}"
        if display_ms
        else "  display: no samples"
    )
    print(
        f"  call → phone shows its place {percentiles(phone_ms)}"
        if phone_ms
        else "  phones: no samples"
    )
    print(
        f"  updates missed within 1 s: {missed}; stream reconnects: {sum(w.reconnects for w in everyone)}"
    )
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
