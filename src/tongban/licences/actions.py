"""The e-licence service layer: issue on 出证办结, new versions (变更/延续), revoke, expire,
expiry reminders, 免证可办 (a material fulfilled from the wallet), 亮证 tokens and verification.

Every state change runs in one transaction with an audit record; views, the API, the case
workflow and the Celery jobs call these functions and change nothing on their own.
"""

import dataclasses
import datetime
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.core import audit, events, pii
from tongban.licences import identifier
from tongban.licences.events import LicenceIssued
from tongban.licences.models import (
    Licence,
    LicenceStatusChange,
    LicenceType,
    LicenceUse,
    ReminderSent,
)
from tongban.licences.status import CancelReason, cancel, check_move, record_change, revoke

__all__ = ["CancelReason", "cancel", "revoke"]  # 撤销 and 注销 live in licences.status

SHOW_SALT = "tongban.licences.show"
# Versions that can no longer be shown or used: history, not a licence in force.
ENDED = (Licence.Status.REVOKED, Licence.Status.CANCELLED, Licence.Status.REPLACED)
ISSUER_ROLES = (Role.HANDLER, Role.APPROVER)


# --- finding types and holders ----------------------------------------------------------------------


def type_for_item(service_item, result_name: str = "") -> LicenceType | None:
    """The licence type an item's 出证办结 issues: an explicit link (LicenceType.issued_for_items)
    wins; otherwise a type of the item's own department whose name equals the 结果名称."""
    found = (
        LicenceType.objects.filter(is_active=True, issued_for_items=service_item)
        .select_related("issuing_department")
        .order_by("pk")
        .first()
    )
    if found is None and result_name.strip():
        found = (
            LicenceType.objects.filter(
                is_active=True,
                name=result_name.strip(),
                issuing_department_id=service_item.department_id,
            )
            .select_related("issuing_department")
            .order_by("pk")
            .first()
        )
    return found


def _account_for(id_type: str, id_number: str):
    from tongban.accounts.models import CitizenProfile, EnterpriseProfile

    if id_type == "001":
        profile = EnterpriseProfile.objects.filter(uscc=pii.normalise(id_number)).first()
    else:
        profile = CitizenProfile.objects.filter(
            id_index=pii.blind_index(id_number, "citizen_id")
        ).first()
    return profile.user if profile else None


def applicant_identity(application) -> tuple[str, str] | None:
    """Whose wallet an application may draw on, with that holder's consent given by the account
    acting: the enterprise (its own account or an authorised agent), or the citizen applying for
    themselves. Someone applying on another person's behalf (受托代办) cannot use their wallet."""
    if application.enterprise_id:
        return "001", application.enterprise.uscc
    if application.entrusted:
        return None
    citizen = getattr(application.owner, "citizen", None)
    return ("111", citizen.id_number) if citizen else None


def wallet(user):
    """The licences a user holds (current versions: valid, expired, revoked), newest first."""
    indexes = []
    citizen = getattr(user, "citizen", None) if user.kind == "citizen" else None
    enterprise = getattr(user, "enterprise", None) if user.kind == "enterprise" else None
    if citizen is not None:
        indexes.append(Licence.index_for("111", citizen.id_number))
    if enterprise is not None:
        indexes.append(Licence.index_for("001", enterprise.uscc))
    return (
        Licence.objects.filter(Q(owner=user) | Q(holder_id_index__in=indexes))
        .exclude(status=Licence.Status.REPLACED)
        .select_related("licence_type", "issuer")
        .order_by("-issued_on", "-pk")
    )


def holds(user, licence: Licence) -> bool:
    return wallet(user).filter(pk=licence.pk).exists() or (
        licence.owner_id == user.pk if user.is_authenticated else False
    )


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

    from django.conf import settings
    from django.urls import reverse

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
        "licences.issue",
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
        return enterprise.name, "001", enterprise.uscc
    name = application.applicant_name or application.data.get("applicant_name") or ""
    number = application.applicant_id_number or application.data.get("applicant_id_number") or ""
    if not number and not application.entrusted:
        citizen = getattr(application.owner, "citizen", None)
        if citizen is not None:
            name, number = name or citizen.real_name, citizen.id_number
    if not (name and number):
        raise ValidationError("申请人姓名或身份号码缺失，无法签发电子证照")
    return name, "111", number


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


