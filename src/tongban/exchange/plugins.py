"""Providers (kind "exchange_provider"): what answers queries for a resource.

A resource version names its provider plugin and options. Two ship here:
- local_table: rows the platform holds as bulk-loaded copies (LocalRecord), found by blind index;
- http: a department system's REST endpoint, with a timeout, retries with back-off, a circuit
  breaker per endpoint shared by all processes (in the cache), and the answer validated against the resource's data items.

Both answer `fetch(version, items, subjects)` with {subject: {item: value} or None}; a provider
that cannot answer raises ProviderUnavailable with a reason in Chinese.
"""

import hashlib
import json
import time
import urllib.error
import urllib.request

from django.core.cache import caches
from django.db import connection

from tongban.core import pii, plugins
from tongban.exchange.actions.errors import ProviderUnavailable
from tongban.exchange.models import LocalRecord
from tongban.exchange.validation import record_problems

KIND = "exchange_provider"
plugins.KINDS.setdefault(KIND, "数据共享提供方")


class ExchangeProvider(plugins.Plugin):
    # True when fetch waits on another system and reads nothing through the platform's database
    # connection (the cache aside): a caller may then ask it from a worker thread.
    remote = False

    def fetch(self, version, items: list, subjects: list[str]) -> dict[str, dict | None]:
        raise NotImplementedError


def subject_index(version, subject: str) -> str:
    """Local copies are keyed by the same blind index the call log and the accounts use."""
    return pii.blind_index(subject, version.subject_kind)


@plugins.register(KIND, "local_table")
class LocalTableProvider(ExchangeProvider):
    label = "平台本地副本（批量装载）"

    def fetch(self, version, items, subjects):
        indexes = {subject_index(version, s): s for s in subjects}
        # One plain statement: this is every local-table call's only read.
        marks = ", ".join(["%s"] * len(indexes))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT subject_index, data FROM {LocalRecord._meta.db_table} "  # noqa: S608 (table name from the model; values are parameters)
                f"WHERE resource_id = %s AND subject_index IN ({marks})",
                [version.resource_id, *indexes],
            )
            rows = cursor.fetchall()
        codes = [item.code for item in items]
        answer: dict[str, dict | None] = dict.fromkeys(subjects)
        for index, stored in rows:
            record = json.loads(pii.decrypt(stored))
            answer[indexes[index]] = {code: record.get(code) for code in codes}
        return answer


class CircuitBreaker:
    """Per endpoint, shared by every process (web workers, Celery workers): the state lives in the
    cache — Redis when configured, the database cache otherwise. After `threshold` failures in a
    row, calls fail at once for `open_seconds`; then one trial call, across all processes (the
    cache's atomic `add` picks it), decides whether it closes again (half-open)."""

    PREFIX = "exchange:breaker:"
    # Failures in a row are forgotten after a quiet day, so an endpoint that failed now and then
    # over weeks is not opened by the sum of them.
    MEMORY_SECONDS = 24 * 3600

    def __init__(self, alias: str = "default"):
        self.alias = alias

    @property
    def _cache(self):
        return caches[self.alias]

    def _keys(self, endpoint: str) -> tuple[str, str, str]:
        # The URL may hold a path or query string; the cache key holds only its digest.
        name = self.PREFIX + hashlib.sha256(endpoint.encode()).hexdigest()[:32]
        return f"{name}:failures", f"{name}:open", f"{name}:trial"

    def allow(self, endpoint: str, threshold: int, open_seconds: float) -> bool:
        failures_key, open_key, trial_key = self._keys(endpoint)
        state = self._cache.get_many([failures_key, open_key])
        if state.get(open_key):
            return False
        if int(state.get(failures_key) or 0) < max(threshold, 1):
            return True
        # Half-open: the period is over; exactly one caller anywhere gets the trial call.
        return self._cache.add(trial_key, 1, timeout=max(int(open_seconds), 1))

    def success(self, endpoint: str) -> None:
        self._cache.delete_many(list(self._keys(endpoint)))

    def failure(self, endpoint: str, threshold: int, open_seconds: float) -> None:
        failures_key, open_key, trial_key = self._keys(endpoint)
        self._cache.add(failures_key, 0, timeout=self.MEMORY_SECONDS)
        try:
            failures = self._cache.incr(failures_key)
        except ValueError:  # expired between add and incr
            self._cache.set(failures_key, 1, timeout=self.MEMORY_SECONDS)
            failures = 1
        if failures >= max(threshold, 1):
            self._cache.set(open_key, 1, timeout=max(int(open_seconds), 1))
            self._cache.delete(trial_key)

    def is_open(self, endpoint: str) -> bool:
        return bool(self._cache.get(self._keys(endpoint)[1]))

    def reset(self, endpoint: str) -> None:
        self.success(endpoint)


breaker = CircuitBreaker()


