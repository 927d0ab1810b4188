"""Keeping seals: create, rotate (更换) and revoke (注销) a department's e-seal, each move
through the seal's state machine (seals.states.SEAL); which seal signs by default."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit, statemachine
from tongban.core.models import Department
from tongban.seals import ca, images, policy
from tongban.seals.actions.common import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, _format_date
from tongban.seals.audit_actions import AuditAction
from tongban.seals.models import Seal
from tongban.seals.states import SEAL

# --- Seals ----------------------------------------------------------------------------------------


def _check_seal_fields(department, name: str, kind: str, valid_days: int) -> str:
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["请填写印章名称"]
    elif len(name) > 100:
        errors["name"] = ["印章名称不能超过100个字"]
    if kind not in Seal.Kind.values:
        errors["kind"] = ["印章类型应为公章、业务专用章或电子证照专用章"]
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_VALID_DAYS:
        errors["valid_days"] = [f"有效期应为1至{MAX_VALID_DAYS}天"]
    if department is None or not department.is_active:
        errors["department"] = ["请选择启用中的部门"]
    if errors:
        raise ValidationError(errors)
    return name


def _new_seal(department, name: str, kind: str, valid_days: int, actor) -> Seal:
    issuer = ca.current_ca()
    key = ca.new_private_key()
    now = timezone.now().replace(microsecond=0)
    valid_from = now - datetime.timedelta(minutes=1)  # tolerate small clock differences
    valid_until = now + datetime.timedelta(days=valid_days)
    cert = ca.issue_seal_certificate(
        ca=issuer,
        public_key=key.public_key(),
        seal_name=name,
        department_name=department.name,
        department_uscc=department.uscc,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return Seal.objects.create(
        department=department,
        name=name,
        kind=kind,
        image_png=images.seal_png(department.name, Seal.Kind(kind).label),
        certificate_pem=ca.cert_to_pem(cert),
        private_key_encrypted=ca.encrypt_key(key),
        serial_hex=format(cert.serial_number, "x"),
        fingerprint_sha256=ca.fingerprint(cert),
        issuer_ca=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )


@transaction.atomic
def create_seal(
    actor, department: Department, name: str, kind: str, valid_days: int = DEFAULT_VALID_DAYS
) -> Seal:
    policy.require_keeper(actor)
    name = _check_seal_fields(department, name, kind, valid_days)
    seal = _new_seal(department, name, kind, valid_days, actor)
    audit.record(
        AuditAction.SEAL_CREATED,
        actor=actor,
        obj=seal,
        detail={
            "department_id": department.pk,
            "name": name,
            "kind": kind,
            "serial": seal.serial_hex,
            "valid_until": seal.valid_until.isoformat(),
        },
    )
    return seal


@transaction.atomic
def rotate_seal(actor, seal: Seal) -> Seal:
    """New key pair and certificate under a new Seal row; the old one stays for verification only."""
    policy.require_keeper(actor)
    old = Seal.objects.select_for_update(of=("self",)).select_related("department").get(pk=seal.pk)
    refused = f"印章“{old.name}”%(status)s，不能再更换"
    SEAL.check(old.status, Seal.Status.ROTATED, message=refused)
    days = max(1, min(MAX_VALID_DAYS, (old.valid_until - old.valid_from).days))
    new = _new_seal(old.department, old.name, old.kind, days, actor)
    old.replaced_by = new
    statemachine.transition(
        old,
        Seal.Status.ROTATED,
        actor=actor,
        machine=SEAL,
        message=refused,
        update_fields=["replaced_by"],
        audit_action=AuditAction.SEAL_ROTATED,
        audit_detail={
            "new_seal_id": new.pk,
            "old_serial": old.serial_hex,
            "new_serial": new.serial_hex,
        },
    )
    seal.status, seal.replaced_by = old.status, new
    return new


@transaction.atomic
def revoke_seal(actor, seal: Seal, reason: str) -> Seal:
    policy.require_keeper(actor)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": ["请填写注销原因"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["注销原因不能超过200个字"]})
    locked = Seal.objects.select_for_update().get(pk=seal.pk)
    refused = f"印章“{locked.name}”已于{_format_date(locked.revoked_at)}注销"
    SEAL.check(locked.status, Seal.Status.REVOKED, message=refused)
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    statemachine.transition(
        locked,
        Seal.Status.REVOKED,
        actor=actor,
        machine=SEAL,
        message=refused,
        reason=reason,
        update_fields=["revoked_at", "revocation_reason"],
        audit_action=AuditAction.SEAL_REVOKED,
        audit_detail={"serial": locked.serial_hex, "reason": reason},
    )
    seal.status, seal.revoked_at, seal.revocation_reason = (
        locked.status,
        locked.revoked_at,
        reason,
    )
    return locked


def signing_problem(seal: Seal) -> str:
    """Why `seal` cannot sign right now (Chinese), or "" when it can."""
    status = seal.effective_status
    if status == Seal.Status.REVOKED:
        return f"印章“{seal.name}”已于{_format_date(seal.revoked_at)}注销，不能再用于签章"
    if status == Seal.Status.ROTATED:
        return f"印章“{seal.name}”已更换为新印章，旧印章不能再用于签章"
    if status == Seal.Status.EXPIRED:
        return f"印章“{seal.name}”已于{_format_date(seal.valid_until)}过期，不能再用于签章"
    if seal.valid_from > timezone.now():
        return f"印章“{seal.name}”尚未生效（{_format_date(seal.valid_from)}起生效）"
    return ""


def default_seal(department: Department, kinds: list[str] | None = None) -> Seal:
    """The department's newest seal that can sign, preferring `kinds` in order."""
    return _preferred_seal(Seal.objects.all(), department, kinds)


def default_seal_label(department: Department) -> str | None:
    """The kind label ("业务专用章") of the seal `default_seal` would choose, or None when the
    department has none. Rendering without signing (a preview, a benchmark) needs nothing else,
    and the seal's image, certificate and key are the bulk of its row. Issued documents, the
    申请回执 included, are always signed with the seal they show."""
    try:
        return _preferred_seal(Seal.objects.only("kind"), department).get_kind_display()
    except ValidationError:
        return None


def _preferred_seal(seals, department: Department, kinds: list[str] | None = None) -> Seal:
    kinds = kinds or [Seal.Kind.BUSINESS, Seal.Kind.OFFICIAL, Seal.Kind.LICENCE]
    now = timezone.now()
    candidates = seals.filter(
        department=department,
        kind__in=kinds,
        status=Seal.Status.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
    ).order_by("-created_at")
    by_kind: dict[str, Seal] = {}
    for seal in candidates[:20]:
        by_kind.setdefault(seal.kind, seal)
    for kind in kinds:
        if kind in by_kind:
            return by_kind[kind]
    raise ValidationError(f"部门“{department.name}”没有可用的电子印章，请联系平台管理员创建印章")