def _require_issuer(actor, licence_type: LicenceType) -> None:
    if actor is None:
        return
    if not (
        actor.has_role(*ISSUER_ROLES)
        and serves_department(actor, licence_type.issuing_department_id)
    ):
        raise ValidationError("只有颁发机构的承办或批准人员可以签发该类证照")


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
    expected = "001" if licence_type.holder_kind == LicenceType.HolderKind.ENTERPRISE else "111"
    if holder_id_type != expected:
        raise ValidationError({"holder_id_type": [f"该类证照的持证主体代码类型应为 {expected}"]})
    result = CHECKS["uscc" if expected == "001" else "citizen_id"](holder_id_number)
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
    if current.status not in (Licence.Status.VALID, Licence.Status.EXPIRED):
        raise ValidationError(f"该证照{current.get_status_display()}，不能再变更或延续")
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
        "licences.replace",
        actor=actor,
        obj=current,
        detail={"by": new.identifier, "kind": kind},
    )
    return new


def renew(licence: Licence, actor, reason: str = "") -> Licence:
    return new_version(licence, actor, kind="renew", reason=reason)


def change(licence: Licence, actor, data: dict, reason: str = "") -> Licence:
    return new_version(licence, actor, kind="change", data=data, reason=reason)


# --- scheduled jobs -----------------------------------------------------------------------------------


def expire_due(today: datetime.date | None = None, batch: int = 500) -> int:
    """Mark valid licences past their end date expired (in batches; one audit record a batch)."""
    today = today or timezone.localdate()
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                Licence.objects.select_for_update()
                .filter(status=Licence.Status.VALID, valid_until__lt=today)
                .order_by("pk")
                .values_list("pk", "identifier")[:batch]
            )
            if not rows:
                return done
            now = timezone.now()
            Licence.objects.filter(pk__in=[pk for pk, _ in rows]).update(
                status=Licence.Status.EXPIRED, status_changed_at=now, status_reason="有效期届满"
            )
            LicenceStatusChange.objects.bulk_create(
                LicenceStatusChange(
                    licence_id=pk,
                    from_status=Licence.Status.VALID,
                    to_status=Licence.Status.EXPIRED,
                    reason="有效期届满",
                    changed_at=now,
                )
                for pk, _ in rows
            )
            audit.record(
                "licences.expire",
                object_type="licences.licence",
                detail={"count": len(rows), "identifiers": [i for _, i in rows][:50]},
            )
        done += len(rows)


def _renewal_link(licence: Licence) -> str:
    item = licence.licence_type.renewal_item
    if item is not None:
        return reverse("catalog:guide", args=[item.implementation_code])
    return reverse("licences:detail", args=[licence.pk])


def send_expiry_reminders(today: datetime.date | None = None, limit: int = 5000) -> dict:
    """Tell holders before expiry. Per licence and lead time at most one reminder; when several
    lead times apply (e.g. the job did not run), only the nearest one is sent."""
    from tongban.notify import actions as notify

    today = today or timezone.localdate()
    sent = skipped = 0
    horizon = max(
        (max(t.reminder_day_list, default=0) for t in LicenceType.objects.filter(is_active=True)),
        default=0,
    )
    if not horizon:
        return {"sent": 0, "skipped": 0}
    candidates = (
        Licence.objects.filter(
            status=Licence.Status.VALID,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=horizon),
        )
        .select_related("licence_type__renewal_item", "owner")
        .order_by("valid_until", "pk")[:limit]
    )
    for licence in candidates:
        days_left = (licence.valid_until - today).days
        due = [d for d in licence.licence_type.reminder_day_list if d >= days_left]
        if not due:
            continue
        days_before = min(due)
        if licence.owner is None:
            skipped += 1
            continue
        with transaction.atomic():
            _, created = ReminderSent.objects.get_or_create(
                licence=licence, days_before=days_before
            )
            if not created:
                continue
            notify.send(
                licence.owner,
                "licence.expiring",
                {
                    "licence_name": licence.licence_type.name,
                    "expiry_date": f"{licence.valid_until:%Y年%m月%d日}",
                },
                related=licence,
                link=_renewal_link(licence),
            )
            audit.record(
                "licences.remind",
                obj=licence,
                detail={"days_before": days_before, "days_left": days_left},
            )
        sent += 1
    return {"sent": sent, "skipped": skipped}


def reminder_statistics() -> dict:
    """Reminders sent, and how many were followed by a renewal (延续 version after the reminder)."""
    renewed = Licence.objects.filter(
        previous=OuterRef("licence"), change_kind="renew", created_at__gte=OuterRef("sent_at")
    )
    reminders = ReminderSent.objects.annotate(renewed=Exists(renewed))
    return {
        "reminders": reminders.count(),
        "renewals": reminders.filter(renewed=True).values("licence").distinct().count(),
    }