@plugins.register(KIND, "http")
class HttpProvider(ExchangeProvider):
    label = "部门系统接口（HTTP）"
    remote = True
    options = (
        plugins.Option("url", "查询接口地址", required=True),
        plugins.Option("token", "接口令牌", secret=True, default=""),
        plugins.Option("timeout", "超时（秒）", default=3.0),
        plugins.Option("retries", "重试次数", default=2),
        plugins.Option("backoff", "首次重试等待（秒），之后每次翻倍", default=0.2),
        plugins.Option("failure_threshold", "连续失败几次后熔断", default=5),
        plugins.Option("open_seconds", "熔断持续（秒）", default=30),
    )

    @classmethod
    def check_config(cls, options):
        problems = super().check_config(options)
        url = str(options.get("url") or "")
        if url and not url.startswith(("http://", "https://")):
            problems.append("查询接口地址必须以 http:// 或 https:// 开头")
        for name in ("timeout", "retries", "backoff", "failure_threshold", "open_seconds"):
            value = options.get(name)
            if value is not None and (not isinstance(value, int | float) or value < 0):
                problems.append(f"配置项 {name} 必须是非负数")
        return problems

    def fetch(self, version, items, subjects):
        url = self.config["url"]
        threshold = int(self.config["failure_threshold"])
        if not breaker.allow(url, threshold, float(self.config["open_seconds"])):
            raise ProviderUnavailable("提供方接口连续故障，已暂停调用（熔断中）")
        body = json.dumps(
            {
                "resource": version.resource.code,
                "items": [i.code for i in items],
                "subjects": subjects,
            }
        ).encode()
        try:
            answer = self._call_with_retries(url, body)
            records = self._validated(answer, items, subjects)
        except ProviderUnavailable:
            breaker.failure(url, threshold, float(self.config["open_seconds"]))
            raise
        breaker.success(url)
        return records

    def _call_with_retries(self, url: str, body: bytes) -> dict:
        attempts = int(self.config["retries"]) + 1
        delay = float(self.config["backoff"])
        problem = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(delay)
                delay *= 2
            try:
                return self._call(url, body)
            except ProviderUnavailable as exc:
                problem = str(exc)
                if getattr(exc, "final", False):
                    break
        raise ProviderUnavailable(problem)

    def _call(self, url: str, body: bytes) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config["token"]:
            headers["Authorization"] = f"Bearer {self.config['token']}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (URL is configured by the administrator and checked to be http/https)
        try:
            with urllib.request.urlopen(request, timeout=float(self.config["timeout"])) as reply:  # noqa: S310
                raw = reply.read(5 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            error = ProviderUnavailable(f"提供方接口返回错误（HTTP {exc.code}）")
            error.final = 400 <= exc.code < 500  # our request is wrong: retrying cannot help
            raise error from exc
        except TimeoutError as exc:
            raise ProviderUnavailable("提供方接口超时") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise ProviderUnavailable("提供方接口超时") from exc
            raise ProviderUnavailable("无法连接提供方接口") from exc
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ProviderUnavailable("提供方返回的不是有效的 JSON") from exc

    @staticmethod
    def _validated(answer, items, subjects) -> dict[str, dict | None]:
        records = answer.get("records") if isinstance(answer, dict) else None
        if not isinstance(records, dict):
            raise ProviderUnavailable("提供方应答缺少 records")
        result: dict[str, dict | None] = {}
        for subject in subjects:
            record = records.get(subject)
            if record is None:
                result[subject] = None
                continue
            if not isinstance(record, dict):
                raise ProviderUnavailable("提供方应答的记录格式不正确")
            record = {item.code: record.get(item.code) for item in items} | {
                k: v for k, v in record.items() if k not in {i.code for i in items}
            }
            problems = record_problems(items, record)
            if problems:
                detail = "；".join(f"{k}：{v}" for k, v in sorted(problems.items())[:3])
                raise ProviderUnavailable(f"提供方应答不符合资源的信息项定义（{detail}）")
            result[subject] = record
        return result


# --- real-name level 1 for identity (kind "realname_1") ---------------------------------------------
REALNAME_CONSUMER = "platform.realname"


@plugins.register("realname_1", "population")
class PopulationRealnameCheck(plugins.Plugin):
    """Level 1: the name and ID number are found together in the population data (人口基础信息),
    read through the exchange as the consumer "platform.realname" (every call logged there)."""

    label = "人口基础信息比对（数据共享交换）"
    options = (plugins.Option("resource", "人口基础信息资源代码", default="RK_RKJBXX"),)

    def check(self, *, real_name: str, id_number: str, evidence: str = ""):
        from tongban.exchange.actions import query
        from tongban.exchange.actions.errors import ExchangeDenied
        from tongban.exchange.models import Consumer
        from tongban.identity.realname import CheckResult

        consumer = Consumer.objects.filter(code=REALNAME_CONSUMER, active=True).first()
        if consumer is None:
            return CheckResult(False, "人口库比对暂未开通，请稍后再试或到窗口办理实名认证")
        try:
            result = query.query(
                consumer=consumer,
                resource_code=self.config["resource"],
                subjects=[id_number],
                items=["xm", "gmsfhm"],
                purpose="实名认证：比对姓名与公民身份号码",
            )
        except ProviderUnavailable as exc:
            return CheckResult(False, f"人口库暂时无法比对（{exc}），请稍后再试")
        except ExchangeDenied as denial:
            return CheckResult(False, f"人口库不能比对：{denial.message}")
        record = result.records.get(pii.normalise(id_number))
        if record is None:
            return CheckResult(False, "人口库中没有找到该公民身份号码")
        if (record.get("xm") or "").strip() != real_name.strip():
            return CheckResult(False, "姓名与人口库登记的不一致")
        return CheckResult(True)
