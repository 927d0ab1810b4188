"""Capacity benchmark: Tongban in production mode on PostgreSQL + Redis under a mixed load.

Run: `make bench ONLY=capacity` (or `python bench/capacity.py`). Needs PostgreSQL and Redis on this
machine (TONGBAN_BENCH_POSTGRES, default postgresql://postgres@127.0.0.1:5432/postgres, and
TONGBAN_BENCH_REDIS, default redis://127.0.0.1:6379/13; that Redis database is flushed) and wrk
(installed with apt-get when missing and running as root). It:

1. creates the database tongban_bench, migrates, loads the demo data and generates the volume
   (bench/_volume.py: 10,000 items, 100,000 citizens, 200,000 cases with history, licences and
   ratings at TONGBAN_BENCH_SCALE=1, the default; 0.01 for a quick run);
2. starts the web server as the Procfile does (`python -m tongban.server`: Granian, one worker
   process per core × 4 threads), a Celery worker
   (threads pool, as in the Procfile) and celery beat, all with TONGBAN_MODE=production;
3. drives from this machine, against 127.0.0.1 only: guide pages of random items before any is
   cached (the live render a first visitor waits for); then renders every guide page into the
   page cache as `tongban warm_guides` does after a deployment, and prints how long that took;
   a trivial Django view (/healthz); the mix
   (about 70% guide, search and theme pages, 20% 我的办件 and case pages, 8% public progress
   queries, 2% submissions with uploads through the API: paced to 2/98 of the pages answered so
   far, half step by step and half in one call, over eight items) for TONGBAN_BENCH_SECONDS
   (default 60) with TONGBAN_BENCH_CONNECTIONS (default 32) wrk connections; submissions alone,
   each way; and
   submissions while a web worker and the Celery worker are killed with SIGKILL (the Celery
   worker is restarted), then checks that every accepted submission exists exactly once, whole,
   and that its receipt pipeline completes;
4. prints requests/s, p50/p95/p99 per request type, errors, the CPU split between server,
   worker, database, Redis and load generator, and the equivalent concurrent online users at
   30 s think time; stops everything and drops the database (TONGBAN_BENCH_KEEP=1 keeps it, and
   TONGBAN_BENCH_REUSE=1 then reuses it without generating again).

It measures and prints; it asserts nothing about timings.
"""

import json
import os
import random
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _common import ROOT

