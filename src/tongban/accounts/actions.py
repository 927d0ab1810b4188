"""The accounts service layer: every change to people, agents and staff goes through here.

Each function validates first (raising ValidationError with Chinese messages keyed by field), then
writes in one transaction with an audit record. Views, API, admin and commands call these.
"""

import datetime
import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongban.accounts import policy, role_permissions
from tongban.accounts.audit_actions import AuditAction
from tongban.accounts.models import (
    AgentAuthorisation,
    CitizenProfile,
    EnterpriseProfile,
    StaffProfile,
    StaffRole,
    User,
    new_login_name,
)
from tongban.accounts.roles import Role
from tongban.accounts.terms import TERMS_VERSION
from tongban.core import audit, identifiers, pii
from tongban.core.audit_actions import PiiAction

NAME_PATTERN = re.compile(r"[\u4e00-\u9fa5·•A-Za-z ]{2,30}")
PHONE_PATTERN = re.compile(r"1[3-9]\d{9}")
MAX_AUTHORISATION_YEARS = 5


def _check_password(password: str, errors: dict, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)


def _check_phone(phone: str, errors: dict) -> str:
    phone = pii.normalise(phone)
    if not PHONE_PATTERN.fullmatch(phone):
        errors["phone"] = ["手机号码应为以1开头的11位数字"]
    elif User.objects.filter(phone_index=pii.blind_index(phone, "phone")).exists():
        errors["phone"] = ["该手机号码已注册，请直接登录"]
    return phone


def _check_terms(agreed_terms: str, errors: dict) -> None:
    """An account is opened only with the current agreement and privacy policy accepted."""
    if agreed_terms != TERMS_VERSION:
        errors["agree"] = [gettext("请阅读并同意《用户服务协议》和《隐私政策》后再注册")]


def _check_email(email: str, errors: dict) -> str:
    """An optional e-mail address: blank, or one a mail server would accept (domain lower-cased)."""
    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["电子邮箱格式不正确，例如 name@example.com"]
        return email
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def mask_email(email: str) -> str:
    local, _at, domain = (email or "").rpartition("@")
    return f"{local[:1]}***@{domain}" if local else ""


def _check_name(name: str, field: str, errors: dict) -> str:
    name = (name or "").strip()
    if not NAME_PATTERN.fullmatch(name):
        errors[field] = ["姓名应为2至30个汉字或字母"]
    return name


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_citizen(
    *,
    real_name: str,
    id_number: str,
    phone: str,
    password: str,
    agreed_terms: str,
    email: str = "",
) -> User:
    """`agreed_terms`: the version of the user agreement and privacy policy the person accepted."""
    errors: dict = {}
    _check_terms(agreed_terms, errors)
    real_name = _check_name(real_name, "real_name", errors)
    id_number = pii.normalise(id_number)
    checked = identifiers.check_citizen_id(id_number)
    if not checked.valid:
        errors["id_number"] = [checked.reason]
    elif CitizenProfile.objects.filter(id_index=pii.blind_index(id_number, "citizen_id")).exists():
        errors["id_number"] = ["该身份证号码已注册，请直接登录"]
    phone = _check_phone(phone, errors)
    email = _check_email(email, errors)
    _check_password(password, errors)
    _raise_if(errors)

    user = User(
        kind=User.Kind.CITIZEN, display_name=real_name, login_name=new_login_name(), email=email
    )
    user.set_phone(phone)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            CitizenProfile.objects.create(
                user=user,
                real_name=real_name,
                id_number=id_number,
                id_index=pii.blind_index(id_number, "citizen_id"),
                birth_date=datetime.date.fromisoformat(checked.details["birth_date"]),
                gender=checked.details["gender"],
            )
    except IntegrityError as exc:  # a parallel registration with the same number won the race
        raise ValidationError({"id_number": ["该身份证号码或手机号码已注册"]}) from exc
    audit.record(AuditAction.REGISTER_CITIZEN, actor=user, obj=user, detail={"terms": agreed_terms})
    return user


