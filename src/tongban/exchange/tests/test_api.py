import base64
import datetime

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_application_model

from tongban.exchange.actions import access
from tongban.exchange.models import CallRecord, Consumer

from .conftest import PEOPLE, person_id

ELDER = person_id(PEOPLE[0][1], PEOPLE[0][2])


@pytest.fixture
def system(other_department):
    consumer, secret = access.create_consumer(
        actor=None,
        code="wj.api",
        name="卫健接口系统",
        kind=Consumer.Kind.SYSTEM,
        department=other_department,
    )
    return consumer, secret


def token_for(consumer, secret, scope="exchange") -> str:
    client_id = consumer.application.client_id
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def post(token, **body):
    payload = {"resource": "T_RK", "subjects": [ELDER], "items": ["xm"], "purpose": "核验"}
    payload.update(body)
    return Client().post(
        "/api/v1/exchange/query",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_client_credentials_token_then_granted_query(system, population):
    consumer, secret = system
    import datetime

    from django.utils import timezone

    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=population,
        items=["xm"],
        purpose="核验",
        legal_basis="依据",
        valid_until=timezone.localdate() + datetime.timedelta(days=5),
    )
    access.approve(actor=None, request=request)
    response = post(token_for(consumer, secret), case="XC-1")
    assert response.status_code == 200
    assert response.json()["records"] == [
        {"subject": ELDER, "found": True, "data": {"xm": "示例甲"}}
    ]
    assert CallRecord.objects.get(kind="query").case_ref == "XC-1"


def test_consumer_without_grant_gets_403_with_a_reason_and_the_refusal_is_logged(
    system, population
):
    consumer, secret = system
    response = post(token_for(consumer, secret))
    assert response.status_code == 403
    assert response.json() == {
        "code": "not_granted",
        "detail": "未获得该数据资源的共享授权，请先提交共享申请",
    }
    assert CallRecord.objects.get(kind="query").outcome == "denied"


def test_missing_purpose_is_a_400_logged_as_a_denial(system, population):
    consumer, secret = system
    response = post(token_for(consumer, secret), purpose="")
    assert response.status_code == 400 and response.json()["code"] == "missing_purpose"
    assert CallRecord.objects.get(kind="query").reason == "请说明用途（purpose）"


def test_without_a_token_the_call_is_unauthorised(population):
    assert post("not-a-token").status_code == 401
    assert not CallRecord.objects.filter(kind="query").exists()


def test_wrong_secret_gets_no_token(system):
    consumer, _secret = system
    basic = base64.b64encode(f"{consumer.application.client_id}:wrong".encode()).decode()
    response = Client().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 401


def test_client_secret_is_stored_hashed(system):
    consumer, secret = system
    stored = get_application_model().objects.get(pk=consumer.application_id).client_secret
    assert secret not in stored


def test_statistics_for_staff(granted, consumer, platform_admin):
    from tongban.exchange.actions.query import query

    query(consumer=consumer, resource_code="T_RK", subjects=[ELDER], items=["xm"], purpose="核验")
    client = Client()
    client.force_login(platform_admin)
    rows = client.get("/api/v1/exchange/statistics").json()
    mine = next(r for r in rows if r["consumer"] == "wj.sys")
    assert (mine["calls"], mine["answered"], mine["denied"]) == (1, 1, 0)


def test_a_token_for_another_scope_is_refused_before_any_data(system, population):
    consumer, secret = system
    access.approve(
        actor=None,
        request=access.request_access(
            actor=None,
            consumer=consumer,
            resource=population,
            items=["xm"],
            purpose="核验",
            legal_basis="依据",
            valid_until=timezone.localdate() + datetime.timedelta(days=5),
        ),
    )
    response = post(token_for(consumer, secret, scope="intake"))
    assert response.status_code == 403
    assert "exchange 权限范围" in response.json()["detail"]
    assert "示例甲" not in response.content.decode()
    assert not CallRecord.objects.filter(kind="query").exists()
    assert post(token_for(consumer, secret)).status_code == 200
