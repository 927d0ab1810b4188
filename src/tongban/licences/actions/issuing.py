"""Issuing: the first version on a case's 出证办结, and new versions (变更 / 延续) that replace
the version in force. One transaction each, with the status history and the audit record."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tongban.core import audit, events, pii
from tongban.core.identifiers import IdType
from tongban.licences import identifier, policy, states
from tongban.licences.actions.holders import _account_for, type_for_item
from tongban.licences.audit_actions import AuditAction
from tongban.licences.events import LicenceIssued
from tongban.licences.models import (
    Licence,
    LicenceType,
)
from tongban.licences.status import CancelReason, cancel, check_move, record_change

# --- issuing ------------------------------------------------------------------------------------------


def _sections(licence: Licence) -> list[tuple[str, str]]:
    kind = licence.licence_type
    until = f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"
    rows = [
        ("", f"证照标识：{licence.identifier}"),
        ("", f"持证主体：{licence.holder_name}"),
        ("", f"持证主体代码（{licence.holder_id_type_label}）：{licence.holder_id_number}"),
    ]
    rows += [("", f"{label}：{value}") for label, value in licence.field_rows() if value]
    rows += [
        ("", f"有效期限：{licence.issued_on:%Y年%m月%d日} 至 {until}"),
        ("", f"颁发机构：{licence.issuer.name}（{licence.issuer.uscc}）"),
    ]
    if licence.version > 1:
        rows.append(("", f"版本：第 {licence.version} 版（替代 {licence.previous.identifier}）"))
    if kind.pdf_notes.strip():
        rows.append(("告知事项", kind.pdf_notes))
    return rows


def verification_page_url(identifier: str) -> str:
    """The public page a licence's QR code opens: masked holder, status and validity."""
    from urllib.parse import urlencode

    query = urlencode({"identifier": identifier})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('licences:verify')}?{query}"


def _issue(
    *,
    licence_type: LicenceType,
    holder: tuple[str, str, str],
    data: dict,
    actor,
    application=None,
    previous: Licence | None = None,
    change_kind: str = "",
    issued_on: datetime.date | None = None,
    valid_until=False,  # False: by the type's validity rule; None: permanent
    owner=None,
) -> Licence:
    """Create one licence version and its signed PDF. Caller holds a transaction."""
    from tongban.seals import documents
    from tongban.seals.models import IssuedDocument

    issued_on = issued_on or timezone.localdate()
    issuer = licence_type.issuing_department
    if previous is None:
        locked = LicenceType.objects.select_for_update().get(pk=licence_type.pk)
        locked.last_serial += 1
        locked.save(update_fields=["last_serial"])
        serial, version = f"{locked.last_serial:010d}", 1
    else:
        serial, version = previous.serial, previous.version + 1
    name, id_type, id_number = holder
    licence = Licence(
        identifier=identifier.build(licence_type.type_code, issuer.uscc, serial, version),
        licence_type=licence_type,
        serial=serial,
        version=version,
        issuer=issuer,
        region_code=getattr(issuer.region, "code", "") if issuer.region_id else "",
        owner=owner if owner is not None else _account_for(id_type, id_number),
        data=data,
        issued_on=issued_on,
        valid_until=licence_type.valid_until_for(issued_on)
        if valid_until is False
        else valid_until,
        previous=previous,
        change_kind=change_kind,
        application=application,
    )
    licence.number = licence.identifier
    licence.set_holder(name, id_type, id_number)
    try:
        licence.document = documents.issue_document(
            document_type=IssuedDocument.Type.LICENCE,
            title=licence_type.name,
            sections=_sections(licence),
            department=issuer,
            actor=actor,
            related=("licences.licence", licence.identifier),
            issued_on=issued_on,
            number=licence.identifier,
            qr_url=verification_page_url(licence.identifier),
        )
    except ValidationError as error:
        raise ValidationError(f"电子证照签发失败：{'；'.join(error.messages)}") from error
    licence.save()
    audit.record(
        AuditAction.ISSUE,
        actor=actor,
        obj=licence,
        detail={
            "identifier": licence.identifier,
            "type": licence_type.type_code,
            "version": version,
            "change_kind": change_kind,
            "document": licence.document.number,
        },
    )
    events.publish(
        LicenceIssued(
            licence_id=licence.pk,
            identifier=licence.identifier,
            licence_type_name=licence_type.name,
            issuer_id=issuer.pk,
            version=version,
            change_kind=change_kind,
            application_id=application.pk if application is not None else None,
        )
    )
    return licence


