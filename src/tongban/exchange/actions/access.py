"""Consumers, access requests and grants.

无条件共享 resources are granted on request; 有条件共享 ones wait for the providing department,
which approves or refuses with a reason; 不予共享 ones cannot be requested at all.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from tongban.core import audit, statemachine
from tongban.exchange import policy
from tongban.exchange.actions.catalogue import require_data_admin
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import (
    AccessRequest,
    AccessRequestChange,
    Consumer,
    Grant,
    Resource,
    ShareCondition,
)
from tongban.exchange.states import ACCESS_REQUEST, PROVIDER, REQUESTER, SYSTEM

R = AccessRequest.Status
SCOPE = "exchange"


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- consumers ------------------------------------------------------------------------------------


@transaction.atomic
def create_consumer(
    *, actor, code: str, name: str, kind: str, department, rate_limit_per_minute: int = 600
) -> tuple[Consumer, str]:
    """A consumer; a department system also gets an OAuth client (client credentials). Returns
    the consumer and the client secret, shown once (only its hash is stored)."""
    policy.require_register_consumers(actor)
    errors = {}
    if not (code or "").strip() or not (name or "").strip():
        errors["code"] = ["请填写使用方代码和名称"]
    elif Consumer.objects.filter(code=code.strip()).exists():
        errors["code"] = [f"使用方代码 {code} 已存在"]
    if kind not in Consumer.Kind.values:
        errors["kind"] = ["使用方类型无效"]
    if rate_limit_per_minute < 1:
        errors["rate_limit_per_minute"] = ["每分钟调用上限至少为 1"]
    _raise_if(errors)
    secret = ""
    application = None
    if kind == Consumer.Kind.SYSTEM:
        secret = generate_client_secret()
        application = get_application_model().objects.create(
            name=name.strip(),
            client_type="confidential",
            authorization_grant_type="client-credentials",
            client_secret=secret,
        )
    consumer = Consumer.objects.create(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        department=department,
        application=application,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    audit.record(AuditAction.CONSUMER_CREATE, actor=_user(actor), obj=consumer)
    return consumer, secret


@transaction.atomic
def rotate_secret(*, actor, consumer: Consumer) -> str:
    """A new client secret for a department system, shown once; the old one stops working and
    every token issued with it is revoked."""
    policy.require_register_consumers(actor)
    consumer = (
        # of self: the application is the nullable side of an outer join, which PostgreSQL cannot lock
        Consumer.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=consumer.pk)
    )
    if consumer.application is None:
        raise ValidationError({"consumer": ["平台功能没有客户端密钥"]})
    secret = generate_client_secret()
    application = consumer.application
    application.client_secret = secret
    application.save(update_fields=["client_secret"])
    revoked = 0
    for token in application.accesstoken_set.all():
        token.revoke()
        revoked += 1
    audit.record(
        AuditAction.CONSUMER_ROTATE, actor=_user(actor), obj=consumer, detail={"tokens": revoked}
    )
    return secret


def consumer_for_token(token) -> Consumer | None:
    """The consumer behind an OAuth access token (client credentials)."""
    if token is None or token.application_id is None:
        return None
    return (
        Consumer.objects.select_related("department")
        .filter(application_id=token.application_id, active=True)
        .first()
    )


# --- access requests ------------------------------------------------------------------------------


def _check_request(consumer, resource, items, purpose, legal_basis, valid_until) -> dict:
    errors: dict = {}
    version = resource.current_version
    if version is None:
        return {"resource": ["该数据资源未发布或已停用，不能申请"]}
    if version.share_condition == ShareCondition.NOT_SHARED:
        return {"resource": [f"“{version.name}”为不予共享资源（{version.share_basis}），不能申请"]}
    known = set(version.items.values_list("code", flat=True))
    if not items:
        errors["items"] = ["请至少选择一个信息项"]
    unknown = [code for code in items if code not in known]
    if unknown:
        errors["items"] = [f"资源中没有这些信息项：{'、'.join(unknown)}"]
    if not (purpose or "").strip():
        errors["purpose"] = ["请填写用途"]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = ["请填写使用数据的法律依据"]
    if valid_until is None or valid_until <= timezone.localdate():
        errors["valid_until"] = ["使用期限必须晚于今天"]
    if not consumer.active:
        errors["consumer"] = ["该使用方已停用"]
    return errors


_require_requester = policy.require_requester


@transaction.atomic
def request_access(
    *,
    actor,
    consumer: Consumer,
    resource: Resource,
    items: list[str],
    purpose: str,
    legal_basis: str,
    valid_until: datetime.date,
) -> AccessRequest:
    """Ask for items of a resource. 无条件共享: granted at once; 有条件共享: waits for the provider."""
    _require_requester(actor, consumer)
    resource = Resource.objects.select_related("current_version", "department").get(pk=resource.pk)
    items = list(dict.fromkeys(items or []))
    _raise_if(_check_request(consumer, resource, items, purpose, legal_basis, valid_until))
    request = AccessRequest.objects.create(
        consumer=consumer,
        resource=resource,
        items=items,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        valid_until=valid_until,
        requested_by=_user(actor),
    )
    AccessRequestChange.objects.create(
        request=request, to_status=R.PENDING, actor=_user(actor), note="提交申请"
    )
    audit.record(
        AuditAction.REQUEST_CREATE,
        actor=_user(actor),
        obj=request,
        detail={"resource": resource.code, "consumer": consumer.code, "items": items},
    )
    if resource.current_version.share_condition == ShareCondition.UNCONDITIONAL:
        _move(request, R.APPROVED, None, "无条件共享，自动授权", SYSTEM)
        _grant_for(request)
    return request


def _move(request: AccessRequest, target: str, actor, note: str, kind: str, audit_action=None):
    request.decided_at = timezone.now()
    request.decided_by = _user(actor)
    request.reason = note[:300]
    statemachine.transition(
        request,
        target,
        actor=actor,
        actor_kind=kind,
        machine=ACCESS_REQUEST,
        message="申请不能从“%(before)s”变为“%(after)s”",
        update_fields=["decided_at", "decided_by", "reason"],
        reason=note,
        audit_action=audit_action,
        audit_detail={"reason": note} if target == R.REFUSED else None,
        write_audit=audit_action is not None,
    )


def _grant_for(request: AccessRequest) -> Grant:
    grant = Grant.objects.create(
        consumer=request.consumer,
        resource=request.resource,
        items=request.items,
        purpose=request.purpose,
        legal_basis=request.legal_basis,
        valid_until=request.valid_until,
        request=request,
    )
    audit.record(
        AuditAction.GRANT_CREATE,
        obj=grant,
        detail={"request": request.pk, "items": request.items, "until": str(request.valid_until)},
    )
    return grant


def _locked(request: AccessRequest) -> AccessRequest:
    return (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("resource__department", "consumer")
        .get(pk=request.pk)
    )


@transaction.atomic
def approve(*, actor, request: AccessRequest, note: str = "") -> Grant:
    """The providing department agrees: the grant is live from now on."""
    request = _locked(request)
    require_data_admin(actor, request.resource.department)
    _move(
        request,
        R.APPROVED,
        actor,
        (note or "").strip() or "同意",
        PROVIDER,
        AuditAction.REQUEST_APPROVE,
    )
    return _grant_for(request)


@transaction.atomic
def refuse(*, actor, request: AccessRequest, reason: str) -> AccessRequest:
    request = _locked(request)
    require_data_admin(actor, request.resource.department)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["拒绝申请必须写明理由"]})
    _move(request, R.REFUSED, actor, reason.strip(), PROVIDER, AuditAction.REQUEST_REFUSE)
    return request


@transaction.atomic
def cancel(*, actor, request: AccessRequest) -> AccessRequest:
    request = _locked(request)
    _require_requester(actor, request.consumer)
    _move(request, R.CANCELLED, actor, "申请方撤回", REQUESTER, AuditAction.REQUEST_CANCEL)
    return request


@transaction.atomic
def revoke_grant(*, actor, grant: Grant, reason: str) -> Grant:
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("resource__department")
        .get(pk=grant.pk)
    )
    require_data_admin(actor, grant.resource.department)
    if grant.revoked_at is not None:
        raise ValidationError({"grant": ["该授权已撤销"]})
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请填写撤销原因"]})
    grant.revoked_at, grant.revoke_reason = timezone.now(), reason.strip()[:300]
    grant.save(update_fields=["revoked_at", "revoke_reason"])
    audit.record(AuditAction.GRANT_REVOKE, actor=_user(actor), obj=grant, detail={"reason": reason})
    return grant


def live_grants(consumer_id: int, resource_id: int):
    """Grants in force today (not revoked, not expired)."""
    return Grant.objects.filter(
        consumer_id=consumer_id,
        resource_id=resource_id,
        revoked_at__isnull=True,
        valid_until__gte=timezone.localdate(),
    )


def why_no_grant(consumer_id: int, resource_id: int) -> tuple[str, str]:
    """The refusal (code, reason) for a consumer without a live grant for a resource."""
    grants = Grant.objects.filter(consumer_id=consumer_id, resource_id=resource_id)
    if grants.filter(revoked_at__isnull=True).exists():
        return "grant_expired", "对该资源的授权已过期，请重新申请"
    if grants.exists():
        return "grant_revoked", "对该资源的授权已被撤销"
    return "not_granted", "未获得该数据资源的共享授权，请先提交共享申请"
