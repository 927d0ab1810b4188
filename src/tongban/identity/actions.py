"""The identity service layer: department systems' registrations, people's consents, sign-in
sessions and login history, signing keys, real-name levels. Every change is one transaction with
an audit record; views, admin and commands call these."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from tongban.accounts.models import CitizenProfile, User
from tongban.accounts.roles import Role
from tongban.core import audit, plugins, statemachine
from tongban.identity import backchannel, realname, states
from tongban.identity.audit_actions import AuditAction
from tongban.identity.claims import mask_address
from tongban.identity.models import (
    SCOPES,
    SYSTEM_SCOPES,
    ClientRegistration,
    Consent,
    LoginEvent,
    RegistrationChange,
    SignInSession,
)

Application = get_application_model()
Status = ClientRegistration.Status


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _platform_admin(actor) -> None:
    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise ValidationError({"actor": ["只有平台管理员可以管理接入系统"]})


def _uris(text: str, field: str, errors: dict, *, required: bool) -> list[str]:
    uris = [u.strip() for u in re.split(r"[\s,]+", text or "") if u.strip()]
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment:
            errors[field] = [f"地址 {uri} 无效：应为完整的 https:// 地址，且不含 #"]
            break
    if required and not uris and field not in errors:
        errors[field] = ["请至少填写一个地址"]
    return uris


# --- registrations -------------------------------------------------------------------------------
@transaction.atomic
def register_client(
    *,
    actor,
    name: str,
    department,
    grant: str = ClientRegistration.Grant.SIGN_IN,
    confidential: bool = True,
    redirect_uris: str = "",
    post_logout_redirect_uris: str = "",
    backchannel_logout_uri: str = "",
    allowed_scopes: list[str],
) -> ClientRegistration:
    """Record a department system's request to connect; it can do nothing until approved."""
    _platform_admin(actor)
    errors: dict = {}
    name = (name or "").strip()
    if not 2 <= len(name) <= 100:
        errors["name"] = ["请填写系统名称（2至100字）"]
    if department is None:
        errors["department"] = ["请选择所属部门"]
    if grant not in ClientRegistration.Grant.values:
        errors["grant"] = ["接入方式无效"]
    sign_in = grant == ClientRegistration.Grant.SIGN_IN
    known = set(SCOPES) if sign_in else set(SYSTEM_SCOPES)
    scopes = sorted(set(allowed_scopes or []))
    if not scopes or set(scopes) - known:
        errors["allowed_scopes"] = [f"权限范围应从以下选择：{'、'.join(sorted(known))}"]
    elif sign_in and "openid" not in scopes:
        errors["allowed_scopes"] = ["登录接入必须包含 openid"]
    if not sign_in and not confidential:
        errors["confidential"] = ["客户端凭证只能用于机密客户端（服务器端系统）"]
    redirects = _uris(redirect_uris, "redirect_uris", errors, required=sign_in)
    after_logout = _uris(
        post_logout_redirect_uris, "post_logout_redirect_uris", errors, required=False
    )
    backchannel_uri = _uris(
        backchannel_logout_uri, "backchannel_logout_uri", errors, required=False
    )
    _raise_if(errors)

    application = Application.objects.create(
        name=name,
        client_type="confidential" if confidential else "public",
        authorization_grant_type=grant,
        redirect_uris=" ".join(redirects) if sign_in else "",
        post_logout_redirect_uris=" ".join(after_logout) if sign_in else "",
        algorithm="RS256" if sign_in else "",
        client_secret="",  # a secret is made on approval and shown once
    )
    registration = ClientRegistration.objects.create(
        application=application,
        name=name,
        department=department,
        grant=grant,
        confidential=confidential,
        redirect_uris="\n".join(redirects),
        post_logout_redirect_uris="\n".join(after_logout),
        backchannel_logout_uri=backchannel_uri[0] if backchannel_uri else "",
        allowed_scopes=scopes,
        requested_by=actor,
    )
    _history(registration, "register", "", Status.PENDING, actor)
    audit.record(
        AuditAction.CLIENT_REGISTERED,
        actor=actor,
        obj=registration,
        detail={"client_id": application.client_id, "scopes": scopes, "grant": grant},
    )
    return registration


def _history(registration, action, from_status, to_status, actor, note=""):
    RegistrationChange.objects.create(
        registration=registration,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
    )


def _move(registration: ClientRegistration, target: str, actor, note: str = "") -> None:
    locked = (
        ClientRegistration.objects.select_related("application")
        .select_for_update(of=("self",))
        .get(pk=registration.pk)
    )
    name = locked.name.replace("%", "%%")
    statemachine.transition(
        locked,
        target,
        actor=actor,
        actor_kind=states.PLATFORM_ADMIN if getattr(actor, "pk", None) else states.SYSTEM,
        machine=states.REGISTRATION,
        message=f"接入系统“{name}”当前为%(before)s，不能改为%(after)s",
        update_fields=[],
        reason=note,
        audit_detail={"client_id": locked.application.client_id, "note": note[:200]},
    )
    registration.status = target


