import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tongban.core.models import AuditRecord
from tongban.seals import actions, ca
from tongban.seals.models import Seal, SealUse
from tongban.seals.tests.conftest import plain_pdf

pytestmark = pytest.mark.django_db


def test_signed_pdf_verifies_valid_with_signer_and_number(signed_pdf, seal, department):
    result = actions.verify_pdf(signed_pdf)
    assert result.status == "valid", result.message
    assert result.status_label == "有效"
    assert result.seal == seal and result.department == department
    assert result.document_number == "市民政局〔2026〕1号"
    assert result.document_type == "受理通知书"
    assert result.signed_at is not None
    assert result.sha256 == ca.sha256_hex(signed_pdf)


def test_each_use_is_logged_and_audited(signed_pdf, seal, platform_admin, citizen):
    use = SealUse.objects.get(seal=seal)
    assert use.sha256 == ca.sha256_hex(signed_pdf)
    assert use.actor == platform_admin and use.document_number == "市民政局〔2026〕1号"
    actions.sign_pdf(
        plain_pdf(), seal, document_type="决定书", document_number="X〔2026〕2号", related=citizen
    )
    second = SealUse.objects.get(document_number="X〔2026〕2号")
    assert (second.related_type, second.related_id) == ("accounts.user", str(citizen.pk))
    audited = AuditRecord.objects.filter(action="seals.seal_used", object_id=str(seal.pk))
    assert audited.count() == 2
    assert audited.filter(detail__sha256=use.sha256).exists()


def _byte_range(data: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    return tuple(map(int, found.groups()))


def _flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    byte = changed[index]
    if chr(byte) in "0123456789abcdefABCDEF":  # keep hex digits hex, so parsing still gets far
        changed[index] = ord("1") if byte == ord("0") else ord("0")
    else:
        changed[index] = byte ^ 0x01
    return bytes(changed)


def test_changing_any_single_byte_makes_verification_fail(signed_pdf):
    _, first_len, second_start, _ = _byte_range(signed_pdf)
    positions = list(range(0, len(signed_pdf), max(1, len(signed_pdf) // 40)))
    positions += [first_len + 1, first_len + 50, second_start - 3, second_start + 5]
    for index in positions:
        result = actions.verify_pdf(_flip(signed_pdf, index))
        assert result.status in {"tampered", "not_pdf"}, (index, result.status)
        if result.status == "tampered":
            assert result.status_label == "文件已被篡改"
            assert "篡改" in result.message or "修改" in result.message or "改动" in result.message


def test_content_change_reports_tampered_in_chinese(signed_pdf):
    _, first_len, _, _ = _byte_range(signed_pdf)
    result = actions.verify_pdf(_flip(signed_pdf, first_len // 3))
    assert result.status == "tampered"
    assert result.message == "文件内容在签章后被修改（摘要与签名不符）"


def test_appended_bytes_and_incremental_updates_are_tampering(signed_pdf):
    assert actions.verify_pdf(signed_pdf + b"\n% appended\n").status == "tampered"

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    result = actions.verify_pdf(out.getvalue())
    assert result.status == "tampered"
    assert "追加修改" in result.message


def _foreign_signed_pdf() -> bytes:
    """Signed by a key and certificate from a self-made CA the platform never saw."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ca.new_private_key()
    now = timezone.now()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "许昌市民政局业务专用章")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(plain_pdf()))
    out = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(field_name="Fake", subfilter=None, md_algorithm="sha256"),
        signer=signer,
    )
    return out.getvalue()


def test_signature_from_a_foreign_key_is_unknown_signer(seal):
    result = actions.verify_pdf(_foreign_signed_pdf())
    assert result.status == "unknown_signer"
    assert result.status_label == "签章人未知"
    assert "不是由本平台签发" in result.message
    assert result.seal is None and "许昌市民政局业务专用章" in result.signer_subject


def test_revoked_seal_cannot_sign_and_its_documents_verify_revoked(
    signed_pdf, seal, platform_admin
):
    actions.revoke_seal(platform_admin, seal, "印章密钥疑似泄露")
    with pytest.raises(ValidationError) as exc:
        actions.sign_pdf(plain_pdf(), seal, document_type="决定书", document_number="Y〔2026〕1号")
    assert "已于" in exc.value.messages[0] and "注销，不能再用于签章" in exc.value.messages[0]
    assert not SealUse.objects.filter(document_number="Y〔2026〕1号").exists()

    # Strict policy: signed before the revocation, still reported revoked (with the date).
    result = actions.verify_pdf(signed_pdf)
    assert result.status == "revoked" and result.status_label == "印章已注销"
    assert result.revoked_at is not None
    assert "注销" in result.message and "印章密钥疑似泄露" in result.message
    assert any("早于印章注销" in note for note in result.notes)


def test_rotated_seal_cannot_sign_but_old_documents_stay_valid(signed_pdf, seal, platform_admin):
    new = actions.rotate_seal(platform_admin, seal)
    with pytest.raises(ValidationError, match="已更换为新印章"):
        actions.sign_pdf(plain_pdf(), seal, document_type="决定书", document_number="Z1号")
    result = actions.verify_pdf(signed_pdf)
    assert result.status == "valid" and any("已更换" in n for n in result.notes)
    fresh = actions.sign_pdf(plain_pdf(), new, document_type="决定书", document_number="Z2号")
    assert actions.verify_pdf(fresh).seal == new


def test_expired_seal_cannot_sign(seal):
    Seal.objects.filter(pk=seal.pk).update(valid_until=timezone.now() - datetime.timedelta(days=1))
    seal.refresh_from_db()
    assert seal.effective_status == Seal.Status.EXPIRED
    with pytest.raises(ValidationError, match="过期，不能再用于签章"):
        actions.sign_pdf(plain_pdf(), seal, document_type="决定书", document_number="E1号")


def test_bad_input_gets_clear_results(seal):
    assert actions.verify_pdf(b"GIF89a....").status == "not_pdf"
    assert actions.verify_pdf(b"").status == "not_pdf"
    assert actions.verify_pdf(b"%PDF-1.7\n garbage").status == "not_pdf"
    unsigned = actions.verify_pdf(plain_pdf())
    assert unsigned.status == "unsigned" and unsigned.status_label == "未签章"
    with pytest.raises(ValidationError, match="不是 PDF"):
        actions.sign_pdf(b"hello", seal, document_type="决定书", document_number="1号")
