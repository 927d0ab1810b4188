"""IoT alerts (积水、井盖位移、烟感 …) from the HTTP webhook and the MQTT subscriber.

An alert is the raw JSON body `{"sensor": "<code>", "value": …, "at": …}` signed with the sensor's
own secret: HMAC-SHA256 over the raw bytes, hex. Unknown, disabled or badly signed alerts are
refused with the reason. While a sensor's order is open, its repeats fold into it (alert_count +
last_alert_at): the order's alert_key column is unique, so two workers receiving the first alert at
the same moment cannot both create an order — the loser's insert fails and it folds instead.
"""

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from tongban.core import audit
from tongban.workorders import geo
from tongban.workorders import sensors as sensor_cache
from tongban.workorders.actions.common import history
from tongban.workorders.actions.intake import auto_dispatch, next_number
from tongban.workorders.audit_actions import AuditAction
from tongban.workorders.codes import SYSTEM, Channel, Kind
from tongban.workorders.models import Sensor, WorkOrder

MAX_BODY = 4096
MAX_BATCH = 1000  # alerts in one webhook request (a gateway's batch)
MAX_BATCH_BYTES = 1_000_000


class AlertRejected(Exception):
    """The alert is refused; str() is the reason in Chinese."""


@dataclass(frozen=True)
class Accepted:
    sensor_code: str
    order_number: str
    created: bool


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, sensors: dict | None = None) -> tuple[Sensor, dict]:
    """The sensor and the parsed alert, or AlertRejected with the reason. `sensors` caches the
    look-up (and the decrypted secret) across one batch."""
    if not body or len(body) > MAX_BODY:
        raise AlertRejected("告警内容为空或过长")
    try:
        alert = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise AlertRejected("告警内容不是有效的 JSON") from error
    code = alert.get("sensor") if isinstance(alert, dict) else None
    if not isinstance(code, str) or not code:
        raise AlertRejected("告警缺少设备编码（sensor）")
    if sensors is not None and code in sensors:
        sensor = sensors[code]
    else:
        sensor = sensor_cache.get(code)
        if sensors is not None:
            sensors[code] = sensor
    if sensor is None:
        raise AlertRejected(f"未登记的设备：{code[:40]}")
    if not sensor.is_active:
        raise AlertRejected(f"设备已停用：{code[:40]}")
    if not signature or not hmac.compare_digest(
        sign(sensor.secret, body), signature.strip().lower()
    ):
        raise AlertRejected("告警签名无效")
    return sensor, alert


def _fold(sensor: Sensor, count: int, now) -> WorkOrder | None:
    updated = WorkOrder.objects.filter(alert_key=sensor.code).update(
        alert_count=F("alert_count") + count, last_alert_at=now
    )
    if not updated:
        return None
    return WorkOrder.objects.only("pk", "number").get(alert_key=sensor.code)


def _open_order(sensor: Sensor, alert: dict, count: int, now) -> WorkOrder:
    value = alert.get("value")
    text = sensor.alert_text + (f"（读数：{str(value)[:40]}）" if value not in (None, "") else "")
    place = geo.locate(sensor.lng, sensor.lat)
    order = WorkOrder.objects.create(
        number=next_number(now),
        kind=Kind.HELP,
        channel=Channel.IOT,
        urgency=sensor.urgency,
        text=f"{text}。设备：{sensor.name}（{sensor.code}）",
        address=sensor.address,
        lng=sensor.lng,
        lat=sensor.lat,
        grid_cell_id=place.grid_cell_id,
        region_id=place.region_id,
        category_id=sensor.category_id,
        sensor_id=sensor.pk,
        alert_key=sensor.code,
        alert_count=count,
        last_alert_at=now,
    )
    history(order, "register", "", actor=None, as_kind=SYSTEM, note=f"物联感知告警：{sensor.name}")
    audit.record(
        AuditAction.REGISTER, obj=order, detail={"channel": Channel.IOT, "sensor": sensor.code}
    )
    auto_dispatch(order)
    return order


def record(sensor: Sensor, alert: dict, count: int = 1) -> Accepted:
    """Fold `count` alerts of one sensor into its open order, or open one."""
    now = timezone.now()
    with transaction.atomic():
        order = _fold(sensor, count, now)
        if order is not None:
            return Accepted(sensor.code, order.number, False)
        try:
            with transaction.atomic():
                order = _open_order(sensor, alert, count, now)
            return Accepted(sensor.code, order.number, True)
        except IntegrityError:
            # another worker opened the order between our UPDATE and INSERT: fold into it
            order = _fold(sensor, count, now)
            if order is None:
                raise
            return Accepted(sensor.code, order.number, False)


