"""Verification: what the QR code, the identifier and an uploaded file tell about a licence,
in one status sentence for every channel."""

import dataclasses

from django.utils import timezone
from django.utils.translation import gettext

from tongban.licences import identifier
from tongban.licences.actions.common import ENDED
from tongban.licences.actions.issuing import verification_page_url
from tongban.licences.models import (
    Licence,
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
