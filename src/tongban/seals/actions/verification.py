"""Verifying a signed PDF: every signature, the certificate chain to the platform CA, the
seal's use log, and the status of what the document is about (a provider registered by the
owning domain, so seals needs no import of licences)."""

import asyncio
import datetime
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tongban.core.models import Department
from tongban.seals import ca
from tongban.seals.actions.common import PDF_MAGIC, _format_date
from tongban.seals.models import IssuedDocument, Seal, SealUse

# --- Verification ---------------------------------------------------------------------------------


class Status:
    VALID = "valid"
    TAMPERED = "tampered"
    UNKNOWN_SIGNER = "unknown_signer"
    REVOKED = "revoked"
    UNSIGNED = "unsigned"
    NOT_PDF = "not_pdf"

    LABELS = {
        "valid": "有效",
        "tampered": "文件已被篡改",
        "unknown_signer": "签章人未知",
        "revoked": "印章已注销",
        "unsigned": "未签章",
        "not_pdf": "不是有效的 PDF 文件",
    }
    # When a file carries several signatures the worst one decides.
    SEVERITY = {"valid": 0, "revoked": 1, "unknown_signer": 2, "tampered": 3}


@dataclass(frozen=True)
class SubjectStatus:
    """The current state of what a document attests (a licence may since have been revoked), told
    by the app that owns it: a valid signature says the file is authentic, not that it is still
    in force."""

    label: str  # what the subject is, e.g. "电子证照"
    status: str  # the owner's code, e.g. "revoked"
    status_label: str  # e.g. "已撤销"
    in_force: bool
    message: str = ""
    url: str = ""  # the owner's public register page for it


# Plugin point: related_type (IssuedDocument.related_type) → function(related_id) returning the
# subject's SubjectStatus or None. Apps to the right of seals register in their AppConfig.ready(),
# so verification can show a licence's status without seals importing licences.
SUBJECT_STATUS_PROVIDERS: dict[str, Callable[[str], SubjectStatus | None]] = {}


def register_subject_status(related_type: str, provider: Callable[[str], SubjectStatus | None]):
    SUBJECT_STATUS_PROVIDERS[related_type] = provider


def subject_status(document: IssuedDocument | None) -> SubjectStatus | None:
    """What the registered provider says about the document's subject (None: nothing to say)."""
    if document is None or not document.related_type:
        return None
    provider = SUBJECT_STATUS_PROVIDERS.get(document.related_type)
    return provider(document.related_id) if provider is not None else None


@dataclass
class VerificationResult:
    status: str
    message: str
    seal: Seal | None = None
    department: Department | None = None
    signed_at: datetime.datetime | None = None
    document_number: str = ""
    document_type: str = ""
    signer_subject: str = ""
    revoked_at: datetime.datetime | None = None
    sha256: str = ""
    signature_count: int = 0
    document: IssuedDocument | None = None
    notes: list[str] = field(default_factory=list)
    covers_whole_file: bool = False
    subject: SubjectStatus | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID

    @property
    def in_force(self) -> bool:
        """Signature valid and what the document attests still in force (not revoked …)."""
        return self.is_valid and (self.subject is None or self.subject.in_force)

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]


def _find_seal(signer_cert) -> Seal | None:
    if signer_cert is None:
        return None
    serial_hex = format(signer_cert.serial_number, "x")
    seal = (
        Seal.objects.select_related("department", "issuer_ca").filter(serial_hex=serial_hex).first()
    )
    if seal is None:
        return None
    if hashlib.sha256(signer_cert.dump()).hexdigest() != seal.fingerprint_sha256:
        return None  # same serial, different certificate: not ours
    return seal


def _padding_is_clean(embedded_sig) -> bool:
    """/Contents is the CMS blob followed by zero padding; the padding is outside the signed byte
    ranges and outside the CMS, so a change there must be caught here."""
    from asn1crypto import parser

    raw = embedded_sig.pkcs7_content
    try:
        _cls, _method, _tag, header, contents, trailer = parser.parse(raw)
    except ValueError:
        return False
    return not raw[len(header) + len(contents) + len(trailer) :].strip(b"\x00")


