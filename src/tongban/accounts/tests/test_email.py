"""A person gives an e-mail address (optional) at registration or in 我的账户, so e-mail deliveries
reach them; changes are audited with the addresses masked."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from tongban.accounts import actions
from tongban.accounts.models import User
from tongban.core import testdata
from tongban.core.models import AuditRecord
from tongban.notify import actions as notify
from tongban.notify.models import Channel, Delivery, MessageTemplate

pytestmark = pytest.mark.django_db
PASSWORD = "Tongban2026"


@pytest.fixture
def _register(client, sms_codes):
    def register(client=client, **extra):
        data = {
            "kind": "citizen",
            "real_name": "周示例",
            "id_number": testdata.citizen_id(birth=datetime.date(1990, 3, 4), sequence=21),
            "phone": testdata.phone(41),
            "password": PASSWORD,
            "password2": PASSWORD,
            "agree": "on",
            **extra,
        }
        url = reverse("accounts:register") + "?kind=citizen"
        sent = client.post(url, {**data, "action": "send_code"})
        codes = sms_codes(data["phone"])
        if not codes:  # refused (a registered phone): that page is the answer
            return sent
        return client.post(url, {**data, "sms_code": codes[-1]})

    return register


def test_registration_takes_an_optional_email(client, _register):
    page = client.get(reverse("accounts:register")).content.decode()
    assert 'name="email"' in page and "电子邮箱（选填）" in page

    response = _register(email="Zhou@Example.COM")

    assert response.status_code == 302
    assert User.objects.get(display_name="周示例").email == "Zhou@example.com"


def test_registration_refuses_a_malformed_email_and_keeps_the_rest(client, _register):
    response = _register(email="zhou@")

    page = response.content.decode()
    assert response.status_code == 200 and "电子邮箱格式不正确" in page
    assert "周示例" in page and not User.objects.filter(display_name="周示例").exists()


def test_registration_without_email_still_works(client, _register):
    assert _register().status_code == 302


def test_email_is_changed_in_my_account_with_an_audit_record(client, citizen):
    client.force_login(citizen)

    bad = client.post(reverse("accounts:profile"), {"action": "email", "email": "not-an-address"})
    assert "电子邮箱格式不正确" in bad.content.decode()
    good = client.post(reverse("accounts:profile"), {"action": "email", "email": "me@example.cn"})

    assert good.status_code == 302
    citizen.refresh_from_db()
    assert citizen.email == "me@example.cn"
    record = AuditRecord.objects.get(action="accounts.change_email")
    assert record.detail == {"from": "", "to": "m***@example.cn"}
    assert "me@example.cn" in client.get(reverse("accounts:profile")).content.decode()


def test_the_same_email_again_is_refused():
    user = User.objects.create_user(kind=User.Kind.CITIZEN, display_name="某某", email="a@b.cn")
    with pytest.raises(Exception, match="相同"):
        actions.change_email(user=user, email="a@b.cn")


def test_email_deliveries_reach_a_person_who_gave_an_address(
    citizen, django_capture_on_commit_callbacks
):
    MessageTemplate.objects.create(
        code="test.hello", channel=Channel.EMAIL, name="问候", subject="您好", body="您好"
    )
    actions.change_email(user=citizen, email="me@example.cn")

    with django_capture_on_commit_callbacks(execute=True):
        notify.send(citizen, "test.hello", channels=["email"])

    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert mail.outbox[-1].to == ["me@example.cn"]


def test_a_locked_out_person_is_offered_password_recovery_that_works(client, citizen, _register):
    """找回密码 by SMS code (identity): the lockout message and the login page lead to it."""
    for _attempt in range(6):
        page = client.post(
            reverse("accounts:login"), {"identifier": testdata.phone(1), "password": "wrong-1"}
        ).content.decode()
    assert "锁定" in page and "找回密码" in page and reverse("identity:recover") in page
    assert client.get(reverse("identity:recover")).status_code == 200
    again = _register(phone=testdata.phone(1))
    assert "已注册" in again.content.decode()
    assert "_auth_user_id" not in client.session