# --- 免证可办 ---------------------------------------------------------------------------------------


def matches_material(licence_type: LicenceType, material) -> bool:
    wanted = (material.replaceable_by_licence_type or "").strip()
    return bool(wanted) and wanted in (licence_type.name, licence_type.type_code)


def checklist_licences(application, materials) -> dict[int, dict]:
    """For the material checklist: per material id, the LicenceUse already recorded for this
    application ("use") and a usable licence from the applicant's wallet ("offer"). Two queries."""
    uses = {
        use.material_id: use
        for use in LicenceUse.objects.filter(
            application=application, purpose=LicenceUse.Purpose.MATERIAL
        ).select_related("licence__licence_type")
    }
    wanted = {m.pk: (m.replaceable_by_licence_type or "").strip() for m in materials}
    offers: dict[int, Licence] = {}
    identity = applicant_identity(application) if any(wanted.values()) else None
    if identity is not None:
        names = {w for w in wanted.values() if w}
        candidates = [
            licence
            for licence in Licence.objects.filter(
                holder_id_index=Licence.index_for(*identity), status=Licence.Status.VALID
            )
            .filter(Q(licence_type__name__in=names) | Q(licence_type__type_code__in=names))
            .select_related("licence_type")
            .order_by("-issued_on", "-pk")[:50]
            if licence.is_usable
        ]
        for material_id, name in wanted.items():
            for licence in candidates:
                if name and name in (licence.licence_type.name, licence.licence_type.type_code):
                    offers[material_id] = licence
                    break
    return {m.pk: {"use": uses.get(m.pk), "offer": offers.get(m.pk)} for m in materials}


def record_material_use(application, material, licence: Licence, actor) -> LicenceUse:
    """免提交, the licence's side: `licence` may stand for `material` in `application` (its type
    replaces the material, it is the applicant's own and usable); the use is recorded once.
    The intake domain checks the application (who acts, still editable, the material wanted) and
    holds the transaction (applications.licence_use)."""
    licence = Licence.objects.select_related("licence_type").get(pk=licence.pk)
    if not matches_material(licence.licence_type, material):
        raise ValidationError(gettext("该电子证照不能替代此项材料"))
    identity = applicant_identity(application)
    if identity is None or licence.holder_id_index != Licence.index_for(*identity):
        raise ValidationError(gettext("只能使用申请人本人（或本企业）名下的电子证照"))
    if not licence.is_usable:
        raise ValidationError(
            gettext("该电子证照%(status)s，不能使用") % {"status": licence.effective_status_label}
        )
    existing = LicenceUse.objects.filter(
        application=application, material=material, purpose=LicenceUse.Purpose.MATERIAL
    ).first()
    if existing is not None:
        return existing
    use = LicenceUse.objects.create(
        licence=licence,
        purpose=LicenceUse.Purpose.MATERIAL,
        application=application,
        material=material,
        department=application.service_item.department,
        used_by=actor,
        consent=True,
        note=f"替代材料：{material.name}"[:200],
    )
    audit.record(
        "licences.use",
        actor=actor,
        obj=application,
        detail={"identifier": licence.identifier, "material": material.name},
    )
    return use


def withdraw_material_use(application, material, actor) -> None:
    """The recorded use of a licence for `material` is withdrawn (paper is uploaded instead)."""
    deleted, _ = LicenceUse.objects.filter(
        application=application, material=material, purpose=LicenceUse.Purpose.MATERIAL
    ).delete()
    if deleted:
        audit.record(
            "licences.use_withdrawn",
            actor=actor,
            obj=application,
            detail={"material": material.name},
        )


# --- verification and 亮证 -----------------------------------------------------------------------------


@dataclasses.dataclass
class Verification:
    ok: bool
    reason: str = ""
    licence: Licence | None = None

    @property
    def status(self) -> str:
        return self.licence.effective_status if self.licence else ""

    @property
    def status_label(self) -> str:
        return self.licence.effective_status_label if self.licence else ""

    def as_dict(self) -> dict:
        if self.licence is None:
            return {"found": False, "valid": False, "reason": self.reason}
        licence = self.licence
        return {
            "found": True,
            "valid": licence.is_usable,
            "reason": self.reason,
            "identifier": licence.identifier,
            "licence_type": licence.licence_type.name,
            "type_code": licence.licence_type.type_code,
            "holder": licence.masked_holder_name,
            "holder_id": licence.masked_holder_id,
            "holder_id_type": licence.holder_id_type,
            "issuer": licence.issuer.name,
            "issuer_code": licence.issuer.uscc,
            "issued_on": licence.issued_on.isoformat(),
            "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
            "status": licence.effective_status,
            "status_label": licence.effective_status_label,
            "version": licence.version,
            "trust_level": licence.trust_level,
            "status_reason": licence.status_reason if licence.status in ENDED else "",
            "status_basis": licence.status_basis if licence.status in ENDED else "",
            "status_changed_at": (
                licence.status_changed_at.isoformat()
                if licence.status in ENDED and licence.status_changed_at
                else None
            ),
            "decision_number": (
                licence.status_document.number if licence.status_document_id else ""
            ),
        }


