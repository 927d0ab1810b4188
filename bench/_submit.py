"""Submissions with uploads through /api/v1/, for the capacity bench, in the API's two ways.

Step by step, as the mobile app does: create the draft (Idempotency-Key), fill the two pages,
upload a PDF for each required material, submit. In one call (一次提交), as a department system or
a kiosk does: the application and its files in one multipart request with an Idempotency-Key, the
required materials read once from the catalogue API. A request that fails on the network or with a
5xx (a worker killed under it) is retried with the same key, as a well-behaved client does, so
every accepted submission must exist exactly once afterwards.
"""

import http.client
import io
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

RETRIES = 8


def small_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class Outcome:
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (idempotency key, case number)
    failed: int = 0
    failures: Counter = field(
        default_factory=Counter
    )  # "step status" → how many, e.g. "submit 409"
    retries: int = 0
    requests: int = 0  # HTTP requests answered (every step of every submission)
    latencies_ms: list[float] = field(default_factory=list)  # whole submission, step by step
    one_call_ms: list[float] = field(default_factory=list)  # whole submission, in one call
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int, session: str, csrf: str, pdf: bytes, outcome: Outcome):
        self.port, self.pdf, self.outcome = port, pdf, outcome
        self.cookie = f"sessionid={session}; csrftoken={csrf}"
        self.csrf = csrf
        self.conn = None
        self.required: dict[str, list[int]] = {}  # item code → its required materials' ids

    def _call(self, method, path, body=b"", content_type="application/json", extra=None):
        headers = {
            "Cookie": self.cookie,
            "X-CSRFToken": self.csrf,
            "Content-Type": content_type,
            "X-Forwarded-For": "10.200.0.1",
            **(extra or {}),
        }
        for attempt in range(RETRIES):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                with self.outcome.lock:
                    self.outcome.requests += 1
                if response.status < 500:
                    return response.status, payload
            except (OSError, http.client.HTTPException):
                pass
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            with self.outcome.lock:
                self.outcome.retries += 1
            time.sleep(0.2 * (attempt + 1))
        return 599, b""

    def _json(self, method, path, data, extra=None):
        body = json.dumps(data).encode() if data is not None else b""
        status, payload = self._call(method, path, body, extra=extra)
        try:
            return status, json.loads(payload or b"{}")
        except ValueError:
            return status, {}

    def _multipart(self, path, fields: dict[str, str], files: list[str], extra=None):
        """POST `fields` and one copy of the scan per name in `files`, as multipart/form-data."""
        boundary = uuid.uuid4().hex
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        )
        for name in files:
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
                ).encode()
                + self.pdf
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        return self._call("POST", path, body, f"multipart/form-data; boundary={boundary}", extra)

    def _upload(self, path, material_id):
        return self._multipart(path, {"material": str(material_id)}, ["file"])

    def submit_one(self, code: str) -> bool:
        started = time.perf_counter()
        key = uuid.uuid4().hex
        status, draft = self._json(
            "POST",
            "/api/v1/applications/",
            {"implementation_code": code},
            {"Idempotency-Key": key},
        )
        if status not in (200, 201):
            return self._fail("create", status)
        base = f"/api/v1/applications/{draft['public_id']}/"
        for section, values in (
            (1, {"request_detail": "申请办理本事项，材料已上传。"}),
            (2, {"delivery_method": "window"}),
        ):
            status, _ = self._json("PUT", f"{base}sections/{section}/", {"values": values})
            if status != 200:
                return self._fail("page", status)
        for material in draft["materials"]:
            if material["required"] and not material["files"]:
                status, _ = self._upload(f"{base}files/", material["id"])
                if status != 201:
                    return self._fail("upload", status)
        status, submitted = self._json("POST", f"{base}submit/", {})
        if status != 200 or not submitted.get("case_number"):
            return self._fail("submit", status)
        with self.outcome.lock:
            self.outcome.accepted.append((key, submitted["case_number"]))
            self.outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
        return True

    def submit_in_one(self, code: str) -> bool:
        started = time.perf_counter()
        if code not in self.required:
            status, item = self._json("GET", f"/api/v1/catalog/items/{code}/", None)
            if status != 200:
                return self._fail("catalogue", status)
            self.required[code] = [m["id"] for m in item["guide"]["materials"] if m["required"]]
        application = {
            "implementation_code": code,
            "values": {
                "request_detail": "申请办理本事项，材料已上传。",
                "delivery_method": "window",
            },
        }
        key = uuid.uuid4().hex
        status, payload = self._multipart(
            "/api/v1/applications/submit/",
            {"application": json.dumps(application, ensure_ascii=False)},
            [f"material_{m}" for m in self.required[code]],
            {"Idempotency-Key": key},
        )
        submitted = json.loads(payload or b"{}") if status in (200, 201) else {}
        if not submitted.get("case_number"):
            return self._fail("one call", status)
        with self.outcome.lock:
            self.outcome.accepted.append((key, submitted["case_number"]))
            self.outcome.one_call_ms.append((time.perf_counter() - started) * 1000)
        return True

    def _fail(self, step: str, status: int) -> bool:
        with self.outcome.lock:
            self.outcome.failed += 1
            self.outcome.failures[f"{step} {status}"] += 1
        return False


def drive(
    *,
    port: int,
    sessions: list[tuple[str, str]],
    codes: list[str],
    seconds: float,
    threads: int,
    allowed: Callable[[], float] | None = None,
    ways: str = "steps",
) -> Outcome:
    """Submit from `threads` clients for `seconds`: flat out, or, with `allowed` (how many
    submissions may have begun by now), no faster than that. `ways`: "steps", "one call", or
    "both" (every other client in one call). Each client goes through the items `codes` in turn."""
    outcome, pdf = Outcome(), small_pdf()
    deadline = time.monotonic() + seconds
    begun, lock = [0], threading.Lock()

    def may_begin() -> bool:
        if allowed is None:
            return True
        with lock:
            if begun[0] < allowed():
                begun[0] += 1
                return True
        return False

    def run(n):
        session, csrf = sessions[n % len(sessions)]
        client = Client(port, session, csrf, pdf, outcome)
        in_one = ways == "one call" or (ways == "both" and n % 2 == 1)
        submit = client.submit_in_one if in_one else client.submit_one
        turn = n  # clients start on different items
        while time.monotonic() < deadline:
            if not may_begin():
                time.sleep(0.02)
                continue
            submit(codes[turn % len(codes)])
            turn += 1

    workers = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 120)
    return outcome