@transaction.atomic
def register_enterprise(
    *,
    name: str,
    uscc: str,
    legal_rep_name: str,
    legal_rep_id_number: str,
    phone: str,
    password: str,
    agreed_terms: str,
    email: str = "",
) -> User:
    errors: dict = {}
    _check_terms(agreed_terms, errors)
    name = (name or "").strip()
    if not 2 <= len(name) <= 200:
        errors["name"] = ["请填写营业执照上的企业名称"]
    uscc = pii.normalise(uscc)
    checked = identifiers.check_uscc(uscc)
    if not checked.valid:
        errors["uscc"] = [checked.reason]
    elif EnterpriseProfile.objects.filter(uscc=uscc).exists():
        errors["uscc"] = ["该统一社会信用代码已注册"]
    legal_rep_name = _check_name(legal_rep_name, "legal_rep_name", errors)
    legal_rep_id_number = pii.normalise(legal_rep_id_number)
    rep_check = identifiers.check_citizen_id(legal_rep_id_number)
    if not rep_check.valid:
        errors["legal_rep_id_number"] = [rep_check.reason]
    phone = _check_phone(phone, errors)
    email = _check_email(email, errors)
    _check_password(password, errors)
    _raise_if(errors)

    user = User(
        kind=User.Kind.ENTERPRISE, display_name=name, login_name=new_login_name(), email=email
    )
    user.set_phone(phone)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            EnterpriseProfile.objects.create(
                user=user,
                name=name,
                uscc=uscc,
                legal_rep_name=legal_rep_name,
                legal_rep_id_number=legal_rep_id_number,
                legal_rep_id_index=pii.blind_index(legal_rep_id_number, "citizen_id"),
            )
    except IntegrityError as exc:
        raise ValidationError({"uscc": ["该统一社会信用代码或手机号码已注册"]}) from exc
    audit.record(
        AuditAction.REGISTER_ENTERPRISE, actor=user, obj=user, detail={"terms": agreed_terms}
    )
    return user


@transaction.atomic
def change_email(*, user: User, email: str) -> User:
    """The person gives, changes or removes the e-mail address messages are sent to."""
    errors: dict = {}
    email = _check_email(email, errors)
    _raise_if(errors)
    if email == user.email:
        raise ValidationError({"email": ["新的电子邮箱与原来的相同"]})
    previous = user.email
    user.email = email
    user.save(update_fields=["email"])
    audit.record(
        AuditAction.CHANGE_EMAIL,
        actor=user,
        obj=user,
        detail={"from": mask_email(previous), "to": mask_email(email)},
    )
    return user


def check_new_staff(*, login_name: str, roles: list[str], password: str, phone: str = "") -> str:
    """Validate a staff account before creating it; returns the normalised phone."""
    errors: dict = {}
    if not re.fullmatch(r"[a-z][a-z0-9_.-]{2,39}", login_name or ""):
        errors["login_name"] = ["登录名应为3至40位小写字母、数字或 _ . -，以字母开头"]
    elif User.objects.filter(login_name=login_name).exists():
        errors["login_name"] = ["该登录名已被使用"]
    unknown = set(roles) - set(Role.values)
    if not roles or unknown:
        errors["roles"] = ["请至少选择一个有效角色"]
    if phone:
        phone = _check_phone(phone, errors)
    _check_password(password, errors)
    _raise_if(errors)
    return phone


@transaction.atomic
def create_staff(
    *,
    actor: User | None,
    login_name: str,
    display_name: str,
    department,
    roles: list[str],
    password: str,
    phone: str = "",
    employee_no: str = "",
    hall=None,
    window=None,
) -> User:
    policy.require_staff_manager(actor)
    phone = check_new_staff(login_name=login_name, roles=roles, password=password, phone=phone)

    user = User(kind=User.Kind.STAFF, login_name=login_name, display_name=display_name)
    if phone:
        user.set_phone(phone)
    user.set_password(password)
    user.save()
    StaffProfile.objects.create(
        user=user, department=department, hall=hall, window=window, employee_no=employee_no
    )
    StaffRole.objects.bulk_create(StaffRole(user=user, role=role) for role in roles)
    apply_role_access(user)
    audit.record(AuditAction.CREATE_STAFF, actor=actor, obj=user, detail={"roles": sorted(roles)})
    return user