def verify(raw_identifier: str) -> Verification:
    """Public check of an identifier: format, check character, then the register."""
    ok, reason = identifier.check(raw_identifier)
    if not ok:
        return Verification(False, reason)
    licence = (
        Licence.objects.select_related("licence_type", "issuer", "status_document")
        .filter(identifier=identifier.normalise(raw_identifier))
        .first()
    )
    if licence is None:
        return Verification(False, gettext("未找到该证照（标识格式正确，但本平台没有签发记录）"))
    if not licence.is_usable:
        return Verification(False, status_sentence(licence), licence)
    return Verification(True, "", licence)


def latest_version(licence: Licence) -> Licence:
    """The newest version of the same licence (same type, issuer and serial)."""
    return (
        Licence.objects.filter(
            licence_type_id=licence.licence_type_id,
            issuer_id=licence.issuer_id,
            serial=licence.serial,
        )
        .order_by("-version")
        .first()
        or licence
    )


def status_sentence(licence: Licence) -> str:
    """The licence's current status in one Chinese sentence, for every verification channel."""
    status = licence.effective_status
    name = licence.licence_type.name
    when = (
        timezone.localtime(licence.status_changed_at).strftime("%Y年%m月%d日")
        if licence.status_changed_at
        else ""
    )
    if status == Licence.Status.VALID:
        until = f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"
        return f"该{name}现行有效（有效期至 {until}）。"
    if status == Licence.Status.EXPIRED:
        return f"该{name}已于 {licence.valid_until:%Y年%m月%d日} 到期，不再有效。"
    if status == Licence.Status.REPLACED:
        newest = latest_version(licence)
        return (
            f"该{name}第 {licence.version} 版已被新版本替代（{when}，{licence.status_reason}），"
            f"现行版本为第 {newest.version} 版（{newest.identifier}）。"
        )
    verb = "撤销" if status == Licence.Status.REVOKED else "注销"
    sentence = (
        f"该{name}已于{when}{verb}，不能再作为有效证照使用。{verb}原因：{licence.status_reason}"
    )
    if licence.status_basis:
        sentence += f"；法律依据：{licence.status_basis}"
    if licence.status_document_id:
        sentence += f"；决定书：{licence.status_document.number}"
    return sentence + "。"


def subject_status(licence_identifier: str):
    """seals' verification plugin point: the current status of the licence a PDF attests."""
    from tongban.seals.actions import SubjectStatus

    licence = (
        Licence.objects.select_related("licence_type", "status_document")
        .filter(identifier=licence_identifier)
        .first()
    )
    if licence is None:
        return None
    return SubjectStatus(
        label="电子证照",
        status=licence.effective_status,
        status_label=licence.effective_status_label,
        in_force=licence.is_usable,
        message=status_sentence(licence),
        url=verification_page_url(licence.identifier),
    )


def verify_file(licence: Licence):
    """The seals register's verdict on the stored PDF of this licence (for staff pages)."""
    from tongban.seals import actions as seals

    if licence.document_id is None:
        return None
    try:
        return seals.verify_pdf(licence.document.read_bytes())
    except OSError:
        return None


def show_token(licence: Licence, user) -> str:
    """亮证: a signed, short-lived token naming the licence (no table)."""
    if not holds(user, licence):
        raise ValidationError(gettext("只能出示本人名下的证照"))
    if licence.effective_status in ENDED:
        raise ValidationError(
            gettext("该证照%(status)s，不能出示") % {"status": licence.effective_status_label}
        )
    return signing.dumps({"l": licence.pk, "n": secrets.token_hex(4)}, salt=SHOW_SALT)


def show_token_seconds() -> int:
    return int(getattr(settings, "LICENCE_SHOW_TOKEN_SECONDS", 300))


def token_licence_id(token: str) -> int | None:
    """The licence a still-valid token names, without recording anything (for the QR image)."""
    if not token or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=SHOW_SALT, max_age=show_token_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return payload.get("l") if isinstance(payload, dict) else None


