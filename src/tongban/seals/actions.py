"""The seals service layer: create, rotate and revoke seals; sign and verify PDFs.

Every state change validates first (ValidationError with Chinese messages), writes in one transaction
and appends an audit record. Views, admin, commands and other apps call these functions.

Revocation policy (strict): a signature made with a seal that has since been revoked is reported as
"revoked", whatever the signing time says. Revocation is for a compromised or misused seal, whose key
could also have produced back-dated signatures; routine replacement is rotation (rotate_seal), after
which old documents stay valid. Expiry is time-aware: a document signed while the seal was within its
validity stays valid after the seal expires. See docs/seals.md.
"""

import asyncio
import datetime
import hashlib
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tongban.core import audit
from tongban.core.models import Department
from tongban.seals import ca, images
from tongban.seals.models import IssuedDocument, Seal, SealUse

MAX_VALID_DAYS = 3650
DEFAULT_VALID_DAYS = 3 * 365
PDF_MAGIC = b"%PDF-"


def related_ref(related) -> tuple[str, str]:
    """A model instance, a (type, id) pair or None → (type, id) strings for the use log."""
    if related is None:
        return "", ""
    if isinstance(related, tuple | list):
        return str(related[0]), str(related[1])
    return related._meta.label_lower, str(related.pk)


def _format_date(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日"


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
    name = _check_seal_fields(department, name, kind, valid_days)
    seal = _new_seal(department, name, kind, valid_days, actor)
    audit.record(
        "seals.seal_created",
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
    old = Seal.objects.select_for_update(of=("self",)).select_related("department").get(pk=seal.pk)
    if old.status in (Seal.Status.REVOKED, Seal.Status.ROTATED):
        raise ValidationError(f"印章“{old.name}”{old.get_status_display()}，不能再更换")
    days = max(1, min(MAX_VALID_DAYS, (old.valid_until - old.valid_from).days))
    new = _new_seal(old.department, old.name, old.kind, days, actor)
    old.status, old.replaced_by = Seal.Status.ROTATED, new
    old.save(update_fields=["status", "replaced_by"])
    audit.record(
        "seals.seal_rotated",
        actor=actor,
        obj=old,
        detail={"new_seal_id": new.pk, "old_serial": old.serial_hex, "new_serial": new.serial_hex},
    )
    seal.status, seal.replaced_by = old.status, new
    return new


@transaction.atomic
def revoke_seal(actor, seal: Seal, reason: str) -> Seal:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": ["请填写注销原因"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["注销原因不能超过200个字"]})
    locked = Seal.objects.select_for_update().get(pk=seal.pk)
    if locked.status == Seal.Status.REVOKED:
        raise ValidationError(f"印章“{locked.name}”已于{_format_date(locked.revoked_at)}注销")
    locked.status = Seal.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    locked.save(update_fields=["status", "revoked_at", "revocation_reason"])
    audit.record(
        "seals.seal_revoked",
        actor=actor,
        obj=locked,
        detail={"serial": locked.serial_hex, "reason": reason},
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


# --- Signing --------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _signer(cert_pem: str, key_encrypted: str, ca_pem: str):
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = asn1_x509.Certificate.load(
        ca.load_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    )
    ca_cert = asn1_x509.Certificate.load(
        ca.load_certificate(ca_pem).public_bytes(serialization.Encoding.DER)
    )
    key = asn1_keys.PrivateKeyInfo.load(
        ca.decrypt_key(key_encrypted).private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([ca_cert]),
    )


def _pades_sign(pdf_bytes: bytes, seal: Seal, reason: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=f"Seal-{secrets.token_hex(4)}",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=seal.department.name,
        name=seal.name,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    signer = _signer(
        seal.certificate_pem, seal.private_key_encrypted, seal.issuer_ca.certificate_pem
    )
    # The first signature of a seal in this process lets pyHanko size /Contents (it signs a dummy
    # first); later ones reserve the measured CMS size + 256 bytes. Smaller files and faster
    # verification: readers parse the hex placeholder character by character.
    reserve = _reserve_sizes.get(seal.serial_hex)
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer, bytes_reserved=reserve)
    signed = out.getvalue()
    if reserve is None:
        # pyHanko counts the reservation in hex digits: two per byte.
        _reserve_sizes[seal.serial_hex] = 2 * _cms_size(signed) + 512
    return signed


_reserve_sizes: dict[str, int] = {}


def _cms_size(signed: bytes) -> int:
    from asn1crypto import parser

    found = re.search(rb"/ByteRange\s*\[\s*\d+\s+(\d+)\s+(\d+)", signed)
    start, end = int(found.group(1)), int(found.group(2))
    raw = bytes.fromhex(signed[start + 1 : end - 1].decode())
    _cls, _method, _tag, header, contents, trailer = parser.parse(raw)
    return len(header) + len(contents) + len(trailer)


def sign_pdf(
    pdf_bytes: bytes,
    seal: Seal,
    *,
    document_type: str,
    document_number: str,
    actor=None,
    related=None,
) -> bytes:
    """PAdES-sign `pdf_bytes` with `seal`; records the use (SealUse + audit). Returns the signed PDF.

    Refuses (ValidationError, Chinese) a revoked, rotated-out, expired or not-yet-valid seal and input
    that is not a PDF."""
    if not isinstance(pdf_bytes, bytes | bytearray) or not bytes(pdf_bytes[:5]) == PDF_MAGIC:
        raise ValidationError("待签章的文件不是 PDF 文件")
    document_number = (document_number or "").strip()
    if not document_number:
        raise ValidationError("签章需要文书编号")
    # The cryptography runs outside any transaction of ours (no lock held for it); the status is
    # checked again when the use is written, so a seal revoked meanwhile signs nothing.
    current = Seal.objects.select_related("department", "issuer_ca").get(pk=seal.pk)
    problem = signing_problem(current)
    if problem:
        raise ValidationError(problem)
    try:
        signed = _pades_sign(bytes(pdf_bytes), current, f"{document_type} {document_number}")
    except Exception as exc:  # pyHanko: unreadable or encrypted input
        raise ValidationError(f"PDF 文件无法签章：{exc.__class__.__name__}") from exc
    digest = ca.sha256_hex(signed)
    related_type, related_id = related_ref(related)
    with transaction.atomic():
        current = Seal.objects.select_for_update().get(pk=seal.pk)
        problem = signing_problem(current)
        if problem:
            raise ValidationError(problem)
        use = SealUse.objects.create(
            seal=current,
            document_type=document_type,
            document_number=document_number,
            sha256=digest,
            actor=actor,
            related_type=related_type,
            related_id=related_id,
        )
        audit.record(
            "seals.seal_used",
            actor=actor,
            obj=current,
            detail={
                "use_id": use.pk,
                "document_type": document_type,
                "document_number": document_number,
                "sha256": digest,
                "related_type": related_type,
                "related_id": related_id,
            },
        )
    return signed


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
