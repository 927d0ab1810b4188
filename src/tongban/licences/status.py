"""Ending a licence: 撤销 (revocation, a decision with a sealed 撤销决定书) and 注销 (cancellation,
recording that the licence has ended), plus the status history every move appends to.

Each function validates, locks the version, checks the move against licences.states and the
actor's role in the issuing department, writes the status, the history row, the audit record and
the holder's notification in one transaction. Views, the API, the admin and the `tongban licences`
command call these functions; so does the 告知承诺 check in cases when a commitment proves false.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from tongban.core import audit, events, statemachine
from tongban.licences import policy, states
from tongban.licences.audit_actions import AuditAction
from tongban.licences.events import LicenceCancelled, LicenceRevoked
from tongban.licences.models import Licence

MAX_REASON = 200
MAX_BASIS = 300


NotPermitted = policy.NotPermitted  # refusals for the actor: a PermissionDenied


class CancelReason(models.TextChoices):
    """Why a licence is cancelled (行政许可法 第七十条 lists the cases)."""

    APPLIED = "applied", "申请注销"
    NOT_RENEWED = "not_renewed", "有效期届满未延续"
    TERMINATED = "terminated", "依法终止"
    HOLDER_GONE = "holder_gone", "持证主体依法终止或死亡"
    OTHER = "other", "其他法定情形"


def _locked(licence: Licence) -> Licence:
    return (
        Licence.objects.select_for_update(of=("self",))
        .select_related("licence_type", "issuer")
        .get(pk=licence.pk)
    )


def check_move(current: Licence, target: str, actor) -> None:
    """Refuse a move the status table does not allow, or an actor without the role for it."""
    label = Licence.Status(target).label.removeprefix("已")
    states.LICENCE.check(current.status, target, message=f"该证照%(status)s，不能再{label}")
    policy.require_move(actor, current, target)


def record_change(
    licence: Licence,
    target: str,
    actor,
    *,
    reason: str = "",
    legal_basis: str = "",
    document=None,
) -> None:
    """Move `licence` (locked by the caller) to `target` and append the history row (the caller
    writes the audit record, which names the decision)."""
    licence.status_changed_at = timezone.now()
    licence.status_reason = reason[:MAX_REASON]
    licence.status_basis = legal_basis[:MAX_BASIS]
    licence.status_document = document
    statemachine.transition(
        licence,
        target,
        actor=actor,
        machine=states.LICENCE,
        reason=reason[:MAX_REASON],
        update_fields=["status_changed_at", "status_reason", "status_basis", "status_document"],
        history={
            "legal_basis": legal_basis[:MAX_BASIS],
            "document": document,
            "changed_at": licence.status_changed_at,
        },
        write_audit=False,
    )


def _decision_sections(licence: Licence, reason: str, legal_basis: str) -> list[tuple[str, str]]:
    until = f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"
    # The holder by name, a person or an enterprise alike (never "你（单位）").
    holder = (licence.holder_name or "").strip() or "持证人"
    return [
        ("", f"{holder}："),
        (
            "",
            f"本机关于{licence.issued_on:%Y年%m月%d日}向{holder}颁发的{licence.licence_type.name}"
            f"（证照标识 {licence.identifier}，有效期至 {until}），经查有下列情形，"
            "本机关决定予以撤销。该证照自本决定作出之日起失效，不得继续使用。",
        ),
        ("撤销理由", reason),
        ("法律依据", legal_basis),
        (
            "救济途径",
            "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
            "或者在六个月内依法提起行政诉讼。",
        ),
    ]


def _issue_decision(licence: Licence, actor, reason: str, legal_basis: str):
    from tongban.seals import documents
    from tongban.seals.models import IssuedDocument

    try:
        return documents.issue_document(
            document_type=IssuedDocument.Type.DECISION,
            title="撤销决定书",
            sections=_decision_sections(licence, reason, legal_basis),
            department=licence.issuer,
            actor=actor,
            related=("licences.licence", licence.identifier),
        )
    except ValidationError as error:
        raise ValidationError(f"撤销决定书签发失败：{'；'.join(error.messages)}") from error


def _notify_holder(licence: Licence, template: str, reason: str) -> None:
    if licence.owner_id is None:
        return
    from tongban.notify import actions as notify

    notify.send(
        licence.owner,
        template,
        {
            "licence_name": licence.licence_type.name,
            "department": licence.issuer.name,
            "reason": reason[:60],
        },
        related=licence,
        link=reverse("licences:detail", args=[licence.pk]),
    )


@transaction.atomic
def revoke(licence: Licence, actor, reason: str, *, legal_basis: str = "", decision=None):
    """撤销: the issuing organ's approver revokes the licence for `reason` on `legal_basis`.

    A sealed 撤销决定书 is issued, unless the caller already issued the decision (`decision`, an
    IssuedDocument: the case's 撤销行政许可决定书 when a 告知承诺 proved false). The licence is
    invalid at once; verification, the register page and the wallet show 已撤销 with the reason."""
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = ["请填写撤销理由"]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [f"撤销理由不能超过{MAX_REASON}个字"]
    if not legal_basis and decision is None:
        errors["legal_basis"] = ["请填写撤销的法律依据"]
    elif len(legal_basis) > MAX_BASIS:
        errors["legal_basis"] = [f"法律依据不能超过{MAX_BASIS}个字"]
    if errors:
        raise ValidationError(errors)
    current = _locked(licence)
    check_move(current, Licence.Status.REVOKED, actor)
    if decision is None:
        decision = _issue_decision(current, actor, reason, legal_basis)
    record_change(
        current,
        Licence.Status.REVOKED,
        actor,
        reason=reason,
        legal_basis=legal_basis,
        document=decision,
    )
    audit.record(
        AuditAction.REVOKE,
        actor=actor,
        obj=current,
        detail={"reason": reason, "legal_basis": legal_basis, "decision": decision.number},
    )
    _notify_holder(current, "licence.revoked", reason)
    events.publish(
        LicenceRevoked(licence_id=current.pk, identifier=current.identifier, reason=reason[:200])
    )
    return current


@transaction.atomic
def cancel(
    licence: Licence, actor, reason: str, *, note: str = "", application_id: int | None = None
) -> Licence:
    """注销: record that the licence has ended (`reason` a CancelReason value, `note` details;
    required for 其他法定情形). No new version, no document; the holder is told. `application_id`:
    the 注销 case whose 办结 ended it."""
    note = (note or "").strip()
    if reason not in CancelReason.values:
        raise ValidationError({"reason": ["请选择注销原因"]})
    if reason == CancelReason.OTHER and not note:
        raise ValidationError({"note": ["注销原因为“其他法定情形”时，请填写具体情况"]})
    if len(note) > 150:
        raise ValidationError({"note": ["情况说明不能超过150个字"]})
    current = _locked(licence)
    check_move(current, Licence.Status.CANCELLED, actor)
    if reason == CancelReason.NOT_RENEWED and current.effective_status != Licence.Status.EXPIRED:
        raise ValidationError({"reason": ["该证照尚在有效期内，不能以“有效期届满未延续”注销"]})
    text = CancelReason(reason).label + (f"：{note}" if note else "")
    record_change(current, Licence.Status.CANCELLED, actor, reason=text)
    audit.record(AuditAction.CANCEL, actor=actor, obj=current, detail={"reason": text})
    _notify_holder(current, "licence.cancelled", text)
    events.publish(
        LicenceCancelled(
            licence_id=current.pk,
            identifier=current.identifier,
            licence_type_name=current.licence_type.name,
            issuer_id=current.issuer_id,
            reason=text[:200],
            application_id=application_id,
        )
    )
    return current


def history(licence: Licence):
    return licence.status_changes.select_related("document", "actor").order_by("-changed_at", "-pk")