def read_show_token(token: str) -> tuple[Licence | None, str]:
    """(licence, "") or (None, 理由). Records one 亮证核验 use per token."""
    if not token or len(token) > 300:
        return None, "亮证码无效，请让持证人重新出示"
    try:
        payload = signing.loads(token, salt=SHOW_SALT, max_age=show_token_seconds())
    except signing.SignatureExpired:
        return None, "亮证码已过期（有效期几分钟），请让持证人刷新后重新出示"
    except (signing.BadSignature, ValueError, TypeError):
        return None, "亮证码无效（可能被伪造或不完整），请让持证人重新出示"
    if not isinstance(payload, dict) or not isinstance(payload.get("l"), int):
        return None, "亮证码无效，请让持证人重新出示"
    licence = (
        Licence.objects.select_related("licence_type", "issuer").filter(pk=payload["l"]).first()
    )
    if licence is None:
        return None, "亮证码对应的证照不存在"
    note = f"亮证码 {hashlib.sha256(token.encode()).hexdigest()[:16]}"
    with transaction.atomic():
        if not LicenceUse.objects.filter(licence=licence, note=note).exists():
            LicenceUse.objects.create(licence=licence, purpose=LicenceUse.Purpose.SHOW, note=note)
    return licence, ""


# Roles that handle a case (窗口受理/承办/审核/批准); a lookup is part of handling one.
LOOKUP_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.REVIEWER, Role.APPROVER)
# 办件 statuses in which someone is still working on the case.
OPEN_CASE_STATUSES = ("submitted", "correction", "accepted", "approved", "denied")


# Finding a case by its number is intake's (later in the domain order than licences): it
# registers the finder when the apps are ready (applications.apps).
_case_finder = None


def register_case_finder(finder) -> None:
    """`finder(case_number)` → the application with that case number, or None."""
    global _case_finder
    _case_finder = finder


def _case_for_lookup(actor, case_number: str):
    """The open case, of a department the actor serves, the lookup is made for."""
    case_number = (case_number or "").strip()
    if not case_number:
        raise ValidationError({"case_number": ["请填写所办理办件的办件编号"]})
    if _case_finder is None:
        raise ImproperlyConfigured("办件查找未注册（tongban.applications 未安装）")
    application = _case_finder(case_number)
    if application is None:
        raise ValidationError({"case_number": ["未找到该办件编号"]})
    if not serves_department(actor, application.service_item.department_id):
        raise PermissionError("该办件不属于您所在部门（或窗口）办理，不能以其名义查询证照")
    if application.status not in OPEN_CASE_STATUSES:
        raise ValidationError(
            {"case_number": [f"该办件{application.get_status_display()}，不在办理中，不能查询证照"]}
        )
    return application


def lookup(
    *, actor, holder_id_type: str, holder_id_number: str, case_number: str, purpose: str = ""
):
    """Department lookup of a holder's licences while handling a case: only staff with a
    case-handling role, for an open case of their department (the case number is required);
    audited with that case and recorded as a use on each licence returned."""
    if (
        actor is None
        or actor.kind != "staff"
        or not actor.is_active
        or not set(actor.role_codes()) & set(LOOKUP_ROLES)
    ):
        raise PermissionError("只有窗口受理、承办、审核、批准人员在办理办件时可以查询证照")
    if holder_id_type not in ("111", "001"):
        raise ValidationError({"holder_id_type": ["持证主体代码类型应为 111 或 001"]})
    application = _case_for_lookup(actor, case_number)
    note = (purpose or "").strip()
    purpose = f"办理办件 {application.case_number}（{application.item_version.name}）"
    if note:
        purpose += f"：{note}"
    holder_index = Licence.index_for(holder_id_type, holder_id_number)
    found = list(
        Licence.objects.filter(holder_id_index=holder_index)
        .exclude(status=Licence.Status.REPLACED)
        .select_related("licence_type", "issuer")
        .order_by("-issued_on", "-pk")[:100]
    )
    department = getattr(getattr(actor, "staff_profile", None), "department", None)
    with transaction.atomic():
        audit.record(
            "licences.lookup",
            actor=actor,
            obj=application,
            purpose=purpose[:200],
            detail={
                "count": len(found),
                "holder_id_type": holder_id_type,
                "holder": holder_index[:16],
                "identifiers": [licence.identifier for licence in found][:20],
            },
        )
        LicenceUse.objects.bulk_create(
            LicenceUse(
                licence=licence,
                purpose=LicenceUse.Purpose.LOOKUP,
                application=application,
                department=department,
                used_by=actor,
                note=purpose[:200],
            )
            for licence in found
        )
    return found
