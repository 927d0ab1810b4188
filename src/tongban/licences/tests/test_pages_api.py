"""Wallet, 亮证, verification pages and the API, including bad input that must never be a 500."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongban.licences import actions, identifier
from tongban.licences.models import Licence, LicenceUse
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def test_wallet_detail_and_download(client, citizen, second_citizen, licence):
    client.force_login(citizen)
    page = client.get("/licences/").content.decode()
    assert "公共场所卫生许可证" in page and "有效" in page
    detail = client.get(f"/licences/{licence.pk}/").content.decode()
    assert licence.identifier in detail and "用证记录" in detail and "餐饮场所" in detail
    response = client.get(f"/licences/{licence.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(second_citizen)
    assert client.get(f"/licences/{licence.pk}/").status_code == 404
    assert client.get(f"/licences/{licence.pk}/download/").status_code == 404


def test_show_token_valid_expired_forged(client, citizen, licence, settings):
    settings.LICENCE_SHOW_TOKEN_SECONDS = 300
    client.force_login(citizen)
    with at(D(2026, 10, 9), hour=9):
        page = client.get(f"/licences/{licence.pk}/show/")
        assert page.status_code == 200
        token = page.context["token"]
        qr = client.get(f"/licences/{licence.pk}/show/qr.svg", {"t": token})
        assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
        client.logout()
        scanned = client.get(f"/licences/show/{token}/").content.decode()
        assert "示***" in scanned and "有效" in scanned and "示例老人" not in scanned
        client.get(f"/licences/show/{token}/")
    assert licence.uses.filter(purpose=LicenceUse.Purpose.SHOW).count() == 1  # once per token
    with at(D(2026, 10, 9), hour=10):  # an hour later
        expired = client.get(f"/licences/show/{token}/")
    assert expired.status_code == 200 and "亮证码已过期" in expired.content.decode()
    for forged in (token[:-2] + "xx", "abc", "x" * 400, "eyJsIjoxfQ:1abc:def"):
        response = client.get(f"/licences/show/{forged}/")
        assert response.status_code == 200 and "亮证码无效" in response.content.decode()


def test_only_the_holder_gets_a_show_token(second_citizen, licence):
    with pytest.raises(ValidationError):
        actions.show_token(licence, second_citizen)


def test_verification_page_and_reasons(client, licence, team):
    ok = client.get("/licences/verify/", {"identifier": licence.identifier}).content.decode()
    assert "有效" in ok and "示***" in ok
    wrong = licence.identifier[:-1] + ("0" if licence.identifier[-1] != "0" else "1")
    assert "校验位错误" in client.get("/licences/verify/", {"identifier": wrong}).content.decode()
    assert "格式不正确" in client.get("/licences/verify/", {"identifier": "abc"}).content.decode()
    unknown = identifier.build(licence.licence_type.type_code, licence.issuer.uscc, 999, 1)
    assert (
        "未找到该证照" in client.get("/licences/verify/", {"identifier": unknown}).content.decode()
    )
    actions.revoke(
        licence, team["approver"], "许可被依法撤销", legal_basis="《行政许可法》第六十九条第一款"
    )
    revoked = client.get("/licences/verify/", {"identifier": licence.identifier}).content.decode()
    assert "已撤销" in revoked and "许可被依法撤销" in revoked and "第六十九条" in revoked


def test_versions(licence, team):
    with pytest.raises(PermissionDenied):
        actions.renew(licence, team["clerk"])  # window clerks don't issue
    with at(D(2027, 1, 5)):
        changed = actions.change(licence, team["handler"], {"request_detail": "餐饮、住宿"})
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REPLACED
    old, new = identifier.parts(licence.identifier), identifier.parts(changed.identifier)
    assert (new["serial"], new["version"]) == (old["serial"], 2)
    assert identifier.check(changed.identifier) == (True, "")
    assert changed.valid_until == licence.valid_until and changed.previous == licence
    assert changed.data["request_detail"] == "餐饮、住宿"
    assert "已被新版本替代" in actions.verify(licence.identifier).reason
    with at(D(2027, 9, 1)):
        renewed = actions.renew(changed, team["approver"])
    assert identifier.parts(renewed.identifier)["version"] == 3
    assert renewed.valid_until == D(2028, 8, 31)
    with pytest.raises(ValidationError):
        actions.renew(licence, team["approver"])  # replaced versions are history


def test_api_verify(client, licence):
    url = reverse("api:licences-verify")
    body = client.post(url, {"identifier": licence.identifier}, content_type="application/json")
    assert body.status_code == 200 and body.json()["valid"] and body.json()["holder"] == "示***"
    wrong = licence.identifier[:-1] + ("0" if licence.identifier[-1] != "0" else "1")
    result = client.post(url, {"identifier": wrong}, content_type="application/json").json()
    assert result == {"found": False, "valid": False, "reason": "校验位错误"}
    assert client.post(url, {}, content_type="application/json").status_code == 400
    assert client.post(url, "[1,2", content_type="application/json").status_code == 400


def test_api_issue_for_department_systems(client, citizen, licence_type, team, other_department):
    url = reverse("api:licences-issue")
    body = {
        "type_code": licence_type.type_code,
        "holder_name": "示例老人",
        "holder_id_type": "111",
        "holder_id_number": citizen.citizen.id_number,
        "data": {"request_detail": "游泳场所"},
    }
    with at(D(2026, 10, 9)):
        client.force_login(team["clerk"])
        assert client.post(url, body, content_type="application/json").status_code == 403
        client.force_login(team["handler"])
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 201, response.content
        assert identifier.check(response.json()["identifier"]) == (True, "")
        wrong_id = {**body, "holder_id_number": "411002194005060000"}
        assert client.post(url, wrong_id, content_type="application/json").status_code == 400
        unknown = {**body, "data": {"x": "1"}}
        assert client.post(url, unknown, content_type="application/json").status_code == 400
        no_type = {**body, "type_code": "X"}
        assert client.post(url, no_type, content_type="application/json").status_code == 400
        other = {**body, "holder_id_type": "001"}
        assert client.post(url, other, content_type="application/json").status_code == 400


def test_material_use_view_needs_consent(client, citizen, licence, department, team):
    from tongban.applications import actions as intake
    from tongban.testing.builders import waiving_item

    item, material = waiving_item(department, team, licence.licence_type.name)
    with at(D(2026, 10, 12)):
        application = intake.start_application(owner=citizen, service_item=item, channel="pc")
        client.force_login(citizen)
        page = client.get(
            f"/my/cases/{application.public_id}/?page={len(application.form.sections)}"
        ).content.decode()
        assert "使用电子证照免提交" in page
        url = reverse("applications:use-licence", args=[application.public_id, material.pk])
        refused = client.post(url, {"licence": licence.pk}, follow=True)
        assert "请先勾选同意" in refused.content.decode()
        client.post(url, {"licence": licence.pk, "consent": "on"})
        client.post(url, {"licence": "abc", "consent": "on"})
    assert LicenceUse.objects.filter(application=application, material=material).count() == 1
    with at(D(2026, 10, 12)):
        page = client.get(
            f"/my/cases/{application.public_id}/?page={len(application.form.sections)}"
        ).content.decode()
    assert "电子证照免提交" in page and "取消使用" in page


def test_bad_input_never_a_server_error(client, citizen, licence):
    for raw in ("x" * 5000, "\x00", "1.2.156.3005.2.....", "１．２", "<script>"):
        response = client.get("/licences/verify/", {"identifier": raw})
        assert response.status_code == 200 and "格式不正确" in response.content.decode()
    assert client.get("/licences/verify/").status_code == 200
    assert client.get(f"/licences/{licence.pk}/").status_code == 302  # login first
    client.force_login(citizen)
    assert client.get(f"/licences/{licence.pk}/show/qr.svg", {"t": "forged"}).status_code == 404
    assert client.get("/licences/999999/").status_code == 404
    url = reverse("applications:use-licence", args=["00000000-0000-0000-0000-000000000000", 1])
    assert client.post(url, {"licence": licence.pk, "consent": "on"}).status_code == 404


def test_enterprise_wallet(client, enterprise, department, team, licence_type):
    licence_type.holder_kind = "enterprise"
    licence_type.save()
    with at(D(2026, 10, 8)):
        issued = actions.issue(
            licence_type=licence_type,
            holder_name=enterprise.enterprise.name,
            holder_id_type="001",
            holder_id_number=enterprise.enterprise.uscc,
        )
    assert issued.owner == enterprise
    assert list(actions.wallet(enterprise)) == [issued]
    assert actions.verify(issued.identifier).as_dict()["holder_id"] == enterprise.enterprise.uscc
