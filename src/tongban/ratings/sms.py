"""Inbound SMS from the gateway plugin (短信二次评价).

The gateway POSTs JSON {"from": phone, "text": reply, "ts": unix seconds} to /ratings/sms/inbound
with the header X-Tongban-Signature: hex HMAC-SHA256 of the raw body keyed with
settings.SMS_WEBHOOK_SECRET. The embedded simulator signs the same way and goes through the same
check, so demos and tests exercise the real path.
"""

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings

from tongban.core import pii
from tongban.ratings import actions

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tongban-Signature"
MAX_SKEW_SECONDS = 300


def simulator_enabled() -> bool:
    """The embedded simulator stands in for a gateway only when no real one is configured: with
    the demo "log" SMS plugin. With a real gateway the page and its link disappear."""
    from tongban.core.plugins import active_config

    config = active_config("sms")
    return config is not None and config["name"] == "log"


def sign(body: bytes) -> str:
    return hmac.new(settings.SMS_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def build(phone: str, text: str, ts: int | None = None) -> tuple[bytes, str]:
    """A signed request body, as the gateway would send it."""
    body = json.dumps(
        {"from": phone, "text": text, "ts": int(ts if ts is not None else time.time())},
        ensure_ascii=False,
    ).encode()
    return body, sign(body)


def handle(body: bytes, signature: str | None, now: float | None = None) -> tuple[int, dict]:
    """(HTTP status, JSON answer) for one inbound message. Never raises on bad input."""
    if not signature or not hmac.compare_digest(sign(body), signature.strip().lower()):
        log.warning("inbound SMS rejected: bad or missing signature")
        return 403, {"status": "rejected", "reason": "bad_signature"}
    try:
        payload = json.loads(body.decode())
        phone, text, ts = str(payload["from"]), str(payload.get("text", "")), float(payload["ts"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return 400, {"status": "rejected", "reason": "malformed"}
    now = time.time() if now is None else now
    if abs(now - ts) > MAX_SKEW_SECONDS:
        return 400, {"status": "rejected", "reason": "stale"}
    result = actions.receive_sms(phone[:20], text[:70])
    log.info("inbound SMS from %s: %s", pii.mask_phone(phone), result["reason"])
    return 200, result