@transaction.atomic
def approve_client(*, actor, registration: ClientRegistration) -> str:
    """Approve a registration (or re-enable a suspended one). Returns the client secret, shown
    once, for a confidential client approved for the first time; "" otherwise."""
    _platform_admin(actor)
    if actor is not None and registration.requested_by_id == actor.pk:
        raise ValidationError("登记人不能审批自己登记的接入系统，请由另一名平台管理员审批")
    first_time = registration.status == Status.PENDING
    _move(registration, Status.APPROVED, actor)
    if first_time and registration.confidential:
        return _new_secret(registration, actor, action=AuditAction.ISSUE_SECRET)
    return ""


@transaction.atomic
def reject_client(*, actor, registration: ClientRegistration, reason: str) -> None:
    _platform_admin(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写驳回理由"]})
    _move(registration, Status.REJECTED, actor, reason.strip())


@transaction.atomic
def suspend_client(*, actor, registration: ClientRegistration, reason: str) -> int:
    """Stop a system at once: its tokens are deleted. Returns how many tokens were deleted."""
    _platform_admin(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写停用理由"]})
    _move(registration, Status.SUSPENDED, actor, reason.strip())
    return _delete_tokens(application=registration.application)


@transaction.atomic
def rotate_secret(*, actor, registration: ClientRegistration) -> str:
    """A new client secret (the old one stops working at once); returned once, stored hashed."""
    _platform_admin(actor)
    if not registration.confidential:
        raise ValidationError("公开客户端没有客户端密钥")
    if registration.status != Status.APPROVED:
        raise ValidationError("只有已批准的接入系统可以更换密钥")
    return _new_secret(registration, actor, action=AuditAction.ROTATE_SECRET)


def _new_secret(registration, actor, *, action: AuditAction) -> str:
    """The history row is named after the move (`issue_secret` / `rotate_secret`), the audit
    record after its code."""
    secret = generate_client_secret()
    application = registration.application
    application.client_secret = secret
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
    registration.secret_rotated_at = timezone.now()
    registration.save(update_fields=["secret_rotated_at"])
    _history(
        registration,
        action.removeprefix("identity."),
        registration.status,
        registration.status,
        actor,
    )
    audit.record(
        action,
        actor=actor,
        obj=registration,
        detail={"client_id": application.client_id},
    )
    return secret


def _delete_tokens(*, application, user=None) -> int:
    AccessToken, RefreshToken = get_access_token_model(), get_refresh_token_model()
    tokens = AccessToken.objects.filter(application=application)
    refresh = RefreshToken.objects.filter(application=application)
    if user is not None:
        tokens, refresh = tokens.filter(user=user), refresh.filter(user=user)
    refresh.delete()
    count, _detail = tokens.delete()
    return count


# --- consents ------------------------------------------------------------------------------------
def active_consent(user, application) -> Consent | None:
    return Consent.objects.filter(
        user=user, application=application, revoked_at__isnull=True
    ).first()


@transaction.atomic
def grant_consent(*, user, application, scopes) -> Consent:
    """The person agreed on the consent page: the consent covers these scopes from now on."""
    scopes = sorted(set(scopes))
    consent = (
        Consent.objects.select_for_update()
        .filter(user=user, application=application, revoked_at__isnull=True)
        .first()
    )
    if consent is None:
        consent = Consent.objects.create(user=user, application=application, scopes=scopes)
    else:
        consent.scopes = sorted(set(consent.scopes) | set(scopes))
        consent.save(update_fields=["scopes"])
    audit.record(
        AuditAction.CONSENT_GRANTED,
        actor=user,
        obj=consent,
        detail={"client_id": application.client_id, "scopes": scopes},
    )
    return consent


@transaction.atomic
def revoke_consent(*, user, consent_id: int, issuer: str = "") -> Consent:
    """The person withdraws a system's access: consent ended, the system's tokens for the person
    deleted, and the system told (back-channel logout) to end the person's sessions there."""
    consent = (
        Consent.objects.select_for_update()
        .select_related("application")
        .filter(pk=consent_id, user=user)
        .first()
    )
    if consent is None or consent.revoked_at is not None:
        raise ValidationError("该授权不存在或已撤销")
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    deleted = _delete_tokens(application=consent.application, user=user)
    sessions = SignInSession.objects.filter(
        user=user, ended_at__isnull=True, applications=consent.application
    )
    for session in sessions:
        session.applications.remove(consent.application)
        backchannel.notify_after_commit(
            session_sid=session.sid,
            user_id=user.pk,
            application_ids=[consent.application_id],
            iss=issuer,
        )
    audit.record(
        AuditAction.CONSENT_REVOKED,
        actor=user,
        obj=consent,
        detail={"client_id": consent.application.client_id, "tokens_deleted": deleted},
    )
    return consent


def record_use(*, user, application) -> None:
    Consent.objects.filter(user=user, application=application, revoked_at__isnull=True).update(
        last_used_at=timezone.now()
    )


# --- sessions and login history ------------------------------------------------------------------
def _device(user_agent: str) -> str:
    agent = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("Chrome/", "Chrome"),
                ("Firefox/", "Firefox"),
                ("Safari/", "Safari"),
                ("python-requests", "程序"),
            )
            if key in agent
        ),
        "浏览器",
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("Windows", "Windows"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            )
            if key in agent
        ),
        "",
    )
    return f"{browser} · {system}" if system else browser


