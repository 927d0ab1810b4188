"""PAdES signing of a PDF with a department's seal (pyHanko), recorded in the seal's use log."""

import io
import re
import secrets
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.core import audit
from tongban.seals import ca
from tongban.seals.actions.common import PDF_MAGIC, related_ref
from tongban.seals.actions.keeping import signing_problem
from tongban.seals.audit_actions import AuditAction
from tongban.seals.models import Seal, SealUse

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
            AuditAction.SEAL_USED,
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