def _holder_of(application, licence_type: LicenceType) -> tuple[str, str, str]:
    if licence_type.holder_kind == LicenceType.HolderKind.ENTERPRISE or application.enterprise_id:
        if not application.enterprise_id:
            raise ValidationError("该证照的持证主体是法人，但申请人不是企业")
        enterprise = application.enterprise
        return enterprise.name, IdType.USCC, enterprise.uscc
    name = application.applicant_name or application.data.get("applicant_name") or ""
    number = application.applicant_id_number or application.data.get("applicant_id_number") or ""
    if not number and not application.entrusted:
        citizen = getattr(application.owner, "citizen", None)
        if citizen is not None:
            name, number = name or citizen.real_name, citizen.id_number
    if not (name and number):
        raise ValidationError("申请人姓名或身份号码缺失，无法签发电子证照")
    return name, IdType.CITIZEN_ID, number


def _field_data(application, licence_type: LicenceType, keep: dict | None = None) -> dict:
    """照面信息 from the application's form fields of the same keys; a field the form leaves empty
    keeps the value of `keep` (the version being replaced), else the type's default."""
    values = {}
    for field in licence_type.fields or []:
        key = field.get("key")
        value = application.data.get(key)
        if value in (None, ""):
            value = (keep or {}).get(key) or field.get("default", "")
        values[key] = value if isinstance(value, str | int | float | bool) else str(value)
    return values


# 业务办理项 names carry the situation (GB/T 39046: 新设/变更/延续/注销); the first word found wins.
SITUATIONS = (("延续", "renew"), ("变更", "change"), ("注销", "cancel"))


def situation_of(application) -> str:
    """ "renew", "change", "cancel" or "new", from the 业务办理项 the applicant's answers chose."""
    handling = application.handling_item
    name = handling.name if handling is not None else ""
    return next((kind for word, kind in SITUATIONS if word in name), "new")


def current_licence(licence_type: LicenceType, id_type: str, id_number: str) -> Licence | None:
    """The holder's current version of a licence of this type (valid or expired, not ended)."""
    return (
        Licence.objects.filter(
            licence_type=licence_type,
            issuer=licence_type.issuing_department,
            holder_id_index=Licence.index_for(id_type, id_number),
            status__in=(Licence.Status.VALID, Licence.Status.EXPIRED),
        )
        .order_by("-issued_on", "-pk")
        .first()
    )


def issue_for_case(application, actor) -> Licence | None:
    """出证办结: the licence of the item's type for the applicant; None when the item issues no
    licence type. The 业务办理项 decides how: 新设 issues a new licence; 延续 and 变更 make a new
    version of the holder's current licence (the old one becomes `replaced`; without one on the
    platform a new licence is issued); 注销 cancels the current licence. Runs inside case
    completion's transaction: a signing failure rolls the completion back (Chinese message).
    The applicant's timeline learns of it from the licence.issued and licence.cancelled events."""
    licence_type = type_for_item(application.service_item, application.item_version.result_name)
    if licence_type is None:
        return None
    existing = Licence.objects.filter(application=application).order_by("-version").first()
    if existing is not None:
        return existing
    holder = _holder_of(application, licence_type)
    situation = situation_of(application)
    current = current_licence(licence_type, holder[1], holder[2]) if situation != "new" else None
    with transaction.atomic():
        if situation == "cancel":
            if current is None:
                return None
            cancel(
                current,
                None,
                CancelReason.APPLIED,
                note=f"办件 {application.case_number}",
                application_id=application.pk,
            )
            return None
        if current is not None:
            return _version_for_case(application, actor, current, situation, licence_type)
        return _issue(
            licence_type=licence_type,
            holder=holder,
            data=_field_data(application, licence_type),
            actor=actor,
            application=application,
            owner=application.enterprise.user if application.enterprise_id else None,
        )


