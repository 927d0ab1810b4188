"""Platform administrators register consumer systems: the client secret is shown exactly once
(afterwards only a new one by rotation, which revokes the old secret's tokens), all audited."""

import base64

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from tongban.core.audit import AuditRecord
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import Consumer

from .conftest import PASSWORD
from .test_api import token_for

NEW = "/workbench/exchange/consumers/new"


@pytest.fixture
def admin_client(platform_admin):
    client = Client()
    client.force_login(platform_admin)
    return client


def register(client, **fields):
    data = {
        "code": "mz.jzxt",
        "name": "民政救助系统",
        "kind": "system",
        "rate_limit_per_minute": "600",
    }
    data.update(fields)
    return client.post(NEW, data)


def token_works(client_id, secret) -> int:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return (
        Client()
        .post(
            "/o/token/",
            {"grant_type": "client_credentials", "scope": "exchange"},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        .status_code
    )


def test_registering_a_system_shows_its_secret_once_and_it_works(admin_client, department):
    answer = register(admin_client, department=department.pk)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    consumer = Consumer.objects.get(code="mz.jzxt")
    secret = answer.context["secret"]
    assert secret and secret in answer.content.decode()
    assert token_works(consumer.application.client_id, secret) == 200
    listing = admin_client.get("/workbench/exchange/consumers/").content.decode()
    assert consumer.application.client_id in listing and secret not in listing
    assert AuditRecord.objects.filter(action=AuditAction.CONSUMER_CREATE).count() == 1


def test_rotation_gives_a_new_secret_and_the_old_one_and_its_tokens_stop(admin_client):
    register(admin_client)
    consumer = Consumer.objects.get(code="mz.jzxt")
    first = admin_client.post(NEW.replace("new", f"{consumer.pk}/rotate"))
    assert first.status_code == 200
    secret = first.context["secret"]
    token = token_for(consumer, secret)
    second = admin_client.post(NEW.replace("new", f"{consumer.pk}/rotate"))
    newer = second.context["secret"]
    assert newer != secret and second["Cache-Control"] == "no-store"
    assert token_works(consumer.application.client_id, secret) == 401
    assert token_works(consumer.application.client_id, newer) == 200
    assert not AccessToken.objects.filter(token=token).exists()
    rotations = AuditRecord.objects.filter(action=AuditAction.CONSUMER_ROTATE)
    assert rotations.count() == 2 and rotations.order_by("-id").first().detail == {"tokens": 1}


def test_a_platform_function_has_no_secret(admin_client):
    answer = register(admin_client, code="platform.x", kind="platform")
    assert answer.status_code == 302
    consumer = Consumer.objects.get(code="platform.x")
    assert consumer.application is None
    rotate = admin_client.post(NEW.replace("new", f"{consumer.pk}/rotate"), follow=True)
    assert "平台功能没有客户端密钥" in rotate.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "Bad Code!"}, "code"),
        ({"name": ""}, "name"),
        ({"rate_limit_per_minute": "0"}, "rate_limit_per_minute"),
    ],
)
def test_bad_registrations_are_refused_with_a_reason(admin_client, fields, message):
    answer = register(admin_client, **fields)
    assert answer.status_code == 200 and "secret" not in answer.context
    assert message in answer.context["form"].errors
    assert not Consumer.objects.exists()


def test_a_duplicate_code_is_refused(admin_client):
    register(admin_client)
    again = register(admin_client)
    assert "使用方代码 mz.jzxt 已存在" in again.content.decode()
    assert Consumer.objects.count() == 1


def test_only_platform_administrators_register_or_rotate(data_admin, admin_client):
    register(admin_client)
    consumer = Consumer.objects.get(code="mz.jzxt")
    other = Client()
    other.login(username="dataadmin", password=PASSWORD)
    assert other.get("/workbench/exchange/consumers/").status_code == 403
    assert register(other, code="x.y").status_code == 403
    assert other.post(NEW.replace("new", f"{consumer.pk}/rotate")).status_code == 403
