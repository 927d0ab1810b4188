import json
import socket
import time
import uuid

import paho.mqtt.client as paho
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from tongban.workorders import classifier, mqtt
from tongban.workorders.actions import alerts
from tongban.workorders.models import WorkOrder
from tongban.workorders.tests.conftest import IN_CITY, OUTSIDE, jpeg_bytes

BROKER = ("127.0.0.1", 1883)


@pytest.fixture
def api():
    cache.clear()
    return APIClient()


def test_classify_suggests_category_and_department_without_creating_an_order(city, api):
    response = api.post(
        "/api/v1/workorders/classify", {"text": "小区门口的井盖破损了"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["category"] == "CG02"
    assert body["department"]["name"] == "许昌市城市管理局"
    assert 0 < body["confidence"] <= 1
    assert not WorkOrder.objects.exists()
    empty = api.post("/api/v1/workorders/classify", {"text": "  "}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"]["text"] == ["请填写诉求内容"]


def test_classify_is_rate_limited(city, api, monkeypatch):
    from tongban.workorders import api as module

    monkeypatch.setitem(module.LIMITS, "classify", (2, 60))
    for _ in range(2):
        assert (
            api.post("/api/v1/workorders/classify", {"text": "路灯不亮"}, format="json").status_code
            == 200
        )
    refused = api.post("/api/v1/workorders/classify", {"text": "路灯不亮"}, format="json")
    assert refused.status_code == 429 and "过于频繁" in refused.json()["detail"]


def test_a_citizen_reports_with_a_photo_and_follows_the_order(city, api):
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = api.post(
        "/api/v1/workorders/",
        {
            "text": "建安大道井盖丢失，路上一个大洞",
            "phone": "17000000003",
            "lng": IN_CITY[0],
            "lat": IN_CITY[1],
            "photos": [photo],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert response.json()["department"] == "许昌市城市管理局"
    tracked = api.get("/api/v1/workorders/track", {"number": number, "phone_tail": "0003"})
    assert tracked.status_code == 200 and tracked.json()["status"] == "dispatched"
    assert (
        api.get("/api/v1/workorders/track", {"number": number, "phone_tail": "1111"}).status_code
        == 404
    )


def test_bad_reports_get_chinese_errors(city, api):
    fake = SimpleUploadedFile("p.jpg", b"not an image at all", content_type="image/jpeg")
    response = api.post(
        "/api/v1/workorders/",
        {
            "text": "",
            "phone": "17000000003",
            "lng": OUTSIDE[0],
            "lat": OUTSIDE[1],
            "photos": [fake],
        },
        format="multipart",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["text"] == ["请填写诉求内容"]
    assert "本市范围" in errors["location"][0]
    assert errors["photos"]
    assert not WorkOrder.objects.exists()


def test_the_webhook_accepts_signed_alerts_and_refuses_the_rest(city, api, sensor):
    body = json.dumps({"sensor": sensor.code, "value": "位移"}).encode()
    good = api.post(
        "/api/v1/workorders/alerts",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=alerts.sign(sensor.secret, body),
    )
    assert good.status_code == 202 and good.json()["created"] is True
    again = api.post(
        "/api/v1/workorders/alerts",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=alerts.sign(sensor.secret, body),
    )
    assert again.json() == {"order": good.json()["order"], "created": False}
    bad = api.post(
        "/api/v1/workorders/alerts",
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE="ab" * 32,
    )
    assert bad.status_code == 403 and bad.json()["detail"] == "告警签名无效"
    unknown = json.dumps({"sensor": "X-404"}).encode()
    refused = api.post(
        "/api/v1/workorders/alerts", unknown, content_type="application/json", HTTP_X_SIGNATURE="00"
    )
    assert refused.status_code == 403 and "未登记的设备" in refused.json()["detail"]
    assert WorkOrder.objects.get().alert_count == 2


def test_open311_services_and_requests(city, api):
    services = api.get("/api/v1/open311/v2/services.json").json()
    assert {"service_code": "CG02", "service_name": "井盖"}.items() <= next(
        s for s in services if s["service_code"] == "CG02"
    ).items()
    created = api.post(
        "/api/v1/open311/v2/requests.json",
        {
            "service_code": "CG03",
            "description": "学院路路灯晚上不亮，电话17000000009",
            "lat": IN_CITY[1],
            "long": IN_CITY[0],
            "phone": "17000000009",
        },
        format="json",
    )
    assert created.status_code == 201
    number = created.json()[0]["service_request_id"]
    one = api.get(f"/api/v1/open311/v2/requests/{number}.json").json()[0]
    assert one["service_code"] == "CG03" and one["status"] == "open"
    assert "17000000009" not in one["description"]  # phone numbers in the text are masked
    assert one["agency_responsible"] == "许昌市城市管理局"
    listed = api.get(
        "/api/v1/open311/v2/requests.json", {"status": "open", "service_code": "CG03"}
    ).json()
    assert [r["service_request_id"] for r in listed] == [number]
    unknown = api.post(
        "/api/v1/open311/v2/requests.json",
        {"service_code": "ZZ", "description": "x"},
        format="json",
    )
    assert unknown.status_code == 400


def test_retrain_prints_the_held_out_accuracy(city, capsys, settings, tmp_path):
    settings.WORKORDER_MODEL_DIR = str(tmp_path)
    try:
        call_command("workorders", "retrain")
        out = capsys.readouterr().out
        assert "v0001" in out and "部门准确率" in out
        assert classifier.metadata()["department_accuracy"] >= 0.9
    finally:
        classifier.forget_loaded_model()


def broker_reachable() -> bool:
    try:
        socket.create_connection(BROKER, timeout=1).close()
        return True
    except OSError:
        return False


needs_broker = pytest.mark.skipif(
    not broker_reachable(),
    reason="no MQTT broker on 127.0.0.1:1883 (.ci/run installs and starts mosquitto)",
)


def subscriber_on(prefix: str, subscribers: int, group: str) -> mqtt.Subscriber:
    subscriber = mqtt.Subscriber(
        mqtt.BrokerConfig.from_url(
            f"mqtt://{BROKER[0]}:{BROKER[1]}/{prefix}", subscribers=subscribers, group=group
        ),
        client_id=f"t-{uuid.uuid4().hex[:8]}",
    )
    assert subscriber.start(), "every connection subscribes"
    return subscriber


def publish(prefix: str, messages: list[tuple[str, bytes]]) -> None:
    publisher = paho.Client(paho.CallbackAPIVersion.VERSION2)
    publisher.max_inflight_messages_set(200)
    publisher.connect(*BROKER)
    publisher.loop_start()
    infos = [publisher.publish(f"{prefix}/{code}", payload, qos=1) for code, payload in messages]
    for info in infos:
        info.wait_for_publish(timeout=10)
    publisher.loop_stop()
    publisher.disconnect()


def drain(subscribers: list[mqtt.Subscriber], expected: int) -> None:
    """Fold until `expected` alerts were handled (or 20 s passed), then disconnect."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if sum(s.accepted + s.refused for s in subscribers) >= expected:
            break
        for subscriber in subscribers:
            subscriber.step(timeout=0.05)
    for subscriber in subscribers:
        subscriber.stop()


def signed(sensor, value="井盖位移") -> bytes:
    body = json.dumps({"sensor": sensor.code, "value": value}).encode()
    return mqtt.envelope(body, alerts.sign(sensor.secret, body))


@pytest.mark.django_db(transaction=True)
@needs_broker
def test_an_mqtt_alert_becomes_one_order_and_fifty_repeats_do_not_make_more(city, sensor):
    prefix = f"tongban-test/{uuid.uuid4().hex}"
    subscriber = subscriber_on(prefix, subscribers=3, group=uuid.uuid4().hex)
    body = json.dumps({"sensor": sensor.code, "value": "井盖位移"}).encode()
    publish(
        prefix,
        [(sensor.code, signed(sensor))] * 51 + [(sensor.code, mqtt.envelope(body, "00"))],
    )
    drain([subscriber], 52)
    orders = WorkOrder.objects.filter(sensor=sensor)
    assert orders.count() == 1
    assert orders.get().alert_count == 51  # three connections, yet every alert counted once
    assert subscriber.refused == 1


@pytest.mark.django_db(transaction=True)
@needs_broker
def test_a_shared_subscription_spreads_alerts_over_connections_and_processes_counting_each_once(
    city,
):
    """Two subscriber processes of two connections each in one group: the broker hands every alert
    to one connection only, all four carry some, repeats fold per sensor and nothing is lost."""
    from tongban.workorders.models import Sensor

    sensors = list(Sensor.objects.order_by("code"))
    assert len(sensors) >= 3
    prefix, group = f"tongban-test/{uuid.uuid4().hex}", uuid.uuid4().hex
    first, second = subscriber_on(prefix, 2, group), subscriber_on(prefix, 2, group)
    publish(prefix, [(s.code, signed(s, n)) for n in range(60) for s in sensors])
    drain([first, second], 60 * len(sensors))
    assert first.accepted + second.accepted == 60 * len(sensors)
    assert all(count > 0 for count in [*first.received_by, *second.received_by])
    orders = WorkOrder.objects.filter(sensor__in=sensors)
    assert orders.count() == len(sensors)
    assert set(orders.values_list("alert_count", flat=True)) == {60}


def test_the_mqtt_settings_are_checked():
    config = mqtt.BrokerConfig.from_url("mqtt://u:p%40ss@broker:1884/city/iot", subscribers=8)
    assert (config.host, config.port, config.username, config.password) == (
        "broker",
        1884,
        "u",
        "p@ss",
    )
    assert config.topic == "$share/tongban-workorders/city/iot/#"
    assert mqtt.Subscriber(config).batch_size == 160  # 20 in flight on each of 8 connections
    with pytest.raises(ValueError, match="应为 mqtt://"):
        mqtt.BrokerConfig.from_url("http://broker")
    with pytest.raises(ValueError, match="连接数应为 1 至 64"):
        mqtt.BrokerConfig.from_url("mqtt://broker", subscribers=0)
    with pytest.raises(ValueError, match="组名"):
        mqtt.BrokerConfig.from_url("mqtt://broker", group="a/b")


def test_the_mqtt_command_says_what_is_missing(settings):
    from django.core.management.base import CommandError

    settings.MQTT_URL = ""
    with pytest.raises(CommandError, match="未配置 TONGBAN_MQTT_URL"):
        call_command("workorders", "mqtt")
    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    with pytest.raises(CommandError, match="连接数应为 1 至 64"):
        call_command("workorders", "mqtt", "--subscribers", "99")


def envelopes(items):
    return json.dumps(
        [{"body": body.decode(), "signature": signature} for body, signature in items]
    ).encode()


def test_the_webhook_takes_a_gateways_batch_folds_it_and_answers_every_refusal(city, api, sensor):
    from tongban.workorders.models import Sensor

    other = Sensor.objects.get(code="WL-XD-001")
    body = json.dumps({"sensor": sensor.code, "value": "位移"}).encode()
    water = json.dumps({"sensor": other.code, "value": 31}).encode()
    good = (body, alerts.sign(sensor.secret, body))
    batch = [good] * 120 + [(water, alerts.sign(other.secret, water))] * 30
    batch.insert(5, (body, "ab" * 32))
    batch.insert(7, (json.dumps({"sensor": "X-404"}).encode(), "00"))
    response = api.post(
        "/api/v1/workorders/alerts", envelopes(batch), content_type="application/json"
    )
    assert response.status_code == 202
    answer = response.json()
    assert answer["accepted"] == 150 and len(answer["orders"]) == 2
    assert answer["refused"] == [
        {"index": 5, "reason": "告警签名无效"},
        {"index": 7, "reason": "未登记的设备：X-404"},
    ]
    assert WorkOrder.objects.get(sensor=sensor).alert_count == 120
    assert WorkOrder.objects.get(sensor=other).alert_count == 30
    # a second batch folds into the same two orders with one update
    again = api.post(
        "/api/v1/workorders/alerts", envelopes([good] * 10), content_type="application/json"
    )
    assert again.json() == {
        "accepted": 10,
        "orders": [WorkOrder.objects.get(sensor=sensor).number],
        "refused": [],
    }
    assert WorkOrder.objects.get(sensor=sensor).alert_count == 130
    assert WorkOrder.objects.filter(channel="iot").count() == 2


@pytest.mark.parametrize(
    "payload, status, reason",
    [
        (b"[]", 403, "非空 JSON 数组"),
        (b"[{oops", 403, "不是有效的 JSON 数组"),
        (json.dumps([{"body": "{}"}] * 1001).encode(), 403, "最多提交1000条"),
        (json.dumps([1, "x", {"signature": "00"}]).encode(), 403, "告警全部被拒绝"),
    ],
)
def test_bad_batches_are_refused_with_the_reason_and_nothing_is_written(
    city, api, payload, status, reason
):
    response = api.post("/api/v1/workorders/alerts", payload, content_type="application/json")
    assert response.status_code == status and reason in response.json()["detail"]
    assert response.json()["code"] == "permission_denied"  # the one shape of every API error
    assert not WorkOrder.objects.exists()


def test_an_oversized_batch_is_refused_before_it_is_read(city, api):
    response = api.post(
        "/api/v1/workorders/alerts", b"[" + b" " * 1_000_001 + b"]", content_type="application/json"
    )
    assert response.status_code == 413 and "请求过大" in response.json()["detail"]
    assert response.json()["code"] == "too_large"


def test_a_disabled_sensor_is_refused_at_once_in_this_process(city, api, sensor):
    body = json.dumps({"sensor": sensor.code}).encode()
    signed = {
        "content_type": "application/json",
        "HTTP_X_SIGNATURE": alerts.sign(sensor.secret, body),
    }
    assert api.post("/api/v1/workorders/alerts", body, **signed).status_code == 202
    sensor.is_active = False
    sensor.save()  # clears the sensor cache
    refused = api.post("/api/v1/workorders/alerts", body, **signed)
    assert refused.status_code == 403 and "设备已停用" in refused.json()["detail"]
