import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongban.accounts import actions
from tongban.accounts.models import AgentAuthorisation, User
from tongban.accounts.terms import TERMS_VERSION
from tongban.core import testdata
from tongban.core.models import AuditRecord

pytestmark = pytest.mark.django_db
PASSWORD = "Tongban2026"


def _errors(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def test_register_citizen_records_profile_and_audit():
    user = actions.register_citizen(
        real_name="示例市民",
        id_number=testdata.citizen_id(sequence=40),
        phone=testdata.phone(40),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )
    assert user.kind == User.Kind.CITIZEN
    assert user.citizen.birth_date == datetime.date(1950, 3, 1) and user.citizen.gender == "男"
    assert user.citizen.masked_id_number == "411002********" + testdata.citizen_id(sequence=40)[-4:]
    assert AuditRecord.objects.filter(
        action="accounts.register_citizen", object_id=str(user.pk)
    ).exists()


def test_register_citizen_bad_input_changes_nothing(citizen):
    before = User.objects.count()
    errors = _errors(
        actions.register_citizen,
        real_name="x",
        id_number=citizen.citizen.id_number,
        phone=citizen.phone,
        password="12345678",
        agreed_terms=TERMS_VERSION,
    )
    assert errors["real_name"] == ["姓名应为2至30个汉字或字母"]
    assert errors["id_number"] == ["该身份证号码已注册，请直接登录"]
    assert errors["phone"] == ["该手机号码已注册，请直接登录"]
    assert any("字母和数字" in m or "太常见" in m or "全都是数字" in m for m in errors["password"])
    assert User.objects.count() == before


def test_register_enterprise_rejects_bad_uscc_and_duplicates(enterprise):
    code = enterprise.enterprise.uscc
    errors = _errors(
        actions.register_enterprise,
        name="另一家公司",
        uscc=code[:-1] + "0" if code[-1] != "0" else code[:-1] + "1",
        legal_rep_name="示例人",
        legal_rep_id_number=testdata.citizen_id(sequence=50),
        phone=testdata.phone(50),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )
    assert errors == {"uscc": ["统一社会信用代码最后一位不对，请核对"]}
    errors = _errors(
        actions.register_enterprise,
        name="另一家公司",
        uscc=code,
        legal_rep_name="示例人",
        legal_rep_id_number=testdata.citizen_id(sequence=50),
        phone=testdata.phone(51),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )
    assert errors == {"uscc": ["该统一社会信用代码已注册"]}


def test_login_with_phone_id_number_uscc_or_staff_name(citizen, enterprise, staff_clerk):
    assert authenticate(username=citizen.phone, password=PASSWORD) == citizen
    assert authenticate(username=citizen.citizen.id_number.lower(), password=PASSWORD) == citizen
    assert authenticate(username=enterprise.enterprise.uscc, password=PASSWORD) == enterprise
    assert authenticate(username="clerk01", password=PASSWORD) == staff_clerk
    assert authenticate(username=citizen.phone, password="wrong-password1") is None
    assert authenticate(username="17099999999", password=PASSWORD) is None


def test_passwords_are_hashed_with_argon2(production_password_hashers):
    person = actions.register_citizen(
        real_name="示例哈希",
        id_number=testdata.citizen_id(birth=datetime.date(1980, 3, 4), sequence=9),
        phone=testdata.phone(9),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )
    assert person.password.startswith("argon2")
    assert authenticate(username=testdata.phone(9), password=PASSWORD) == person


def _authorise(enterprise, agent, **overrides):
    kwargs = {
        "enterprise_user": enterprise,
        "agent_id_number": agent.citizen.id_number,
        "agent_name": agent.citizen.real_name,
        "all_items": False,
        "item_codes": ["110100000001"],
        "valid_until": timezone.localdate() + datetime.timedelta(days=30),
    }
    kwargs.update(overrides)
    return actions.authorise_agent(**kwargs)


def test_agent_authorisation_scope_expiry_and_revocation(enterprise, second_citizen):
    authorisation = _authorise(enterprise, second_citizen)
    profile = enterprise.enterprise
    assert actions.active_authorisation(second_citizen, profile, "110100000001") == authorisation
    assert actions.active_authorisation(second_citizen, profile, "999900000001") is None
    actions.revoke_agent(enterprise_user=enterprise, authorisation_id=authorisation.pk)
    assert actions.active_authorisation(second_citizen, profile) is None
    assert _errors(
        actions.revoke_agent, enterprise_user=enterprise, authorisation_id=authorisation.pk
    ) == {"__all__": ["该授权已撤销"]}
    actions_logged = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"accounts.authorise_agent", "accounts.revoke_agent"} <= actions_logged


