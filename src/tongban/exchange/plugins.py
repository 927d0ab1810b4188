"""Providers (kind "exchange_provider"): what answers queries for a resource.

A resource version names its provider plugin and options. Two ship here:
- local_table: rows the platform holds as bulk-loaded copies (LocalRecord), found by blind index;
- http: a department system's REST endpoint, with a timeout, retries with back-off, a circuit
  breaker per endpoint, and the answer validated against the resource's data items.

Both answer `fetch(version, items, subjects)` with {subject: {item: value} or None}; a provider
that cannot answer raises ProviderUnavailable with a reason in Chinese.
"""

import json
import threading
import time
import urllib.error
import urllib.request

from tongban.core import pii, plugins
from tongban.exchange.actions.errors import ProviderUnavailable
from tongban.exchange.models import LocalRecord
from tongban.exchange.validation import record_problems

KIND = "exchange_provider"
plugins.KINDS.setdefault(KIND, "数据共享提供方")


class ExchangeProvider(plugins.Plugin):
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
        rows = LocalRecord.objects.filter(
            resource_id=version.resource_id, subject_index__in=list(indexes)
        ).values_list("subject_index", "data")
        codes = [item.code for item in items]
        answer: dict[str, dict | None] = dict.fromkeys(subjects)
        for index, stored in rows:
            record = json.loads(pii.decrypt(stored))
            answer[indexes[index]] = {code: record.get(code) for code in codes}
        return answer


class CircuitBreaker:
    """Per endpoint and process: after `threshold` failures in a row, calls fail at once for
    `open_seconds`; then one trial call decides whether it closes again (half-open)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state: dict[str, tuple[int, float]] = {}  # key → (failures in a row, opened at)

    def allow(self, key: str, threshold: int, open_seconds: float) -> bool:
        with self._lock:
            failures, opened_at = self._state.get(key, (0, 0.0))
            if failures < threshold:
                return True
            if time.monotonic() - opened_at >= open_seconds:
                # Half-open: let this call through; a failure re-opens for another period.
                self._state[key] = (threshold - 1, 0.0)
                return True
            return False

    def success(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)

    def failure(self, key: str, threshold: int) -> None:
        with self._lock:
            failures, opened_at = self._state.get(key, (0, 0.0))
            failures += 1
            if failures >= threshold and failures - 1 < threshold:
                opened_at = time.monotonic()
            self._state[key] = (failures, opened_at)

    def reset(self) -> None:
        with self._lock:
            self._state.clear()


breaker = CircuitBreaker()


@plugins.register(KIND, "http")
class HttpProvider(ExchangeProvider):
    label = "部门系统接口（HTTP）"
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
            breaker.failure(url, threshold)
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
