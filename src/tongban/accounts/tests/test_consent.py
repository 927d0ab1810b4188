"""Consent to the user agreement and privacy policy at registration (个人信息保护法 第十三、十四、十七条):
asked before the account exists, with both texts one click away, and recorded with its version."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tongban.accounts import actions
from tongban.accounts.models import User
from tongban.accounts.terms import TERMS_VERSION
from tongban.core import testdata
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db

PASSWORD = "Tongban2026"
NEW_ID = testdata.citizen_id(birth=datetime.date(1986, 2, 3), sequence=7)


def _form(**overrides):
    return {
        "kind": "citizen",
        "real_name": "示例同意",
        "id_number": NEW_ID,
        "phone": testdata.phone(71),
        "password": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def _with_code(client, sms_codes, data):
    url = reverse("accounts:register")
    client.post(url, {**data, "action": "send_code"})
    return {**data, "sms_code": sms_codes(data["phone"])[-1]}


def test_registering_without_consent_is_refused_and_keeps_what_was_typed(client, sms_codes):
    response = client.post(reverse("accounts:register"), _with_code(client, sms_codes, _form()))

    assert response.status_code == 200
    assert response.context["form"].errors["agree"] == [
        "请阅读并同意《用户服务协议》和《隐私政策》后再注册"
    ]
    html = response.content.decode()
    assert 'value="示例同意"' in html
    assert 'href="/accounts/terms/"' in html and 'href="/accounts/privacy/"' in html
    assert not User.objects.filter(display_name="示例同意").exists()


def test_consent_is_recorded_with_the_version_accepted(client, sms_codes):
    data = _with_code(client, sms_codes, _form(agree="on"))
    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 302
    user = User.objects.get(display_name="示例同意")
    record = AuditRecord.objects.get(action="accounts.register_citizen", object_id=str(user.pk))
    assert record.detail["terms"] == TERMS_VERSION


@pytest.mark.parametrize("version", ["", "2020-01-01"])
def test_the_service_opens_no_account_without_the_current_terms_accepted(version):
    with pytest.raises(ValidationError) as refused:
        actions.register_citizen(
            real_name="示例同意",
            id_number=NEW_ID,
            phone=testdata.phone(71),
            password=PASSWORD,
            agreed_terms=version,
        )
    assert "agree" in refused.value.message_dict
    assert not User.objects.filter(display_name="示例同意").exists()


@pytest.mark.parametrize("name", ["accounts:terms", "accounts:privacy"])
def test_the_texts_are_public_versioned_and_linked_from_every_page(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    assert TERMS_VERSION in html and "12345" in html
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse(name)}"' in home


def test_in_english_the_texts_say_they_are_chinese_only(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    with translation.override("en"):
        html = client.get(reverse("accounts:privacy")).content.decode()
    assert "Privacy policy" in html
    assert "published in Chinese only" in html
    assert '<div lang="zh-Hans">' in html