def apply_role_access(user: User) -> None:
    """Give the account the admin-site permissions of the roles it holds, and only those: group
    membership per role, and entry to the admin site when a role has admin work there."""
    roles = set(StaffRole.objects.filter(user=user).values_list("role", flat=True))
    user.groups.set(role_permissions.role_groups(roles))
    is_staff = user.is_superuser or role_permissions.needs_admin_site(roles)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    for cache in ("_role_cache", "_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def _staff_account(user: User) -> None:
    if user.kind != User.Kind.STAFF:
        raise ValidationError({"user": ["只能为工作人员账户分配角色"]})


@transaction.atomic
def grant_role(*, actor: User | None, user: User, role: str) -> StaffRole:
    policy.require_grant(actor, user, role)
    _staff_account(user)
    if role not in Role.values:
        raise ValidationError({"role": ["请选择有效角色"]})
    granted, created = StaffRole.objects.get_or_create(user=user, role=role)
    if not created:
        raise ValidationError({"role": [f"该工作人员已有“{Role(role).label}”角色"]})
    apply_role_access(user)
    audit.record(AuditAction.GRANT_ROLE, actor=actor, obj=user, detail={"role": role})
    return granted


@transaction.atomic
def revoke_role(*, actor: User | None, user: User, role: str) -> None:
    policy.require_revoke(actor, user, role)
    _staff_account(user)
    deleted, _detail = StaffRole.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise ValidationError({"role": ["该工作人员没有此角色"]})
    apply_role_access(user)
    audit.record(AuditAction.REVOKE_ROLE, actor=actor, obj=user, detail={"role": role})


@transaction.atomic
def set_workplace(*, actor: User | None, user: User, hall=None, window=None) -> StaffProfile:
    """The hall and window a staff member serves at (一次一评 and 综合窗口 depend on it)."""
    profile = StaffProfile.objects.select_for_update().get(user=user)
    if window is not None and hall is not None and window.hall_id != hall.pk:
        raise ValidationError({"window": ["该窗口不在所选大厅"]})
    if window is not None and hall is None:
        hall = window.hall
    profile.hall, profile.window = hall, window
    profile.save(update_fields=["hall", "window"])
    audit.record(
        AuditAction.SET_WORKPLACE,
        actor=actor,
        obj=user,
        detail={"hall": hall.pk if hall else None, "window": window.pk if window else None},
    )
    return profile


@transaction.atomic
def authorise_agent(
    *,
    enterprise_user: User,
    agent_id_number: str,
    agent_name: str,
    all_items: bool,
    item_codes: list[str],
    valid_until: datetime.date,
) -> AgentAuthorisation:
    """The legal representative authorises a registered citizen as 经办人."""
    errors: dict = {}
    enterprise = enterprise_user.enterprise
    agent_id_number = pii.normalise(agent_id_number)
    checked = identifiers.check_citizen_id(agent_id_number)
    agent = None
    if not checked.valid:
        errors["agent_id_number"] = [checked.reason]
    else:
        profile = (
            CitizenProfile.objects.select_related("user")
            .filter(id_index=pii.blind_index(agent_id_number, "citizen_id"))
            .first()
        )
        if profile is None:
            errors["agent_id_number"] = ["该经办人尚未在本平台注册，请先请其注册"]
        elif profile.real_name != (agent_name or "").strip():
            errors["agent_name"] = ["姓名与身份证号码不一致"]
        else:
            agent = profile.user
    today = timezone.localdate()
    if valid_until is None or valid_until <= today:
        errors["valid_until"] = ["有效期应晚于今天"]
    elif valid_until > today.replace(year=today.year + MAX_AUTHORISATION_YEARS):
        errors["valid_until"] = [f"授权有效期最长{MAX_AUTHORISATION_YEARS}年"]
    item_codes = sorted({code.strip() for code in item_codes if code.strip()})
    if not all_items and not item_codes:
        errors["item_codes"] = ["请选择授权办理的事项，或选择全部事项"]
    _raise_if(errors)
    if (
        agent
        and AgentAuthorisation.objects.filter(
            enterprise=enterprise, agent=agent, revoked_at__isnull=True, valid_until__gte=today
        ).exists()
    ):
        raise ValidationError({"agent_id_number": ["该经办人已有有效授权，请先撤销原授权"]})

    authorisation = AgentAuthorisation.objects.create(
        enterprise=enterprise,
        agent=agent,
        all_items=all_items,
        item_codes=[] if all_items else item_codes,
        valid_until=valid_until,
    )
    audit.record(
        AuditAction.AUTHORISE_AGENT,
        actor=enterprise_user,
        obj=authorisation,
        detail={
            "all_items": all_items,
            "item_codes": authorisation.item_codes,
            "valid_until": valid_until.isoformat(),
        },
    )
    return authorisation


@transaction.atomic
def revoke_agent(*, enterprise_user: User, authorisation_id: int) -> AgentAuthorisation:
    authorisation = (
        AgentAuthorisation.objects.select_for_update()
        .filter(pk=authorisation_id, enterprise__user=enterprise_user)
        .first()
    )
    if authorisation is None:
        raise ValidationError("未找到该授权")
    if authorisation.revoked_at is not None:
        raise ValidationError("该授权已撤销")
    authorisation.revoked_at = timezone.now()
    authorisation.save(update_fields=["revoked_at"])
    audit.record(AuditAction.REVOKE_AGENT, actor=enterprise_user, obj=authorisation)
    return authorisation


def active_authorisation(agent: User, enterprise: EnterpriseProfile, item_code: str = ""):
    """The authorisation letting `agent` act for `enterprise` today (for `item_code`), or None."""
    today = timezone.localdate()
    for authorisation in AgentAuthorisation.objects.filter(
        agent=agent, enterprise=enterprise, revoked_at__isnull=True, valid_until__gte=today
    ):
        if not item_code or authorisation.covers(item_code):
            return authorisation
    return None


REVEALABLE = {
    "id_number": lambda user: user.citizen.id_number,
    "phone": lambda user: user.phone,
    "legal_rep_id_number": lambda user: user.enterprise.legal_rep_id_number,
}


def reveal_personal_data(*, actor: User, subject: User, field: str, purpose: str) -> str:
    """The full value of a protected field, for someone allowed to see it, recorded with a purpose."""
    purpose = (purpose or "").strip()
    if field not in REVEALABLE:
        raise ValidationError("不支持查看该字段")
    if not purpose:
        raise ValidationError("查看完整个人信息必须说明用途")
    policy.require_personal_data(actor, subject)
    value = REVEALABLE[field](subject)
    audit.record(
        PiiAction.REVEAL, actor=actor, obj=subject, purpose=purpose, detail={"field": field}
    )
    return value


@transaction.atomic
def deactivate_accounts(*, actor: User, users) -> int:
    """停用: the accounts can no longer log in, and every session they have is ended at once."""
    users = [u for u in users if u.is_active]
    for user in users:
        policy.require_deactivate(actor, user)
    for user in users:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(AuditAction.DEACTIVATE, actor=actor, obj=user)
    _end_sessions_after_commit([u.pk for u in users])
    return len(users)


@transaction.atomic
def update_account(*, actor: User, user: User, changed: list[str]) -> None:
    """An administrator's edit of an account (the admin's change form): `user` carries the new
    values, `changed` names the fields edited. Switching `is_active` off deactivates it."""
    if not changed:
        return
    user.save(update_fields=changed)
    audit.record(AuditAction.UPDATE, actor=actor, obj=user, detail={"fields": sorted(changed)})
    if "is_active" in changed:
        audit.record(
            AuditAction.REACTIVATE if user.is_active else AuditAction.DEACTIVATE,
            actor=actor,
            obj=user,
        )
        if not user.is_active:
            _end_sessions_after_commit([user.pk])


def _end_sessions_after_commit(user_ids: list[int]) -> None:
    from tongban.accounts import sessions

    if user_ids:
        transaction.on_commit(lambda: sessions.end_sessions(user_ids))


@transaction.atomic
def reset_password(*, user: User, password: str) -> User:
    """找回密码: the person proved their phone (identity's SMS code) and chose a new password.
    Every session of the account ends, so whoever knew the old password is signed out."""
    errors: dict = {}
    _check_password(password, errors, user)
    _raise_if(errors)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(AuditAction.RESET_PASSWORD, actor=user, obj=user)
    _end_sessions_after_commit([user.pk])
    return user