def test_expired_authorisation_does_not_count(enterprise, second_citizen):
    authorisation = _authorise(enterprise, second_citizen, all_items=True, item_codes=[])
    AgentAuthorisation.objects.filter(pk=authorisation.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert actions.active_authorisation(second_citizen, enterprise.enterprise) is None


def test_agent_authorisation_bad_input(enterprise, second_citizen):
    errors = _errors(
        _authorise,
        enterprise=enterprise,
        agent=second_citizen,
        agent_name="别人",
        item_codes=[],
        valid_until=timezone.localdate(),
    )
    assert errors == {
        "agent_name": ["姓名与身份证号码不一致"],
        "valid_until": ["有效期应晚于今天"],
        "item_codes": ["请选择授权办理的事项，或选择全部事项"],
    }
    unregistered = testdata.citizen_id(sequence=77)
    errors = _errors(
        actions.authorise_agent,
        enterprise_user=enterprise,
        agent_id_number=unregistered,
        agent_name="某人",
        all_items=True,
        item_codes=[],
        valid_until=timezone.localdate() + datetime.timedelta(days=3),
    )
    assert errors == {"agent_id_number": ["该经办人尚未在本平台注册，请先请其注册"]}
    _authorise(enterprise, second_citizen)
    assert (
        "已有有效授权"
        in _errors(_authorise, enterprise=enterprise, agent=second_citizen)["agent_id_number"][0]
    )


def test_only_enterprise_can_revoke_its_own_authorisations(enterprise, second_citizen, citizen):
    authorisation = _authorise(enterprise, second_citizen)
    assert _errors(
        actions.revoke_agent, enterprise_user=citizen, authorisation_id=authorisation.pk
    ) == {"__all__": ["未找到该授权"]}


def test_reveal_requires_purpose_and_role_and_is_audited(citizen, staff_clerk, second_citizen):
    assert (
        actions.reveal_personal_data(
            actor=citizen, subject=citizen, field="id_number", purpose="本人查看"
        )
        == citizen.citizen.id_number
    )
    assert (
        actions.reveal_personal_data(
            actor=staff_clerk, subject=citizen, field="phone", purpose="受理核对"
        )
        == citizen.phone
    )
    assert AuditRecord.objects.filter(action="pii.reveal", purpose="受理核对").count() == 1
    with pytest.raises(ValidationError, match="用途"):
        actions.reveal_personal_data(actor=staff_clerk, subject=citizen, field="phone", purpose=" ")
    with pytest.raises(PermissionDenied, match="无权"):
        actions.reveal_personal_data(
            actor=second_citizen, subject=citizen, field="phone", purpose="好奇"
        )


def test_create_staff_validates_login_roles_and_password(department, staff_clerk):
    errors = _errors(
        actions.create_staff,
        actor=None,
        login_name="clerk01",
        display_name="重复",
        department=department,
        roles=["king"],
        password="short",
    )
    assert errors["login_name"] == ["该登录名已被使用"]
    assert errors["roles"] == ["请至少选择一个有效角色"]
    assert errors["password"]
    assert staff_clerk.has_role("window_clerk") and not staff_clerk.has_role("approver")
