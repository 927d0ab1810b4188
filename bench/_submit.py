"""Submissions with uploads through /api/v1/, as the mobile app makes them, for the capacity bench.

One submission: create the draft (Idempotency-Key), fill the two pages, upload a PDF for each
required material, submit. A step that fails on the network or with a 5xx (a worker killed under
it) is retried with the same key and on the same draft, as a well-behaved client does, so every
accepted submission must exist exactly once afterwards.
"""

import http.client
import io
import json
import threading
import time
import uuid
from collections import Counter
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
    latencies_ms: list[float] = field(default_factory=list)  # whole submission, five+ requests
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, port: int, session: str, csrf: str, pdf: bytes, outcome: Outcome):
        self.port, self.pdf, self.outcome = port, pdf, outcome
        self.cookie = f"sessionid={session}; csrftoken={csrf}"
        self.csrf = csrf
        self.conn = None

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
        status, payload = self._call(method, path, json.dumps(data).encode(), extra=extra)
        try:
            return status, json.loads(payload or b"{}")
        except ValueError:
            return status, {}

    def _upload(self, path, material_id):
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="material"\r\n\r\n'
                f"{material_id}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f'name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + self.pdf
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self._call("POST", path, body, f"multipart/form-data; boundary={boundary}")

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

    def _fail(self, step: str, status: int) -> bool:
        with self.outcome.lock:
            self.outcome.failed += 1
            self.outcome.failures[f"{step} {status}"] += 1
        return False


def drive(
    *,
    port: int,
    sessions: list[tuple[str, str]],
    code: str,
    seconds: float,
    threads: int,
    rate: float | None = None,
) -> Outcome:
    """Submit from `threads` clients for `seconds`: flat out, or paced to `rate` per second."""
    outcome, pdf = Outcome(), small_pdf()
    deadline = time.monotonic() + seconds
    interval = threads / rate if rate else 0.0

    def run(n):
        session, csrf = sessions[n % len(sessions)]
        client = Client(port, session, csrf, pdf, outcome)
        next_at = time.monotonic() + (interval * n / threads if interval else 0)
        while time.monotonic() < deadline:
            if interval:
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                next_at += interval
            if time.monotonic() >= deadline:
                break
            client.submit_one(code)

    workers = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 120)
    return outcome
