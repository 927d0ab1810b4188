import json
import socket
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not broker_reachable(),
    reason="no MQTT broker on 127.0.0.1:1883 (.ci/run installs and starts mosquitto)",
)
def test_an_mqtt_alert_becomes_one_order_and_fifty_repeats_do_not_make_more(city, sensor):
    prefix = f"tongban-test/{uuid.uuid4().hex}"
    subscriber = mqtt.Subscriber(
        mqtt.BrokerConfig.from_url(f"mqtt://{BROKER[0]}:{BROKER[1]}/{prefix}"),
        client_id=f"t-{uuid.uuid4().hex[:8]}",
    )
    subscriber.connect()
    for _ in range(20):  # until subscribed
        subscriber.client.loop(timeout=0.1)
    publisher = paho.Client(paho.CallbackAPIVersion.VERSION2)
    publisher.connect(*BROKER)
    publisher.loop_start()
    body = json.dumps({"sensor": sensor.code, "value": "井盖位移"}).encode()
    infos = [
        publisher.publish(
            f"{prefix}/{sensor.code}", mqtt.envelope(body, alerts.sign(sensor.secret, body)), qos=1
        )
        for _ in range(51)
    ]
    bad = publisher.publish(f"{prefix}/{sensor.code}", mqtt.envelope(body, "00"), qos=1)
    for info in [*infos, bad]:
        info.wait_for_publish(timeout=10)
    publisher.loop_stop()
    publisher.disconnect()
    for _ in range(400):
        subscriber.step(timeout=0.05)
        if subscriber.accepted + subscriber.refused >= 52 and not subscriber.pending:
            break
    subscriber.flush()
    subscriber.client.disconnect()
    orders = WorkOrder.objects.filter(sensor=sensor)
    assert orders.count() == 1
    assert orders.get().alert_count == 51
    assert subscriber.refused == 1
