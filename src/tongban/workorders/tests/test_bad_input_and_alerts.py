import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.workorders.actions import alerts, closure, handling, intake
from tongban.workorders.codes import Channel, Satisfaction, Status
from tongban.workorders.models import WorkOrder
from tongban.workorders.tests.conftest import IN_CITY, OUTSIDE
from tongban.workorders.tests.test_lifecycle import report


def errors_of(**changes):
    with pytest.raises(ValidationError) as caught:
        intake.submit(report(**changes))
    return caught.value.message_dict


def test_empty_and_overlong_text_are_refused_and_nothing_is_written(city):
    assert errors_of(text="   ")["text"] == ["请填写诉求内容"]
    assert "不能超过2000字" in errors_of(text="井" * 2001)["text"][0]
    assert not WorkOrder.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(city):
    fake = SimpleUploadedFile("manhole.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    assert "改扩展名无效" in errors_of(photos=[fake])["photos"][0]
    pdf = SimpleUploadedFile("scan.jpg", b"%PDF-1.4 ...", content_type="image/jpeg")
    assert errors_of(photos=[pdf])["photos"]


def test_coordinates_outside_the_city_and_bad_phones_are_refused(city):
    assert errors_of(lng=OUTSIDE[0], lat=OUTSIDE[1])["location"] == [
        "位置不在本市范围内，请确认定位或填写本市地址"
    ]
    assert "格式不正确" in errors_of(lng="东经", lat=IN_CITY[1])["location"][0]
    assert "联系电话格式不正确" in errors_of(reporter_phone="12ab")["reporter_phone"][0]
    assert errors_of(reporter_phone="", channel=Channel.WEB)["reporter_phone"]


def test_a_reply_without_content_and_a_bad_callback_change_nothing(city, staff):
    order = intake.submit(report())
    handling.accept(order, actor=staff["cghandler"])
    with pytest.raises(ValidationError):
        handling.reply(order, actor=staff["cghandler"], text="\x00  ")
    with pytest.raises(ValidationError):
        closure.callback(
            order, result="great", actor=staff["operator"]
        )  # not replied yet / bad value
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED and order.reply == ""
    handling.reply(order, actor=staff["cghandler"], text="已处理")
    with pytest.raises(ValidationError):
        closure.callback(order, result="great", actor=staff["operator"])
    with pytest.raises(PermissionDenied):
        closure.callback(
            order, result=Satisfaction.SATISFIED, actor=staff["operator"], as_kind="department"
        )


def body_for(sensor, **extra):
    return json.dumps({"sensor": sensor.code, "value": "位移2cm", **extra}).encode()


def test_an_alert_opens_one_order_and_repeats_fold_into_it(city, sensor):
    body = body_for(sensor)
    first = alerts.receive(body, alerts.sign(sensor.secret, body))
    assert first.created
    for n in range(50):
        repeat = body_for(sensor, n=n)
        assert not alerts.receive(repeat, alerts.sign(sensor.secret, repeat)).created
    order = WorkOrder.objects.get(sensor=sensor)
    assert WorkOrder.objects.filter(sensor=sensor).count() == 1
    assert order.alert_count == 51 and order.channel == Channel.IOT
    assert order.department.short_name == "市城管局" and order.status == Status.DISPATCHED


def test_after_the_order_is_closed_a_new_alert_opens_a_new_one(city, sensor, staff):
    body = body_for(sensor)
    alerts.receive(body, alerts.sign(sensor.secret, body))
    order = WorkOrder.objects.get(sensor=sensor)
    handling.accept(order, actor=staff["cghandler"])
    handling.reply(order, actor=staff["cghandler"], text="井盖已复位")
    closure.callback(order, result=Satisfaction.SATISFIED, actor=staff["operator"])
    assert alerts.receive(body, alerts.sign(sensor.secret, body)).created
    assert WorkOrder.objects.filter(sensor=sensor).count() == 2


def test_a_concurrent_first_alert_folds_through_the_unique_constraint(city, sensor, monkeypatch):
    body = body_for(sensor)
    alerts.receive(body, alerts.sign(sensor.secret, body))
    real_fold = alerts._fold
    calls = []

    def fold_missing_once(*args):  # as if another worker's INSERT was not yet visible
        calls.append(1)
        return None if len(calls) == 1 else real_fold(*args)

    monkeypatch.setattr(alerts, "_fold", fold_missing_once)
    result = alerts.receive(body, alerts.sign(sensor.secret, body))
    assert not result.created
    assert WorkOrder.objects.get(sensor=sensor).alert_count == 2


def test_bad_signatures_unknown_sensors_and_junk_are_refused(city, sensor):
    body = body_for(sensor)
    with pytest.raises(alerts.AlertRejected, match="告警签名无效"):
        alerts.receive(body, "0" * 64)
    unknown = json.dumps({"sensor": "NOPE-1"}).encode()
    with pytest.raises(alerts.AlertRejected, match="未登记的设备"):
        alerts.receive(unknown, alerts.sign("x", unknown))
    with pytest.raises(alerts.AlertRejected, match="不是有效的 JSON"):
        alerts.receive(b"{oops", "00")
    sensor.is_active = False
    sensor.save()
    with pytest.raises(alerts.AlertRejected, match="设备已停用"):
        alerts.receive(body, alerts.sign(sensor.secret, body))
    assert not WorkOrder.objects.exists()


def test_a_batch_folds_per_sensor_and_reports_refusals(city, sensor):
    body = body_for(sensor)
    good = (body, alerts.sign(sensor.secret, body))
    accepted, refused = alerts.receive_batch([good] * 30 + [(body, "bad")])
    assert len(accepted) == 1 and refused == ["告警签名无效"]
    assert WorkOrder.objects.get(sensor=sensor).alert_count == 30


def test_the_fast_prediction_gives_scikit_learns_probabilities():
    import numpy as np

    from tongban.workorders import classifier

    text = "小区门口的路灯晚上不亮"
    prediction = classifier.predict(text)
    pipeline, _version = classifier._model()
    expected = pipeline.predict_proba([text])[0]
    best = int(np.argmax(expected))
    assert prediction.category_code == pipeline.classes_[best]
    assert prediction.confidence == round(float(expected[best]), 4)


def test_the_sensor_alerts_are_checked_against_is_an_immutable_copy(sensor):
    """A burst of alerts reads the sensor from this process's copy, shared by every request and
    the MQTT threads: no one can change it under another; saving the sensor replaces it."""
    import dataclasses

    from tongban.workorders import sensors

    kept = sensors.get(sensor.code)
    assert kept.name == sensor.name and kept.secret == sensor.secret
    assert sensors.get(sensor.code) is kept
    with pytest.raises(dataclasses.FrozenInstanceError):
        kept.is_active = False
    sensor.is_active = False
    sensor.save()
    assert sensors.get(sensor.code).is_active is False