def _check_one(embedded_sig, roots, is_last: bool) -> VerificationResult:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signer_cert = embedded_sig.signer_cert
        claimed = embedded_sig.self_reported_timestamp
    except Exception:
        return VerificationResult(Status.TAMPERED, "签名数据已损坏，无法解析，文件可能已被篡改")
    seal = _find_seal(signer_cert)
    try:
        subject = signer_cert.subject.human_friendly
    except Exception:
        subject = ""
    result = VerificationResult(
        Status.VALID,
        "",
        seal=seal,
        department=seal.department if seal else None,
        signed_at=claimed,
        signer_subject=subject,
    )
    # Expiry is time-aware: check the chain as it stood when the document was signed.
    moment = claimed if seal is not None else None
    context = ValidationContext(
        trust_roots=roots, moment=moment, allow_fetching=False, revocation_mode="soft-fail"
    )
    # Bytes after the signed revision are only acceptable as a real later revision: for the last
    # signature, validation data (DSS, timestamps); for earlier ones also further signatures.
    # Bare trailing bytes (no new revision, level NONE) count as tampering.
    allowed_later_changes = {ModificationLevel.LTA_UPDATES}
    if not is_last:
        allowed_later_changes.add(ModificationLevel.FORM_FILLING)
    try:
        status = validate_pdf_signature(embedded_sig, context)
    except Exception:
        result.status, result.message = Status.TAMPERED, "签名无法校验，文件可能已被篡改"
        return result
    result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not status.intact:
        result.status = Status.TAMPERED
        result.message = "文件内容在签章后被修改（摘要与签名不符）"
    elif not status.valid:
        result.status = Status.TAMPERED
        result.message = "签名值校验失败，文件或签名已被篡改"
    elif not _padding_is_clean(embedded_sig):
        result.status = Status.TAMPERED
        result.message = "签名数据区被改动，文件可能已被篡改"
    elif (
        status.coverage is None
        or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
        or status.docmdp_ok is False
        or (
            status.coverage != SignatureCoverageLevel.ENTIRE_FILE
            and status.modification_level not in allowed_later_changes
        )
    ):
        result.status = Status.TAMPERED
        result.message = "签章后文件被追加修改，修改内容不受签名保护"
    elif not status.trusted or seal is None:
        result.status = Status.UNKNOWN_SIGNER
        result.message = "签章证书不是由本平台签发（或不在有效期内），无法确认签章人身份"
    elif seal.status == Seal.Status.REVOKED:
        result.status = Status.REVOKED
        result.revoked_at = seal.revoked_at
        result.message = (
            f"签章所用印章“{seal.name}”已于{_format_date(seal.revoked_at)}注销"
            f"（原因：{seal.revocation_reason}），该文件上的电子签章不再有效"
        )
    else:
        result.message = f"签章有效：文件自签章后未被修改，签章人为{seal.department.name}"
        if seal.status == Seal.Status.ROTATED:
            result.notes.append("该印章此后已更换为新印章，签章时印章有效。")
        elif seal.effective_status == Seal.Status.EXPIRED:
            result.notes.append("该印章现已过期，签章时在有效期内。")
    return result


# Traces of a signature dictionary: a file carrying them that pyHanko can't read was signed once.
SIGNATURE_MARKERS = re.compile(rb"/ByteRange|/SubFilter|ETSI\.CAdES|adbe\.pkcs7|/Type\s*/Sig\b")


def verify_pdf(pdf_bytes: bytes) -> VerificationResult:
    """Check every signature of a PDF against the platform CA and the seal register.

    Synchronous (pyHanko runs its own event loop): from async code call it through
    asgiref's sync_to_async, otherwise every signature would fail to validate."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("verify_pdf 不能在事件循环中直接调用，请使用 sync_to_async")
    data = bytes(pdf_bytes or b"")
    if not data.startswith(PDF_MAGIC):
        return VerificationResult(Status.NOT_PDF, "文件不是 PDF 格式（文件内容不以 %PDF- 开头）")
    digest = ca.sha256_hex(data)
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:
        if SIGNATURE_MARKERS.search(data):
            return VerificationResult(
                Status.TAMPERED,
                "文件结构已损坏，签章无法核验，文件可能在签章后被篡改",
                sha256=digest,
            )
        return VerificationResult(
            Status.NOT_PDF, "无法解析该 PDF 文件，文件可能已损坏", sha256=digest
        )
    if not signatures:
        if SIGNATURE_MARKERS.search(data):
            return VerificationResult(
                Status.TAMPERED, "签名结构已损坏，签章无法核验，文件可能已被篡改", sha256=digest
            )
        return VerificationResult(
            Status.UNSIGNED, "文件未加盖电子印章（未发现数字签名）", sha256=digest
        )
    roots = ca.trust_roots_asn1()
    results = [
        _check_one(sig, roots, is_last=index == len(signatures) - 1)
        for index, sig in enumerate(signatures)
    ]
    last = results[-1]
    use = SealUse.objects.filter(sha256=digest).order_by("pk").first()
    if (
        last.seal is not None
        and last.covers_whole_file
        and last.status in (Status.VALID, Status.REVOKED)
        and (use is None or use.seal_id != last.seal.pk)
    ):
        # Our seals sign only through sign_pdf, which logs the hash of every file it produces.
        # A file that verifies cryptographically but is not in the log was changed in a part the
        # signature does not cover (e.g. the unsigned certificate list inside /Contents).
        last.status = Status.TAMPERED
        last.message = "文件与平台用印记录不一致，签名数据区被改动，文件可能已被篡改"
        last.notes = []
    worst = max(results, key=lambda r: Status.SEVERITY[r.status])
    worst.sha256 = digest
    worst.signature_count = len(signatures)
    if len(signatures) > 1:
        worst.notes.append(f"文件包含 {len(signatures)} 个签章，以最不利的结果为准。")
    _attach_registry(worst, use, signatures[-1])
    return worst


def _attach_registry(result: VerificationResult, use: SealUse | None, last_sig) -> None:
    """Document number and type from the use log (exact bytes), else from the signature's reason."""
    if use is not None:
        result.document_number = use.document_number
        result.document_type = use.document_type
        result.document = IssuedDocument.objects.filter(sha256=use.sha256).first()
        result.subject = subject_status(result.document)
        if result.status == Status.REVOKED and result.seal and use.used_at < result.seal.revoked_at:
            result.notes.append(
                f"平台用印记录显示该文件于{_format_date(use.used_at)}签发，早于印章注销；"
                "如需继续使用，请联系签发部门重新出具。"
            )
        return
    try:
        reason = str(last_sig.sig_object.get("/Reason", ""))
    except Exception:
        reason = ""
    if reason:
        document_type, _, number = reason.partition(" ")
        result.document_type, result.document_number = document_type, number
