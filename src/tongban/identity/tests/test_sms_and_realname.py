"""SMS codes (never kept or logged in clear, single use, short-lived, rate-limited), SMS login,
password recovery, 账号安全 and real-name levels."""

import logging

import pytest
from django.urls import reverse

from tongban.core import testdata
from tongban.identity import actions, sms
from tongban.identity.models import LoginEvent, SmsCode
from tongban.notify.models import Delivery

pytestmark = pytest.mark.django_db
PHONE = testdata.phone(1)  # the citizen fixture's phone


def test_a_code_is_stored_hashed_and_the_delivery_log_masks_it(citizen, sms_codes, caplog):
    caplog.set_level(logging.DEBUG)
    assert sms.send_code(phone=PHONE, purpose="login")
    code = sms_codes(PHONE)[-1]

    stored = SmsCode.objects.get()
    delivery = Delivery.objects.get(is_secret=True)
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    assert PHONE not in stored.phone_index
    assert code not in delivery.body and "******" in delivery.body
    assert code not in delivery.notification.subject
    assert code not in caplog.text


def test_a_code_works_once_and_not_after_it_expires(citizen, sms_codes, time_machine):
    sms.send_code(phone=PHONE, purpose="login")
    code = sms_codes(PHONE)[-1]
    sms.verify_code(phone=PHONE, purpose="login", code=code)
    with pytest.raises(Exception, match="验证码不正确或已失效"):
        sms.verify_code(phone=PHONE, purpose="login", code=code)

    time_machine.move_to("2030-01-01 08:00:00+08:00")
    sms.send_code(phone=PHONE, purpose="login")
    late = sms_codes(PHONE)[-1]
    time_machine.move_to("2030-01-01 08:06:00+08:00")
    with pytest.raises(Exception, match="验证码不正确或已失效"):
        sms.verify_code(phone=PHONE, purpose="login", code=late)


def test_five_wrong_guesses_kill_the_code(citizen, sms_codes):
    sms.send_code(phone=PHONE, purpose="login")
    code = sms_codes(PHONE)[-1]
    wrong = "000000" if code != "000000" else "111111"
    for _guess in range(5):
        with pytest.raises(Exception, match="验证码不正确"):
            sms.verify_code(phone=PHONE, purpose="login", code=wrong)
    with pytest.raises(Exception, match="验证码不正确"):
        sms.verify_code(phone=PHONE, purpose="login", code=code)


def test_too_many_codes_per_phone_and_per_address(citizen, second_citizen, settings, time_machine):
    time_machine.move_to("2030-01-01 08:00:00+08:00")
    sms.send_code(phone=PHONE, purpose="login", address="10.1.2.3")
    with pytest.raises(sms.TooManyCodes, match="1分钟"):
        sms.send_code(phone=PHONE, purpose="login", address="10.1.2.3")

    settings.SMS_CODES_PER_ADDRESS_HOUR = 2
    sms.send_code(phone=testdata.phone(2), purpose="login", address="10.1.2.3")
    with pytest.raises(sms.TooManyCodes, match="网络"):
        sms.send_code(phone=testdata.phone(3), purpose="login", address="10.1.2.3")
    assert Delivery.objects.filter(is_secret=True).count() == 2


def test_login_codes_go_only_to_registered_numbers_without_saying_so(client, sms_codes):
    page = client.post(
        reverse("identity:sms-login"), {"phone": testdata.phone(88), "action": "send"}
    )
    assert "如该手机号码已注册，验证码已发送" in page.content.decode()
    assert sms_codes() == []


def test_sms_login_signs_in_and_is_in_the_history(client, citizen, sms_codes):
    client.post(reverse("identity:sms-login"), {"phone": PHONE, "action": "send"})
    bad = client.post(
        reverse("identity:sms-login"), {"phone": PHONE, "code": "12345", "action": "login"}
    )
    assert "验证码不正确或已失效" in bad.content.decode()
    code = sms_codes(PHONE)[-1]
    good = client.post(
        reverse("identity:sms-login"), {"phone": PHONE, "code": code, "action": "login"}
    )
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert LoginEvent.objects.get(user=citizen).method == "sms"
    page = client.get(reverse("identity:security")).content.decode()
    assert "短信验证码" in page and "本设备" in page


def test_password_recovery_by_sms_code(client, citizen, sms_codes):
    client.post(reverse("identity:recover"), {"phone": PHONE, "action": "send"})
    code = sms_codes(PHONE)[-1]
    mismatch = client.post(
        reverse("identity:recover"),
        {
            "phone": PHONE,
            "code": code,
            "password": "NewPass2027",
            "password2": "NewPass2028",
            "action": "reset",
        },
    )
    assert "两次输入的密码不一致" in mismatch.content.decode()
    done = client.post(
        reverse("identity:recover"),
        {
            "phone": PHONE,
            "code": code,
            "password": "NewPass2027",
            "password2": "NewPass2027",
            "action": "reset",
        },
    )
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("NewPass2027")


def test_failed_password_logins_appear_in_the_history(client, citizen):
    client.post(reverse("accounts:login"), {"identifier": PHONE, "password": "wrong-1"})
    event = LoginEvent.objects.get(user=citizen)
    assert event.succeeded is False


def test_realname_levels_two_and_three_through_the_demo_plugins(client, citizen):
    from tongban.accounts.models import CitizenProfile

    CitizenProfile.objects.filter(user=citizen).update(verification_level=1)
    citizen.refresh_from_db()
    with pytest.raises(Exception, match="请先完成2级"):
        actions.raise_realname_level(user=citizen, level=3, evidence="demo-face-live")
    assert actions.raise_realname_level(user=citizen, level=2) == 2
    citizen.refresh_from_db()
    with pytest.raises(Exception, match="人脸核验未通过"):
        actions.raise_realname_level(user=citizen, level=3, evidence="photo.jpg")

    client.force_login(citizen)
    client.post(reverse("identity:realname"), {"evidence": "demo-face-live"})
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.verification_level == 3


def test_the_demo_police_check_refuses_its_documented_numbers(citizen):
    from tongban.identity.realname import DemoPoliceCheck

    number = citizen.citizen.id_number
    assert (
        DemoPoliceCheck().check(real_name="x", id_number=number[:14] + "99" + number[16:]).passed
        is False
    )
    assert (
        DemoPoliceCheck().check(real_name="x", id_number=number[:14] + "01" + number[16:]).passed
        is True
    )