def _version_for_case(application, actor, current: Licence, kind: str, licence_type) -> Licence:
    label = {"change": "变更", "renew": "延续"}[kind]
    return _new_version(
        current,
        actor,
        kind=kind,
        data=_field_data(application, licence_type, keep=current.data),
        reason=f"{label}（办件 {application.case_number}）",
        application=application,
    )


_require_issuer = policy.require_issuer


@transaction.atomic
def issue(
    *,
    licence_type: LicenceType,
    holder_name: str,
    holder_id_type: str,
    holder_id_number: str,
    data: dict | None = None,
    actor=None,
    issued_on: datetime.date | None = None,
    valid_until=False,  # False: by the type's validity rule; None: permanent
) -> Licence:
    """Direct issuing (department systems, demo): checks the holder's identifiers."""
    from tongban.core.identifiers import CHECKS

    _require_issuer(actor, licence_type)
    holder_id_number = pii.normalise(holder_id_number)
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise ValidationError({"holder_name": ["请填写持证主体名称"]})
    expected = (
        IdType.USCC
        if licence_type.holder_kind == LicenceType.HolderKind.ENTERPRISE
        else IdType.CITIZEN_ID
    )
    if holder_id_type != expected:
        raise ValidationError({"holder_id_type": [f"该类证照的持证主体代码类型应为 {expected}"]})
    result = CHECKS[expected.index_kind](holder_id_number)
    if not result.valid:
        raise ValidationError({"holder_id_number": [result.reason or "证件号码不正确"]})
    data = data or {}
    allowed = {f.get("key") for f in licence_type.fields or []}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({"data": [f"该类证照没有以下照面信息项：{'、'.join(unknown)}"]})
    return _issue(
        licence_type=licence_type,
        holder=(holder_name, holder_id_type, holder_id_number),
        data={k: str(v) for k, v in data.items()},
        actor=actor,
        issued_on=issued_on,
        valid_until=valid_until,
    )


@transaction.atomic
def new_version(
    licence: Licence, actor, *, kind: str, data: dict | None = None, reason: str = ""
) -> Licence:
    """变更 (kind="change": new data, same validity) or 延续 (kind="renew": new validity period),
    made directly by the issuing department's handler or approver."""
    return _new_version(licence, actor, kind=kind, data=data, reason=reason)


def _new_version(
    licence: Licence,
    actor,
    *,
    kind: str,
    data: dict | None = None,
    reason: str = "",
    application=None,
) -> Licence:
    """The same licence, version + 1 (check character recomputed), with a new signed PDF; the
    previous version becomes `replaced`. `application` set: a case's 出证办结 (the case already
    checked who may complete it), so the move is the system's."""
    if kind not in ("change", "renew"):
        raise ValidationError("版本原因只能是变更或延续")
    current = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("licence_type", "issuer")
        .get(pk=licence.pk)
    )
    states.LICENCE.check(
        current.status, Licence.Status.REPLACED, message="该证照%(status)s，不能再变更或延续"
    )
    check_move(current, Licence.Status.REPLACED, None if application is not None else actor)
    if kind == "change" and current.effective_status != Licence.Status.VALID:
        raise ValidationError("证照已过期，请办理延续")
    merged = {**current.data, **{k: str(v) for k, v in (data or {}).items()}}
    new = _issue(
        licence_type=current.licence_type,
        holder=(current.holder_name, current.holder_id_type, current.holder_id_number),
        data=merged,
        actor=actor,
        application=application,
        previous=current,
        change_kind=kind,
        valid_until=False if kind == "renew" else current.valid_until,
        owner=current.owner,
    )
    label = {"change": "变更", "renew": "延续"}[kind]
    text = (reason or "").strip() or label
    record_change(current, Licence.Status.REPLACED, actor, reason=f"{text}，新版本 {new.version}")
    audit.record(
        AuditAction.REPLACE,
        actor=actor,
        obj=current,
        detail={"by": new.identifier, "kind": kind},
    )
    return new


def renew(licence: Licence, actor, reason: str = "") -> Licence:
    return new_version(licence, actor, kind="renew", reason=reason)


def change(licence: Licence, actor, data: dict, reason: str = "") -> Licence:
    return new_version(licence, actor, kind="change", data=data, reason=reason)
