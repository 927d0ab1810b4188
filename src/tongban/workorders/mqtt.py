"""IoT alerts from an MQTT broker (paho-mqtt), for deployments with TONGBAN_MQTT_URL set.

URL: mqtt://[user:password@]host[:port][/topic-prefix] (default prefix "tongban/alerts"). Each
message is an envelope {"body": "<the alert's raw JSON>", "signature": "<hex HMAC-SHA256 of body
with the sensor's key>"}, the same signature as the webhook's.

Throughput: a broker lets only a few unacknowledged QoS 1 messages be in flight to one client
(Mosquitto's max_inflight_messages, default 20), and alerts are acknowledged only after the batch
that holds them commits, so one connection carries at most 20 alerts per round trip. The
subscriber therefore opens several connections (TONGBAN_MQTT_SUBSCRIBERS, default 8) that join one
shared subscription, `$share/<group>/<prefix>/#` (MQTT v5, and Mosquitto's and most brokers'
extension of v3.1.1): the broker hands every alert to exactly one member of the group, so the
connections add up their in-flight windows without an alert being counted twice. Further
processes (on this or other machines) join the same group with their own client id.

Each connection's network thread only queues what arrives; one writer (the caller's thread, where
Django's database connection lives) takes everything queued — up to what the connections can
have in flight — verifies it and folds it per sensor in one transaction (alerts.receive_batch: one
SELECT and one UPDATE for the sensors' open orders, repeats of one sensor folded into its order),
and only then acknowledges each alert on the connection it came from, so a crash before the commit
gets them delivered again.
"""

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.db import close_old_connections

from tongban.workorders.actions import alerts

log = logging.getLogger(__name__)
DEFAULT_PREFIX = "tongban/alerts"
DEFAULT_GROUP = "tongban-workorders"
BROKER_INFLIGHT = 20  # Mosquitto's default max_inflight_messages per client
LINGER_SECONDS = 0.05  # after the first alert of a batch, wait this long for more
MAX_SUBSCRIBERS = 64


@dataclass(frozen=True)
class BrokerConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    prefix: str
    subscribers: int = 8
    group: str = DEFAULT_GROUP

    @classmethod
    def from_url(cls, url: str, subscribers: int = 8, group: str = DEFAULT_GROUP) -> "BrokerConfig":
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError("TONGBAN_MQTT_URL 应为 mqtt://[用户:密码@]主机[:端口][/主题前缀]")
        if not 1 <= subscribers <= MAX_SUBSCRIBERS:
            raise ValueError(f"MQTT 订阅连接数应为 1 至 {MAX_SUBSCRIBERS}")
        if not group or any(c in group for c in "/+#"):
            raise ValueError("MQTT 共享订阅组名不能为空，也不能含 / + #")
        return cls(
            host=parts.hostname,
            port=parts.port or 1883,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            prefix=parts.path.strip("/") or DEFAULT_PREFIX,
            subscribers=subscribers,
            group=group,
        )

    @property
    def topic(self) -> str:
        """The shared subscription every connection joins."""
        return f"$share/{self.group}/{self.prefix}/#"


def envelope(body: bytes, signature: str) -> bytes:
    """What a sensor (or gateway) publishes."""
    return json.dumps({"body": body.decode(), "signature": signature}).encode()


def open_envelope(payload: bytes) -> tuple[bytes, str]:
    try:
        message = json.loads(payload)
        return message["body"].encode(), str(message.get("signature", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return payload, ""  # verify() then refuses it with the reason


@dataclass(frozen=True)
class _Received:
    connection: int
    body: bytes
    signature: str
    mid: int
    qos: int


class Subscriber:
    """`config.subscribers` connections in one shared subscription, one writer folding batches."""

    def __init__(self, config: BrokerConfig, client_id: str = "tongban-workorders"):
        self.config = config
        self.inbox: queue.SimpleQueue[_Received] = queue.SimpleQueue()
        self.batch_size = BROKER_INFLIGHT * config.subscribers
        self.accepted = 0
        self.refused = 0
        self.batches = 0
        self.received_by = [0] * config.subscribers  # alerts each connection delivered
        self._subscribed = [threading.Event() for _ in range(config.subscribers)]
        self.clients = [self._client(n, f"{client_id}-{n}") for n in range(config.subscribers)]

    def _client(self, n: int, client_id: str) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,  # unacknowledged alerts come again after a reconnect
            manual_ack=True,
            userdata=n,
        )
        if self.config.username:
            client.username_pw_set(self.config.username, self.config.password)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_connect(self, client, n, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("MQTT connection %s refused: %s", n, reason_code)
            return
        client.subscribe(self.config.topic, qos=1)

    def _on_subscribe(self, client, n, mid, reason_codes, properties):
        if any(code.is_failure for code in reason_codes):
            log.error("MQTT subscription of connection %s refused: %s", n, reason_codes)
            return
        self._subscribed[n].set()
        log.info("MQTT connection %s subscribed to %s", n, self.config.topic)

    def _on_message(self, client, n, message):
        body, signature = open_envelope(message.payload)
        self.inbox.put(_Received(n, body, signature, message.mid, message.qos))

    def start(self, wait: float = 10.0) -> bool:
        """Connect every connection, each with its network thread; True once all have subscribed
        within `wait` seconds (the threads keep trying to connect after that)."""
        for client in self.clients:
            client.connect_async(self.config.host, self.config.port, keepalive=30)
            client.loop_start()
        deadline = time.monotonic() + wait
        return all(event.wait(max(0.0, deadline - time.monotonic())) for event in self._subscribed)

    def stop(self) -> None:
        """Fold and acknowledge what has arrived, then disconnect."""
        while self.step(timeout=0):
            pass
        for client in self.clients:
            client.disconnect()
            client.loop_stop()

    def _take(self, timeout: float) -> list[_Received]:
        """What has arrived: blocks up to `timeout` for the first alert, then lingers briefly for
        more, up to what the connections can have in flight together."""
        try:
            batch = [self.inbox.get(timeout=timeout) if timeout else self.inbox.get_nowait()]
        except queue.Empty:
            return []
        deadline = time.monotonic() + LINGER_SECONDS
        while len(batch) < self.batch_size:
            left = deadline - time.monotonic()
            try:
                batch.append(self.inbox.get(timeout=left) if left > 0 else self.inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def step(self, timeout: float = 0.5) -> int:
        """Fold one batch and acknowledge it; how many alerts it held (0: nothing arrived)."""
        batch = self._take(timeout)
        if not batch:
            return 0
        close_old_connections()
        _accepted, refused = alerts.receive_batch([(m.body, m.signature) for m in batch])
        self.batches += 1
        self.accepted += len(batch) - len(refused)
        self.refused += len(refused)
        for reason in set(refused):
            log.warning("MQTT alert refused: %s", reason)
        for m in batch:
            self.received_by[m.connection] += 1
            if m.qos:
                self.clients[m.connection].ack(m.mid, m.qos)
        return len(batch)

    def run_forever(self) -> None:
        if not self.start():
            log.warning("MQTT: not every connection has subscribed yet; retrying in the background")
        try:
            while True:
                self.step()
        finally:
            self.stop()