def receive(body: bytes, signature: str) -> Accepted:
    """One alert from the webhook."""
    sensor, alert = verify(body, signature)
    return record(sensor, alert)


def _sensors_named_in(messages) -> dict:
    """The sensors a batch names (unknown codes map to None): from the process's short-lived
    sensor cache, the rest in one query."""
    codes = set()
    for body, _signature in messages:
        try:
            code = json.loads(body).get("sensor")
        except (ValueError, UnicodeDecodeError, AttributeError):
            continue
        if isinstance(code, str):
            codes.add(code)
    return sensor_cache.get_many(codes)


@dataclass
class BatchResult:
    accepted: list[Accepted] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (position in the batch, reason)
    alerts: int = 0  # how many alerts were accepted (repeats included)


def check_batch(messages: list[tuple[bytes, str]]) -> BatchResult:
    """Verify every alert of a batch and fold the good ones per sensor in one transaction."""
    result, per_sensor, first_alert, sensors = BatchResult(), Counter(), {}, {}
    looked_up = _sensors_named_in(messages)
    for index, (body, signature) in enumerate(messages):
        try:
            sensor, alert = verify(body, signature, looked_up)
        except AlertRejected as error:
            result.refused.append((index, str(error)))
            continue
        per_sensor[sensor.code] += 1
        sensors[sensor.code] = sensor
        first_alert.setdefault(sensor.code, alert)
    result.alerts = sum(per_sensor.values())
    if per_sensor:
        result.accepted = _fold_batch(sensors, first_alert, per_sensor)
    return result


class _Raced(Exception):
    """An open order was closed between reading and folding: fold the batch sensor by sensor."""


def _fold_batch(sensors: dict, first_alert: dict, per_sensor: Counter) -> list[Accepted]:
    """Repeats of sensors with an open order: one SELECT (rows locked) and one UPDATE for the whole
    batch; a sensor without one opens its order (record() handles a concurrent first alert)."""
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                open_orders = dict(
                    WorkOrder.objects.select_for_update()
                    .filter(alert_key__in=list(per_sensor))
                    .values_list("alert_key", "number")
                )
                if open_orders:
                    added = Case(
                        *[
                            When(alert_key=code, then=Value(per_sensor[code]))
                            for code in open_orders
                        ],
                        default=Value(0),
                        output_field=models.PositiveIntegerField(),
                    )
                    updated = WorkOrder.objects.filter(alert_key__in=list(open_orders)).update(
                        alert_count=F("alert_count") + added, last_alert_at=now
                    )
                    if updated != len(open_orders):
                        raise _Raced
        except _Raced:
            return [record(sensors[c], first_alert[c], n) for c, n in per_sensor.items()]
        accepted = [Accepted(code, number, False) for code, number in open_orders.items()]
        for code, count in per_sensor.items():
            if code not in open_orders:
                accepted.append(record(sensors[code], first_alert[code], count))
    return accepted


def receive_batch(messages: list[tuple[bytes, str]]) -> tuple[list[Accepted], list[str]]:
    """Many alerts (the MQTT subscriber's batch): verified one by one, then folded per sensor in one
    transaction, so a burst of repeats costs one write per batch and one commit.
    Returns what was accepted and the refusals."""
    result = check_batch(messages)
    return result.accepted, [reason for _index, reason in result.refused]


def parse_envelopes(body: bytes) -> list[tuple[bytes, str]]:
    """A webhook batch: a JSON array of {"body": "<the alert's raw JSON>", "signature": "<hex>"},
    the same envelope as on MQTT. Raises AlertRejected when the array itself is unusable; an
    unusable element is kept (empty body) so that it is refused with its position."""
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise AlertRejected("批量告警不是有效的 JSON 数组") from error
    if not isinstance(items, list) or not items:
        raise AlertRejected("批量告警应为非空 JSON 数组")
    if len(items) > MAX_BATCH:
        raise AlertRejected(f"一次最多提交{MAX_BATCH}条告警")
    messages = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("body"), str):
            messages.append((item["body"].encode(), str(item.get("signature") or "")))
        else:
            messages.append((b"", ""))
    return messages
