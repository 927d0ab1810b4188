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
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tongban.core import audit
from tongban.workorders import geo
from tongban.workorders.actions.common import history
from tongban.workorders.actions.intake import auto_dispatch, next_number
from tongban.workorders.codes import SYSTEM, Channel, Kind
from tongban.workorders.models import Sensor, WorkOrder

MAX_BODY = 4096


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
        sensor = Sensor.objects.filter(code=code).select_related("category").first()
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
        category=sensor.category,
        sensor=sensor,
        alert_key=sensor.code,
        alert_count=count,
        last_alert_at=now,
    )
    history(order, "register", "", actor=None, as_kind=SYSTEM, note=f"物联感知告警：{sensor.name}")
    audit.record(
        "workorders.register", obj=order, detail={"channel": Channel.IOT, "sensor": sensor.code}
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
    """The sensors a batch names, fetched in one query (unknown codes map to None)."""
    codes = set()
    for body, _signature in messages:
        try:
            code = json.loads(body).get("sensor")
        except (ValueError, UnicodeDecodeError, AttributeError):
            continue
        if isinstance(code, str):
            codes.add(code)
    found = {s.code: s for s in Sensor.objects.filter(code__in=codes).select_related("category")}
    return {code: found.get(code) for code in codes}


def receive_batch(messages: list[tuple[bytes, str]]) -> tuple[list[Accepted], list[str]]:
    """Many alerts (the MQTT subscriber's batch): verified one by one, then folded per sensor in one
    transaction, so a burst of repeats costs one write per sensor and one commit per batch.
    Returns what was accepted and the refusals."""
    refused, per_sensor, first_alert = [], Counter(), {}
    sensors, looked_up = {}, _sensors_named_in(messages)
    for body, signature in messages:
        try:
            sensor, alert = verify(body, signature, looked_up)
        except AlertRejected as error:
            refused.append(str(error))
            continue
        per_sensor[sensor.code] += 1
        sensors[sensor.code] = sensor
        first_alert.setdefault(sensor.code, alert)
    with transaction.atomic():
        accepted = [
            record(sensors[code], first_alert[code], count) for code, count in per_sensor.items()
        ]
    return accepted, refused
