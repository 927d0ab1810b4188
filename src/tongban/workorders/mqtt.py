"""IoT alerts from an MQTT broker (paho-mqtt), for deployments with TONGBAN_MQTT_URL set.

URL: mqtt://[user:password@]host[:port][/topic-prefix] (default prefix "tongban/alerts"); the
subscriber listens on "<prefix>/#" with QoS 1. Each message is an envelope
{"body": "<the alert's raw JSON>", "signature": "<hex HMAC-SHA256 of body with the sensor's key>"},
the same signature as the webhook's. Messages are collected for a short moment and folded per sensor
in one transaction (alerts.receive_batch); they are acknowledged to the broker only after that
transaction commits (manual acks), so a crash before the commit gets them delivered again.
"""

import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from tongban.workorders.actions import alerts

log = logging.getLogger(__name__)
DEFAULT_PREFIX = "tongban/alerts"
BATCH_SECONDS = 0.2
BATCH_SIZE = 20  # Mosquitto keeps at most 20 unacknowledged QoS 1 messages in flight per client


@dataclass(frozen=True)
class BrokerConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    topic: str

    @classmethod
    def from_url(cls, url: str) -> "BrokerConfig":
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError("TONGBAN_MQTT_URL 应为 mqtt://[用户:密码@]主机[:端口][/主题前缀]")
        prefix = parts.path.strip("/") or DEFAULT_PREFIX
        return cls(
            host=parts.hostname,
            port=parts.port or 1883,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            topic=f"{prefix}/#",
        )


def envelope(body: bytes, signature: str) -> bytes:
    """What a sensor (or gateway) publishes."""
    return json.dumps({"body": body.decode(), "signature": signature}).encode()


def open_envelope(payload: bytes) -> tuple[bytes, str]:
    try:
        message = json.loads(payload)
        return message["body"].encode(), str(message.get("signature", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return payload, ""  # verify() then refuses it with the reason


class Subscriber:
    def __init__(self, config: BrokerConfig, client_id: str = "tongban-workorders"):
        self.config = config
        self.pending: list[tuple[bytes, str, int, int]] = []  # body, signature, mid, qos
        self.first_pending_at = 0.0
        self.accepted = 0
        self.refused = 0
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            manual_ack=True,
        )
        if config.username:
            self.client.username_pw_set(config.username, config.password)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message

    def connect(self) -> None:
        self.client.connect(self.config.host, self.config.port, keepalive=30)

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        client.subscribe(self.config.topic, qos=1)
        log.info("MQTT subscribed to %s", self.config.topic)

    def _on_message(self, client, userdata, message):
        body, signature = open_envelope(message.payload)
        if not self.pending:
            self.first_pending_at = time.monotonic()
        self.pending.append((body, signature, message.mid, message.qos))

    def flush(self) -> None:
        """Fold what has arrived, then acknowledge it."""
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        close_old_connections()
        _accepted, refused = alerts.receive_batch([(body, sig) for body, sig, _mid, _qos in batch])
        self.accepted += len(batch) - len(refused)
        self.refused += len(refused)
        for reason in set(refused):
            log.warning("MQTT alert refused: %s", reason)
        for _body, _sig, mid, qos in batch:
            if qos:
                self.client.ack(mid, qos)

    def due(self) -> bool:
        return bool(self.pending) and (
            len(self.pending) >= BATCH_SIZE
            or time.monotonic() - self.first_pending_at >= BATCH_SECONDS
        )

    def step(self, timeout: float = 0.05) -> None:
        """One round of network work and, when due, one batch. Runs in the caller's thread, so
        the database work happens where Django's connection lives."""
        self.client.loop(timeout=timeout)
        if self.due():
            self.flush()

    def run_forever(self) -> None:
        self.connect()
        while True:
            self.step()