@transaction.atomic
def session_started(*, user, session_key: str, method: str, user_agent: str, address: str):
    if user.kind == User.Kind.STAFF and not session_key:
        return None
    device, masked = _device(user_agent), mask_address(address)
    LoginEvent.objects.create(user=user, method=method, device=device, address=masked)
    return SignInSession.objects.create(
        user=user, session_key=session_key or "", method=method, device=device, address=masked
    )


def login_failed(*, user, user_agent: str, address: str) -> None:
    LoginEvent.objects.create(
        user=user,
        method=LoginEvent.Method.PASSWORD,
        succeeded=False,
        device=_device(user_agent),
        address=mask_address(address),
    )


@transaction.atomic
def signed_in_to(*, session_key: str, user, application) -> SignInSession | None:
    """The person signed in to a system through this browser session (for back-channel logout)."""
    session = (
        SignInSession.objects.filter(user=user, session_key=session_key, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    if session is None:  # a session from before the identity app: start tracking it now
        session = SignInSession.objects.create(
            user=user, session_key=session_key, method="password"
        )
    session.applications.add(application)
    record_use(user=user, application=application)
    return session


@transaction.atomic
def session_ended(*, session_key: str, user_id: int, issuer: str = "") -> int:
    """Logout: the sessions end and every system signed in through them is told."""
    ended = 0
    for session in SignInSession.objects.filter(
        session_key=session_key, user_id=user_id, ended_at__isnull=True
    ):
        _end(session, issuer)
        ended += 1
    return ended


def _end(session: SignInSession, issuer: str = "") -> None:
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at"])
    ids = list(session.applications.values_list("pk", flat=True))
    if ids:
        backchannel.notify_after_commit(
            session_sid=session.sid, user_id=session.user_id, application_ids=ids, iss=issuer
        )


@transaction.atomic
def end_session(
    *, user, sid: str, current_session_key: str = "", issuer: str = ""
) -> SignInSession:
    """The person ends one of their sessions from 账号安全 (e.g. a phone they lost)."""
    from tongban.accounts import sessions as session_store

    session = SignInSession.objects.filter(user=user, sid=sid, ended_at__isnull=True).first()
    if session is None:
        raise ValidationError("该会话不存在或已结束")
    if session.session_key and session.session_key == current_session_key:
        raise ValidationError("不能在这里结束当前会话，请使用“退出登录”")
    _end(session, issuer)
    key = session.session_key
    transaction.on_commit(lambda: session_store._store()(session_key=key).delete())
    audit.record(AuditAction.SESSION_ENDED, actor=user, obj=session, detail={"sid": sid})
    return session


def active_sessions(user) -> list[SignInSession]:
    from tongban.accounts import sessions as session_store

    store = session_store._store()()
    live = []
    for session in (
        SignInSession.objects.filter(user=user, ended_at__isnull=True)
        .prefetch_related("applications")
        .order_by("-started_at")[:20]
    ):
        if session.session_key and store.exists(session.session_key):
            live.append(session)
    return live


# --- real-name levels ----------------------------------------------------------------------------
def raise_realname_level(*, user, level: int, evidence: str = "") -> int:
    """Run the check of `level` (levels go up one at a time) and record the new level. The check
    is audited whether it passes or not."""
    if user.kind != User.Kind.CITIZEN:
        raise ValidationError("实名认证等级只适用于自然人账户")
    if level not in realname.KIND_OF_LEVEL:
        raise ValidationError("实名认证等级无效")
    with transaction.atomic():
        profile = CitizenProfile.objects.select_for_update().get(user=user)
        current = int(profile.verification_level)
        if level <= current:
            raise ValidationError(f"您已达到{current}级实名认证")
        if level != current + 1:
            raise ValidationError(f"请先完成{current + 1}级实名认证")
        check = plugins.get_plugin(realname.KIND_OF_LEVEL[level])
        result = check.check(
            real_name=profile.real_name, id_number=profile.id_number, evidence=evidence
        )
        audit.record(
            AuditAction.REALNAME_CHECK,
            actor=user,
            obj=user,
            detail={"level": level, "passed": result.passed, "plugin": check.name},
        )
        if result.passed:
            profile.verification_level = level
            profile.save(update_fields=["verification_level"])
    if not result.passed:
        raise ValidationError(result.reason or "核验未通过")
    return level