HERE = Path(__file__).resolve().parent
SCALE = float(os.environ.get("TONGBAN_BENCH_SCALE", "1"))
SECONDS = int(os.environ.get("TONGBAN_BENCH_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("TONGBAN_BENCH_CONNECTIONS", "32"))
PG_ADMIN = os.environ.get("TONGBAN_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TONGBAN_BENCH_REDIS", "redis://127.0.0.1:6379/13")
DB_NAME = "tongban_bench"
PORT = int(os.environ.get("TONGBAN_BENCH_PORT", "8765"))
THINK_SECONDS = 30
STATE_DIR = ROOT / "var" / "bench-capacity"
MIX = [  # request type → share of the mix (submissions are the remaining 2%, from Python)
    ("guide", 40),
    ("search", 15),
    ("theme", 15),
    ("mine", 10),
    ("case", 10),
    ("progress", 8),
]
SUBMISSION_SHARE = 0.02
TICK = os.sysconf("SC_CLK_TCK")
VENV_BIN = Path(sys.executable).parent


def say(text: str) -> None:
    print(text, flush=True)


# --- services -----------------------------------------------------------------------------------


def db_url(name: str) -> str:
    parts = urllib.parse.urlsplit(PG_ADMIN)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def check_services() -> str:
    """An empty string when PostgreSQL, Redis and wrk are usable, else why not."""
    import psycopg
    import redis

    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL is not reachable at {PG_ADMIN} ({type(exc).__name__}); start it or set TONGBAN_BENCH_POSTGRES"
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis is not reachable at {REDIS} ({type(exc).__name__}); start it or set TONGBAN_BENCH_REDIS"
    if not shutil.which("wrk"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            say("installing wrk with apt-get …")
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            apt = shutil.which("apt-get")
            subprocess.run([apt, "update", "-qq"], check=False, env=env)
            subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=False, env=env)
        if not shutil.which("wrk"):
            return "wrk is not installed (apt-get install wrk); the load generator needs it"
    return ""


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def production_env(data_dir: Path) -> dict[str, str]:
    """The environment of every process: production mode, generated secrets, our services."""
    secrets_file = STATE_DIR / "secrets.json"
    if secrets_file.exists():
        keys = json.loads(secrets_file.read_text())
    else:
        import base64

        def key() -> str:
            return base64.urlsafe_b64encode(os.urandom(32)).decode()

        keys = {
            "TONGBAN_SECRET_KEY": secrets.token_urlsafe(60),
            "TONGBAN_PII_KEYS": f"b1:{key()}",
            "TONGBAN_PII_INDEX_KEY": key(),
            "TONGBAN_SMS_WEBHOOK_SECRET": secrets.token_urlsafe(24),
        }
        secrets_file.write_text(json.dumps(keys))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
    env.update(keys)
    env.update(
        {
            "TONGBAN_MODE": "production",
            "TONGBAN_DEBUG": "0",
            "TONGBAN_DATABASE_URL": db_url(DB_NAME),
            "TONGBAN_REDIS_URL": REDIS,
            "TONGBAN_DATA_DIR": str(data_dir),
            "TONGBAN_BIND": f"127.0.0.1:{PORT}",
            "TONGBAN_SITE_URL": f"http://127.0.0.1:{PORT}",
            "TONGBAN_ALLOWED_HOSTS": "127.0.0.1",
            "TONGBAN_SECURE_COOKIES": "0",  # plain HTTP on the loopback; TLS is nginx's job
            "TONGBAN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "tongban.settings",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    for name in (
        "TONGBAN_WEB_WORKERS",
        "TONGBAN_WEB_THREADS",
        "TONGBAN_ACCESS_LOG",
        "TONGBAN_DB_CONN_MAX_AGE",
    ):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


# --- data ---------------------------------------------------------------------------------------


def prepare(env: dict[str, str]) -> dict:
    """Migrate, load demo data and generate the volume (or reuse them); return the load plan."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    plan_file = STATE_DIR / "plan.json"
    if os.environ.get("TONGBAN_BENCH_REUSE") == "1" and plan_file.exists():
        plan = json.loads(plan_file.read_text())
        say(
            f"reusing {DB_NAME}: {plan['items']:,} items, {plan['citizens']:,} citizens, {plan['cases']:,} cases"
        )
    else:
        recreate_database()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        say(f"migrated and demo data loaded in {time.perf_counter() - started:.1f} s")
        import _volume

        say(f"generating the volume at scale {SCALE} …")
        volume = _volume.generate(SCALE, lambda line: say(line))
        say(
            f"generated {volume.items:,} items, {volume.citizens:,} citizens, {volume.cases:,} cases "
            f"in {volume.seconds:.0f} s ({(time.perf_counter() - started) / 60:.1f} min with migrate)"
        )
        plan = {
            "items": volume.items,
            "citizens": volume.citizens,
            "cases": volume.cases,
            "generation_seconds": round(volume.seconds, 1),
            "codes": volume.item_codes,
            "hot": volume.hot_codes,
            "cases_by_owner": {str(k): v for k, v in volume.cases_by_owner.items()},
            "spare": volume.spare_citizens,
            "submit_code": volume.submit_code,
        }
        plan_file.write_text(json.dumps(plan))
    call_command("collectstatic", interactive=False, verbosity=0)
    return plan


def make_sessions(user_ids: list[int]) -> list[str]:
    """Signed-in sessions as the login view leaves them (the Argon2 login itself is not part of
    the mix: each citizen logs in once per visit, then browses)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cache import SessionStore

    from tongban.accounts.models import User

    out = []
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "tongban.accounts.backends.IdentifierBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        out.append(store.session_key)
    return out


QUERIES = [
    "高龄",
    "gljt",
    "食品经营",
    "营业执照",
    "公积金",
    "不动产",
    "出生",
    "健康证明",
    "网约车",
    "社会保障卡",
    "养老",
    "户口",
    "驾驶证",
    "失业",
    "婚姻登记",
    "spjy",
    "卫生许可",
    "个体工商户",
]


def write_mix_data(
    work: Path, plan: dict, sessions: dict[int, str], csrf: str, weights=MIX, name="mix-data.lua"
) -> Path:
    from tongban.catalog import codes
    from tongban.core.models import Department

    rng = random.Random(5)
    cases = plan["cases_by_owner"]
    themes = [f"?theme={t}" for t in codes.PersonTheme.values]
    themes += [f"?theme=e-{t}" for t in codes.EnterpriseTheme.values]
    themes += [f"?department={pk}" for pk in Department.objects.values_list("pk", flat=True)[:10]]
    themes += ["?region=411000", ""]
    progress = [
        (number, tail)
        for owner_cases in rng.sample(list(cases.values()), min(5000, len(cases)))
        for _pid, number, tail in owner_cases[:1]
    ]
    progress += [(number[:-4] + "9999", "0000") for number, _ in progress[: len(progress) // 10]]

    def lua(value) -> str:
        if isinstance(value, (list, tuple)):
            return "{" + ",".join(lua(v) for v in value) + "}"
        if isinstance(value, dict):
            return "{" + ",".join(f"{k}={lua(v)}" for k, v in value.items()) + "}"
        if isinstance(value, (int, float)):
            return str(value)
        return json.dumps(str(value))  # a JSON string literal is a valid Lua string literal here

    data = {
        "log_prefix": str(work / "mix-"),
        "weights": [[k, w] for k, w in weights],
        "codes": plan["codes"],
        "hot": plan["hot"],
        "queries": [urllib.parse.quote(q) for q in QUERIES],
        "themes": themes,
        "sessions": [
            [sid, [pid for pid, _, _ in cases[str(uid)]]] for uid, sid in sessions.items()
        ],
        "progress": progress,
        "csrf": csrf,
    }
    path = work / name
    path.write_text("return " + lua(data) + "\n")
    return path


# --- processes and CPU ----------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(command, parent pid, own + reaped children's CPU ticks) of a process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), sum(int(x) for x in fields[11:15])


def _all_procs() -> dict[int, tuple[str, int, int]]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))):
            out[int(entry)] = stat
    return out


def _tree(procs, root: int) -> set[int]:
    members, grew = {root}, True
    while grew:
        grew = False
        for pid, (_, ppid, _) in procs.items():
            if ppid in members and pid not in members:
                members.add(pid)
                grew = True
    return members


def _machine_busy() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle, sum(fields[:8])


class CpuMeter:
    """CPU seconds per group between start() and stop(); groups are process trees or names."""

    def __init__(self, roots: dict[str, int], names: dict[str, tuple[str, ...]]):
        self.roots, self.names = roots, names

    def sample(self) -> dict[str, int]:
        procs = _all_procs()
        ticks = {}
        for group, root in self.roots.items():
            ticks[group] = sum(procs[p][2] for p in _tree(procs, root) if p in procs)
        for group, prefixes in self.names.items():
            ticks[group] = sum(t for comm, _, t in procs.values() if comm.startswith(prefixes))
        ticks["_machine"], ticks["_total"] = _machine_busy()
        return ticks

    def start(self):
        self.before, self.t0 = self.sample(), time.monotonic()
        self.self_before = resource.getrusage(resource.RUSAGE_SELF)

    def stop(self) -> dict[str, float]:
        after, elapsed = self.sample(), time.monotonic() - self.t0
        me = resource.getrusage(resource.RUSAGE_SELF)
        out = {
            g: (after[g] - self.before[g]) / TICK / elapsed for g in after if not g.startswith("_")
        }
        out["submission client"] = (
            me.ru_utime + me.ru_stime - self.self_before.ru_utime - self.self_before.ru_stime
        ) / elapsed
        out["machine busy"] = (after["_machine"] - self.before["_machine"]) / TICK / elapsed
        out["_elapsed"] = elapsed
        return out


def start_server(env: dict[str, str], work: Path) -> dict[str, subprocess.Popen]:
    logs = {name: open(work / f"{name}.log", "w") for name in ("web", "worker", "beat")}  # noqa: SIM115
    cmds = {
        "web": [str(VENV_BIN / "python"), "-m", "tongban.server"],
        "worker": [
            str(VENV_BIN / "celery"),
            "-A",
            "tongban",
            "worker",
            "--loglevel",
            "WARNING",
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--without-mingle",
            "--without-gossip",
        ],
        "beat": [
            str(VENV_BIN / "celery"),
            "-A",
            "tongban",
            "beat",
            "--loglevel",
            "WARNING",
            "--schedule",
            str(work / "celerybeat-schedule"),
        ],
    }
    procs = {}
    for name, cmd in cmds.items():
        procs[name] = subprocess.Popen(
            cmd,
            env=env,
            stdout=logs[name],
            stderr=subprocess.STDOUT,
            cwd=str(ROOT),
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=5) as r:
                if r.status == 200:
                    return procs
        except OSError:
            time.sleep(0.5)
    stop_server(procs)
    raise SystemExit(f"the server did not become ready; see {work}/web.log")


def restart_worker(env, work, procs) -> None:
    log = open(work / "worker.log", "a")  # noqa: SIM115
    procs["worker"] = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "tongban",
            "worker",
            "--loglevel",
            "WARNING",
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=str(ROOT),
        start_new_session=True,
    )


def stop_server(procs: dict[str, subprocess.Popen]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- load ---------------------------------------------------------------------------------------


def run_wrk(
    url: str, seconds: int, connections: int, script: Path | None, env
) -> tuple[str, float]:
    """Run wrk (one connection per thread); return its output and its CPU seconds."""
    cmd = [
        "wrk",
        "-t",
        str(connections),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
    ]
    if script:
        cmd += ["-s", str(script)]
    proc = subprocess.Popen([*cmd, url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    output = proc.stdout.read().decode()
    _, _, usage = os.wait4(proc.pid, 0)
    return output, usage.ru_utime + usage.ru_stime


def wrk_rps(output: str) -> float:
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return 0.0


def wrk_socket_errors(output: str) -> str:
    for line in output.splitlines():
        if "Socket errors" in line:
            return line.strip()
    return ""


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


class PageCount:
    """How many responses wrk has logged in this run so far. The Lua script writes one line per
    response, line-buffered; this reads only what was added since it last looked, at most every
    quarter second."""

    def __init__(self, work: Path):
        self.work, self.offsets, self.count, self.looked = work, {}, 0, 0.0

    def __call__(self) -> int:
        if time.monotonic() - self.looked >= 0.25:
            self.looked = time.monotonic()
            for log in self.work.glob("mix-*.log"):
                with log.open("rb") as f:
                    f.seek(self.offsets.get(log, 0))
                    added = f.read()
                complete = added.rfind(b"\n") + 1
                self.offsets[log] = self.offsets.get(log, 0) + complete
                self.count += added.count(b"\n", 0, complete)
        return self.count


def read_mix_logs(work: Path) -> dict[str, tuple[list[float], int]]:
    by_kind: dict[str, tuple[list[float], int]] = {}
    for log in work.glob("mix-*.log"):
        for line in log.read_text().splitlines():
            kind, status, micros = line.split()
            samples, errors = by_kind.setdefault(kind, ([], 0))
            samples.append(int(micros) / 1000)
            if status != "200":
                by_kind[kind] = (samples, errors + 1)
        log.unlink()
    return by_kind


def print_latency_table(by_kind, seconds: float, submissions) -> tuple[int, int]:
    say(
        f"  {'request type':<14}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    total = errors_total = 0
    for kind, _ in MIX:
        samples, errors = by_kind.get(kind, ([], 0))
        total += len(samples)
        errors_total += errors
        say(
            f"  {kind:<14}{len(samples):>8}{len(samples) / seconds:>9.1f}{pct(samples, 50):>9.1f}"
            f"{pct(samples, 95):>9.1f}{pct(samples, 99):>9.1f}{errors:>8}"
        )
    if submissions is not None:
        for label, lat in (
            ("submission*", submissions.latencies_ms),
            ("one-call sub.*", submissions.one_call_ms),
        ):
            say(
                f"  {label:<14}{len(lat):>8}{len(lat) / seconds:>9.1f}{pct(lat, 50):>9.1f}"
                f"{pct(lat, 95):>9.1f}{pct(lat, 99):>9.1f}{'':>8}"
            )
    every = [s for samples, _ in by_kind.values() for s in samples]
    say(
        f"  {'all wrk types':<14}{total:>8}{total / seconds:>9.1f}{pct(every, 50):>9.1f}"
        f"{pct(every, 95):>9.1f}{pct(every, 99):>9.1f}{errors_total:>8}"
    )
    return total, errors_total


TONGBAN_GROUPS = ("server", "worker", "beat", "database", "redis")


def print_cpu(cpu: dict[str, float], rps: float = 0.0) -> None:
    """The CPU split; with `rps`, also Tongban's CPU per request and what that projects to when
    Tongban has every core of the machine (other agents' work and the load generator elsewhere)."""
    cores = os.cpu_count() or 1
    shown = {k: v for k, v in cpu.items() if not k.startswith("_") and k != "machine busy"}
    say(f"  CPU (cores busy, of {cores}): " + ", ".join(f"{k} {v:.2f}" for k, v in shown.items()))
    say(
        f"  machine busy {cpu['machine busy']:.2f} cores; other processes (not Tongban, "
        f"not the load) {max(0.0, cpu['machine busy'] - sum(shown.values())):.2f}"
    )
    if rps:
        tongban = sum(cpu.get(g, 0.0) for g in TONGBAN_GROUPS)
        per_request = tongban / rps * 1000
        say(
            f"  Tongban CPU per request {per_request:.2f} ms (server + worker + database + Redis); "
            f"projected on {cores} dedicated cores: {cores * 1000 / per_request:,.0f} requests/s"
        )


# --- consistency after the kill test ----------------------------------------------------------------


def failure_summary(outcome) -> str:
    """ " (step status × count, …)" of the failed submissions, or nothing when none failed."""
    if not outcome.failures:
        return ""
    common = ", ".join(f"{what} × {n}" for what, n in outcome.failures.most_common(4))
    return f" ({common})"


def check_submissions(outcome, owners: list[int], since, wait_seconds: int) -> None:
    from django.db.models import Count

    from tongban.applications.models import Application, PipelineStep
    from tongban.applications.states import Status

    accepted = dict(outcome.accepted)
    numbers = list(accepted.values())
    rows = Application.objects.filter(case_number__in=numbers)
    found = rows.count()
    dupes = (
        Application.objects.filter(owner_id__in=owners, created_at__gte=since)
        .exclude(idempotency_key=None)
        .values("idempotency_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    whole = 0
    for app in rows.annotate(
        n_changes=Count("status_changes", distinct=True),
        n_events=Count("events", distinct=True),
        n_steps=Count("pipeline", distinct=True),
        n_files=Count("files", distinct=True),
    ):
        if (
            app.status == Status.SUBMITTED
            and app.n_changes >= 1
            and app.n_events >= 1
            and app.n_steps == 2
            and app.n_files >= 2
            and app.applicant_id_index
        ):
            whole += 1
    # Half-saved: a case number without its history or pipeline, among everything the test made.
    made = Application.objects.filter(owner_id__in=owners, created_at__gte=since)
    half = (
        made.exclude(case_number=None)
        .annotate(n_steps=Count("pipeline", distinct=True), n_changes=Count("status_changes"))
        .exclude(n_steps=2, n_changes__gte=1)
        .count()
    )
    drafts_left = made.filter(status=Status.DRAFT).count()
    say(
        f"  accepted by the server {len(numbers)}, found {found}, whole {whole}, "
        f"missing {len(numbers) - found}, duplicate keys {dupes}, half-saved {half}; "
        f"drafts left by failed attempts {drafts_left}; client retries {outcome.retries}, "
        f"failed submissions {outcome.failed}{failure_summary(outcome)}"
    )
    started = time.monotonic()
    pending = None
    while time.monotonic() - started < wait_seconds:
        pending = (
            PipelineStep.objects.filter(application__case_number__in=numbers)
            .exclude(state=PipelineStep.State.DONE)
            .count()
        )
        if pending == 0:
            break
        time.sleep(5)
    say(
        f"  receipt and notification pipeline: {pending} step(s) not done "
        f"{time.monotonic() - started:.0f} s after the load stopped (the sweeper picks up steps "
        f"a killed worker dropped after 2 minutes)"
    )


def submission_items(first: str, count: int = 8) -> list[str]:
    """The items submissions go to: the plan's and others like it (online, for persons, a published
    form, no situation questions), with case numbers left today. A city's submissions spread over
    its items; all on one item would queue on one case number counter, which also runs out at
    9,999 a day."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from tongban.applications.models import ApplicationForm, CaseNumberCounter
    from tongban.applications.numbering import MAX_SERIAL
    from tongban.catalog.models import ServiceItem

    used_up = CaseNumberCounter.objects.filter(
        implementation_code=OuterRef("implementation_code"),
        day=timezone.localdate(),
        last_serial__gte=MAX_SERIAL - 2000,
    )
    items = (
        ServiceItem.objects.filter(
            current_version__is_online=True,
            current_version__service_object__contains="1",
            current_version__questions__isnull=True,
            forms__status=ApplicationForm.Status.PUBLISHED,
        )
        .exclude(Exists(used_up))
        .order_by("implementation_code")
        .values_list("implementation_code", flat=True)
        .distinct()
    )
    codes = [first] if items.filter(implementation_code=first).exists() else []
    return codes + [c for c in items[: count + 1] if c != first][: count - len(codes)]


def submissions_alone(meter, sessions, codes: list[str], ways: str) -> None:
    """Flat-out submissions for 20 s from 16 clients, one way: "steps" or "one call"."""
    from _submit import drive

    label = "step by step, 6 requests each" if ways == "steps" else "in one call (一次提交)"
    say(f"\n-- submissions alone, {label} (20 s, 16 clients, flat out)")
    meter.start()
    alone = drive(port=PORT, sessions=sessions, codes=codes, seconds=20, threads=16, ways=ways)
    cpu = meter.stop()
    cpu.pop("_elapsed")
    lat = alone.latencies_ms or alone.one_call_ms
    say(
        f"  {len(lat) / 20:.1f} submissions/s accepted, failed {alone.failed}"
        f"{failure_summary(alone)}; whole "
        f"submission p50 {pct(lat, 50):.0f} ms p95 {pct(lat, 95):.0f} ms p99 {pct(lat, 99):.0f} ms"
    )
    print_cpu(cpu)
    busy = sum(v for k, v in cpu.items() if k in TONGBAN_GROUPS)
    if lat:
        say(f"  Tongban CPU per submission {busy * 1000 / (len(lat) / 20):.0f} ms")


def cold_guides(url: str, script: Path, wrk_env, meter, work: Path) -> None:
    """Guide pages of random items before any is cached: the live render a first visitor waits
    for (after a publish, until the worker has rendered the guides again)."""
    say("\n-- guide pages not yet in the page cache (10 s, random items)")
    meter.start()
    _out, wrk_cpu = run_wrk(url, 10, CONNECTIONS, script, wrk_env)
    cpu = meter.stop()
    cpu["load generator"] = wrk_cpu / cpu.pop("_elapsed")
    samples, errors = read_mix_logs(work).get("guide", ([], 0))
    rps = len(samples) / 10
    say(
        f"  {rps:.0f} requests/s, p50 {pct(samples, 50):.0f} ms, p95 {pct(samples, 95):.0f} ms, "
        f"errors {errors}"
    )
    print_cpu(cpu, rps)


def warm_guide_pages() -> None:
    """As after a deployment (`tongban warm_guides`) or a publish (the worker's warm-up): every
    guide page rendered into the page cache before the mix, as a running portal has them."""
    from tongban.catalog import warmup

    started, cpu = time.perf_counter(), time.process_time()
    rendered = warmup.warm_guides()
    say(
        f"\nguide pages rendered ahead of visitors (tongban warm_guides): {rendered:,} in "
        f"{time.perf_counter() - started:.0f} s, {time.process_time() - cpu:.0f} s CPU"
    )


def static_check() -> None:
    """Static files: compressed, fingerprinted and cacheable for a year (WhiteNoise)."""
    import http.client

    from django.contrib.staticfiles.storage import staticfiles_storage

    path = staticfiles_storage.url("tongban/tongban.css")
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
    response = conn.getresponse()
    response.read()
    conn.close()
    say(
        f"static files: {path} {response.status}, Content-Encoding "
        f"{response.headers.get('Content-Encoding', 'none')}, Cache-Control "
        f"{response.headers.get('Cache-Control', 'none')}"
    )


def code_version() -> str:
    git = shutil.which("git")
    if not git:
        return "unknown (no git)"
    head = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return f"commit {head}" + (" with uncommitted changes in the working tree" if dirty else "")


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    problem = check_services()
    if problem:
        say(f"capacity: not run — {problem}")
        return 1
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tongban-capacity-"))
    data_dir = STATE_DIR / "data"
    data_dir.mkdir(exist_ok=True)
    env = production_env(data_dir)
    import redis

    load1 = os.getloadavg()[0]
    say(
        f"machine: {os.cpu_count()} cores, load average before the run {load1:.2f}; "
        f"code: {code_version()}"
    )
    plan = prepare(env)
    # Emptied after generating: the demo data's publishes queue the worker's guide warm-up, which
    # would otherwise run during the live guide pages below and be counted in their CPU.
    redis.Redis.from_url(REDIS).flushdb()

    from django.utils import timezone

    owners = [int(k) for k in plan["cases_by_owner"]]
    random.Random(9).shuffle(owners)
    browsing = make_sessions(owners[:2000])
    by_user = dict(zip(sorted(owners[:2000]), browsing, strict=True))
    submit_users = plan["spare"][:64]
    submit_codes = submission_items(plan["submit_code"])
    csrf = secrets.token_hex(16)
    submit_sessions = [(s, csrf) for s in make_sessions(submit_users)]
    mix_data = write_mix_data(work, plan, by_user, csrf)
    wrk_env = {**os.environ, "TONGBAN_BENCH_MIX_DATA": str(mix_data)}
    script = HERE / "_mix.lua"
    url = f"http://127.0.0.1:{PORT}"

    procs = start_server(env, work)
    try:
        meter = CpuMeter(
            {"server": procs["web"].pid, "worker": procs["worker"].pid, "beat": procs["beat"].pid},
            {"database": ("postgres",), "redis": ("redis-server",)},
        )
        from _submit import drive

        say(
            f"server: Granian {env.get('TONGBAN_WEB_WORKERS', 'one per core')} workers × "
            f"{env.get('TONGBAN_WEB_THREADS', '4')} threads, Celery worker 4 threads, beat; "
            f"wrk {CONNECTIONS} connections"
        )
        static_check()
        cold_data = write_mix_data(
            work, {**plan, "hot": plan["codes"]}, by_user, csrf, [("guide", 1)], "cold-data.lua"
        )
        cold_env = {**os.environ, "TONGBAN_BENCH_MIX_DATA": str(cold_data)}
        cold_guides(url, script, cold_env, meter, work)
        warm_guide_pages()
        run_wrk(url, 10, CONNECTIONS, script, wrk_env)  # warm-up: caches, search index, connections
        read_mix_logs(work)

        say("\n-- trivial Django view (/healthz, 15 s)")
        meter.start()
        out, wrk_cpu = run_wrk(f"{url}/healthz", 15, CONNECTIONS, None, wrk_env)
        cpu = meter.stop()
        trivial = wrk_rps(out)
        cpu["load generator"] = wrk_cpu / cpu.pop("_elapsed")
        say(f"  {trivial:.0f} requests/s  {wrk_socket_errors(out)}")
        print_cpu(cpu, trivial)

        say(f"\n-- mixed load ({SECONDS} s)")
        pages = PageCount(work)
        import threading

        result = {}
        submitter = threading.Thread(
            target=lambda: result.update(
                outcome=drive(
                    port=PORT,
                    sessions=submit_sessions,
                    codes=submit_codes,
                    seconds=SECONDS,
                    threads=8,
                    # 2% of user actions: as many submissions as 2/98 of the pages answered so far
                    allowed=lambda: pages() * SUBMISSION_SHARE / (1 - SUBMISSION_SHARE),
                    ways="both",
                )
            )
        )
        meter.start()
        submitter.start()
        out, wrk_cpu = run_wrk(url, SECONDS, CONNECTIONS, script, wrk_env)
        submitter.join()
        cpu = meter.stop()
        elapsed = cpu.pop("_elapsed")
        cpu["load generator"] = wrk_cpu / elapsed
        by_kind = read_mix_logs(work)
        outcome = result["outcome"]
        total, errors = print_latency_table(by_kind, SECONDS, outcome)
        mix_rps = (total + outcome.requests) / SECONDS
        say(
            "  * half the submission clients go step by step (6 API requests: create, 2 pages, "
            "2 uploads, submit), half in one call (one request with the files); a submission's "
            f"latency is the whole sequence; failed submissions {outcome.failed}"
        )
        say(
            f"  requests/s on the mix {mix_rps:.0f} (wrk {total / SECONDS:.0f} + submission API "
            f"{outcome.requests / SECONDS:.0f}, {len(outcome.accepted) / SECONDS:.1f} "
            f"submissions/s, {100 * len(outcome.accepted) / max(total + len(outcome.accepted), 1):.1f}% "
            f"of user actions); errors {errors + outcome.failed}; "
            f"{wrk_socket_errors(out)}"
        )
        say(
            f"  trivial view {trivial:.0f} requests/s: the mix costs {trivial / max(mix_rps, 1):.1f}× "
            f"a trivial view"
        )
        every = [s for samples, _ in by_kind.values() for s in samples]
        mean_s = (sum(every) / len(every) / 1000) if every else 0
        say(
            f"  equivalent concurrent online users at {THINK_SECONDS} s think time: "
            f"{mix_rps * (THINK_SECONDS + mean_s):,.0f}"
        )
        print_cpu(cpu, mix_rps)

        for ways in ("steps", "one call"):
            submissions_alone(meter, submit_sessions, submit_codes, ways)

        say(
            "\n-- submissions while workers are killed with SIGKILL (30 s, 16 clients, half of "
            "them in one call)"
        )
        since = timezone.now()
        holder = {}
        killer_log = []

        def chaos():
            time.sleep(8)
            children = [p for p, (_, ppid, _) in _all_procs().items() if ppid == procs["web"].pid]
            if children:
                victim = random.choice(children)
                os.kill(victim, signal.SIGKILL)
                killer_log.append(f"web worker {victim} killed at 8 s")
            time.sleep(4)
            os.killpg(procs["worker"].pid, signal.SIGKILL)
            procs["worker"].wait()
            killer_log.append("Celery worker killed at 12 s")
            time.sleep(4)
            restart_worker(env, work, procs)
            killer_log.append("Celery worker restarted at 16 s")

        chaos_thread = threading.Thread(target=chaos)
        chaos_thread.start()
        holder["outcome"] = drive(
            port=PORT,
            sessions=submit_sessions,
            codes=submit_codes,
            seconds=30,
            threads=16,
            ways="both",
        )
        chaos_thread.join()
        say("  " + "; ".join(killer_log))
        say(f"  {len(holder['outcome'].accepted) / 30:.1f} submissions/s accepted during the test")
        check_submissions(holder["outcome"], submit_users, since, wait_seconds=240)
    finally:
        stop_server(procs)
        if os.environ.get("TONGBAN_BENCH_KEEP") != "1":
            from django.db import connections

            connections.close_all()
            drop_database()
            shutil.rmtree(STATE_DIR / "data", ignore_errors=True)
            (STATE_DIR / "plan.json").unlink(missing_ok=True)
            (STATE_DIR / "secrets.json").unlink(missing_ok=True)
            redis.Redis.from_url(REDIS).flushdb()  # the bench's sessions and cached pages
        shutil.rmtree(work, ignore_errors=True)
    say(
        f"\ngeneration: {plan['items']:,} items, {plan['citizens']:,} citizens, {plan['cases']:,} "
        f"cases in {plan['generation_seconds']:.0f} s (scale {SCALE})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
