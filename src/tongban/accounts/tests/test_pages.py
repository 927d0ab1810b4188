"""Login, registration, the account page and agent authorisations, as a person uses them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import AgentAuthorisation, User
from tongban.core import testdata
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Pages link static files; tests run without `collectstatic`, so skip the hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


PASSWORD = "Tongban2026"
CITIZEN_ID = testdata.citizen_id(birth=datetime.date(1940, 5, 6))  # the `citizen` fixture's number


def _login(client, identifier, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"identifier": identifier, "password": password})


# --- Login ----------------------------------------------------------------------------------------


def test_login_page_has_labelled_fields(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert '<label class="field__label" for="id_identifier">账号' in html
    assert '<label class="field__label" for="id_password">密码' in html
    assert 'aria-describedby="id_identifier_helptext"' in html


def test_citizen_logs_in_with_phone(client, citizen):
    response = _login(client, testdata.phone(1))

    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    home = client.get(reverse("portal:home")).content.decode()
    assert citizen.masked_name in home
    assert "退出登录" in home


def test_citizen_logs_in_with_id_number_and_returns_to_next(client, citizen):
    response = client.post(
        reverse("accounts:login") + "?next=/accounts/me/",
        {"identifier": CITIZEN_ID, "password": PASSWORD, "next": "/accounts/me/"},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_staff_lands_on_the_workbench(client, staff_clerk):
    response = _login(client, "clerk01")

    assert response.url == reverse("workbench:home")


def test_wrong_password_says_how_many_attempts_remain_and_keeps_the_account(client, citizen):
    response = _login(client, testdata.phone(1), "Wrong2026")

    assert response.status_code == 200
    html = response.content.decode()
    assert "账号或密码错误，还可尝试 4 次。" in html
    assert f'value="{testdata.phone(1)}"' in html
    assert "Wrong2026" not in html
    assert "_auth_user_id" not in client.session


def test_account_locks_after_five_failures_even_with_the_right_password(client, citizen):
    for _ in range(4):
        _login(client, testdata.phone(1), "Wrong2026")
    fifth = _login(client, testdata.phone(1), "Wrong2026")
    assert "登录失败次数过多，账号已临时锁定" in fifth.content.decode()

    response = _login(client, testdata.phone(1), PASSWORD)

    assert response.status_code == 200
    assert "登录失败次数过多，账号已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_says_goodbye(client, citizen):
    client.force_login(citizen)

    response = client.post(reverse("accounts:logout"), follow=True)

    assert "您已安全退出。" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- Registration ---------------------------------------------------------------------------------

NEW_ID = testdata.citizen_id(birth=datetime.date(1985, 7, 9), sequence=5)


def _citizen_form(**overrides):
    data = {
        "kind": "citizen",
        "real_name": "示例新人",
        "id_number": NEW_ID,
        "phone": testdata.phone(50),
        "password": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }
    data.update(overrides)
    return data


def test_register_page_offers_citizen_and_enterprise_tabs(client):
    html = client.get(reverse("accounts:register")).content.decode()

    assert "自然人注册" in html and "法人注册" in html
    assert 'href="/accounts/register/?kind=citizen" aria-current="page"' in html
    assert 'data-check="citizen_id"' in html

    enterprise = client.get(reverse("accounts:register"), {"kind": "enterprise"}).content.decode()
    assert 'href="/accounts/register/?kind=enterprise" aria-current="page"' in enterprise
    assert "统一社会信用代码" in enterprise


def _with_code(client, sms_codes, data, url=None):
    url = url or reverse("accounts:register")
    client.post(url, {**data, "action": "send_code"})
    return {**data, "sms_code": sms_codes(data["phone"])[-1]}


def test_citizen_registers_and_sees_masked_id_on_profile(client, sms_codes):
    data = _with_code(client, sms_codes, _citizen_form())
    response = client.post(reverse("accounts:register"), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    html = response.content.decode()
    assert "注册成功，欢迎使用。" in html
    masked = NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert masked in html
    assert NEW_ID not in html
    assert testdata.phone(50) not in html
    assert "170****0050" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")},
            "id_number",
            "身份证号码最后一位不对，请核对",
        ),
        ({"id_number": "411002" + "19850230" + "011" + "0"}, "id_number", "出生日期无效"),
        ({"password": "12345678", "password2": "12345678"}, "password", None),
        ({"password2": "Tongban2027"}, "password2", "两次输入的密码不一致"),
    ],
    ids=["check-digit", "birth-date", "weak-password", "mismatch"],
)
def test_registration_errors_are_shown_next_to_the_field_and_input_is_kept(
    client, overrides, field, message
):
    data = _citizen_form(**overrides)

    response = client.post(reverse("accounts:register"), data)

    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert message in form.errors[field][0]
        assert message in html
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="示例新人"' in html
    assert f'value="{testdata.phone(50)}"' in html
    assert f'value="{data["id_number"]}"' in html
    assert PASSWORD not in html and "12345678" not in html
    assert not User.objects.filter(display_name="示例新人").exists()


def test_all_mistakes_are_reported_at_once(client):
    bad_id = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")

    response = client.post(
        reverse("accounts:register"),
        _citizen_form(id_number=bad_id, password="12345678", password2="12345679"),
    )

    errors = response.context["form"].errors
    assert errors["id_number"] == ["身份证号码最后一位不对，请核对"]
    assert "password" in errors
    assert errors["password2"] == ["两次输入的密码不一致"]


def test_weak_password_message_is_chinese(client):
    response = client.post(
        reverse("accounts:register"), _citizen_form(password="12345678", password2="12345678")
    )

    errors = " ".join(response.context["form"].errors["password"])
    assert "密码" in errors
    assert "This password" not in errors


def test_registering_an_id_number_twice_is_refused(client, citizen, sms_codes):
    data = _with_code(client, sms_codes, _citizen_form(id_number=CITIZEN_ID))
    response = client.post(reverse("accounts:register"), data)

    html = response.content.decode()
    assert "该身份证号码已注册，请直接登录" in html
    assert f'value="{CITIZEN_ID}"' in html


def test_enterprise_registration_with_a_bad_uscc_is_refused(client):
    good = testdata.credit_code("91", "411002", 99)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = {
        "kind": "enterprise",
        "name": "许昌示例商贸有限公司",
        "uscc": bad,
        "legal_rep_name": "示例法人",
        "legal_rep_id_number": NEW_ID,
        "phone": testdata.phone(60),
        "password": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }

    response = client.post(reverse("accounts:register") + "?kind=enterprise", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "统一社会信用代码最后一位不对，请核对" in response.context["form"].errors["uscc"][0]
    assert 'id="id_uscc_error"' in html
    assert 'value="许昌示例商贸有限公司"' in html
    assert 'href="/accounts/register/?kind=enterprise" aria-current="page"' in html


def test_enterprise_registers(client, sms_codes):
    data = {
        "kind": "enterprise",
        "name": "许昌示例商贸有限公司",
        "uscc": testdata.credit_code("91", "411002", 99),
        "legal_rep_name": "示例法人",
        "legal_rep_id_number": NEW_ID,
        "phone": testdata.phone(60),
        "password": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }

    url = reverse("accounts:register") + "?kind=enterprise"
    response = client.post(url, _with_code(client, sms_codes, data, url), follow=True)

    html = response.content.decode()
    assert "许昌示例商贸有限公司" in html
    assert NEW_ID[:6] + "********" + NEW_ID[-4:] in html
    assert NEW_ID not in html
    assert reverse("accounts:agents") in html


# --- Profile --------------------------------------------------------------------------------------


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_revealing_the_full_id_number_shows_it_once_and_is_audited(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert CITIZEN_ID not in page
    assert "显示完整号码" in page

    response = client.post(reverse("accounts:profile"), {"field": "id_number"})

    html = response.content.decode()
    assert CITIZEN_ID in html
    assert "完整号码仅本次显示" in html
    assert testdata.phone(1) not in html  # only the requested field
    record = AuditRecord.objects.filter(action="pii.reveal").latest("sequence")
    assert record.actor_id == citizen.pk
    assert record.detail == {"field": "id_number"}
    assert CITIZEN_ID not in client.get(reverse("accounts:profile")).content.decode()


def test_revealing_the_phone_number(client, citizen):
    client.force_login(citizen)

    html = client.post(reverse("accounts:profile"), {"field": "phone"}).content.decode()

    assert testdata.phone(1) in html
    assert CITIZEN_ID not in html
    assert AuditRecord.objects.filter(action="pii.reveal", detail__field="phone").exists()


# --- Agents ---------------------------------------------------------------------------------------

AGENT_ID = testdata.citizen_id(birth=datetime.date(1990, 1, 2), sequence=7)  # `second_citizen`


def test_enterprise_authorises_a_registered_citizen_and_revokes(client, enterprise, second_citizen):
    client.force_login(enterprise)
    valid_until = timezone.localdate() + datetime.timedelta(days=90)

    response = client.post(
        reverse("accounts:agents"),
        {
            "agent_name": "示例经办",
            "agent_id_number": AGENT_ID,
            "all_items": "on",
            "valid_until": valid_until.isoformat(),
        },
        follow=True,
    )

    html = response.content.decode()
    assert "授权成功。" in html
    assert second_citizen.masked_name in html
    assert "全部事项" in html
    assert "有效" in html
    assert AGENT_ID not in html
    authorisation = AgentAuthorisation.objects.get(agent=second_citizen)

    response = client.post(reverse("accounts:revoke-agent", args=[authorisation.pk]), follow=True)

    html = response.content.decode()
    assert "授权已撤销。" in html
    assert "已撤销" in html
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None


def test_authorising_an_unregistered_person_explains_what_to_do(client, enterprise):
    client.force_login(enterprise)
    valid_until = timezone.localdate() + datetime.timedelta(days=30)

    response = client.post(
        reverse("accounts:agents"),
        {
            "agent_name": "示例某人",
            "agent_id_number": NEW_ID,
            "all_items": "on",
            "valid_until": valid_until.isoformat(),
        },
    )

    html = response.content.decode()
    assert "该经办人尚未在本平台注册，请先请其注册" in html
    assert 'value="示例某人"' in html
    assert "还没有授权任何经办人。" in html


def test_citizen_gets_a_chinese_403_on_the_agents_page(client, citizen):
    client.force_login(citizen)

    response = client.get(reverse("accounts:agents"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权访问此页面" in html
    assert "只有法人账户可以管理经办人授权" in html
