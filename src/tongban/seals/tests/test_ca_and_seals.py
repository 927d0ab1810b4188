import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError
from django.db import connection

from tongban.core.models import AuditRecord
from tongban.seals import actions, ca, images
from tongban.seals.models import PlatformCA, Seal

pytestmark = pytest.mark.django_db


def test_seal_certificate_chains_to_the_platform_ca(seal, department):
    root = ca.load_certificate(PlatformCA.objects.get(is_current=True).certificate_pem)
    cert = ca.load_certificate(seal.certificate_pem)
    assert cert.issuer == root.subject
    cert.verify_directly_issued_by(root)  # raises when the signature does not check out
    name = {attr.oid: attr.value for attr in cert.subject}
    assert name[x509.NameOID.COMMON_NAME] == "许昌市民政局业务专用章"
    assert name[x509.NameOID.ORGANIZATION_NAME] == department.name
    assert name[x509.NameOID.SERIAL_NUMBER] == department.uscc
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert seal.serial_hex == format(cert.serial_number, "x")
    assert (seal.valid_until - seal.valid_from).days == 365


def test_private_keys_are_encrypted_at_rest(seal):
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_encrypted FROM seals_seal WHERE id = %s", [seal.pk])
        (raw_seal,) = cursor.fetchone()
        cursor.execute("SELECT private_key_encrypted FROM seals_platformca")
        raw_ca = [row[0] for row in cursor.fetchall()]
    for raw in [raw_seal, *raw_ca]:
        assert "BEGIN" not in raw and "PRIVATE" not in raw
    key = ca.decrypt_key(seal.private_key_encrypted)
    cert = ca.load_certificate(seal.certificate_pem)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()


def test_one_ca_is_created_and_reused(department, platform_admin):
    for n in range(2):
        actions.create_seal(platform_admin, department, f"章{n}", Seal.Kind.OFFICIAL, 30)
    assert PlatformCA.objects.count() == 1
    assert len(ca.trust_roots()) == 1


def test_create_seal_validates_in_chinese(department, platform_admin):
    with pytest.raises(ValidationError) as exc:
        actions.create_seal(platform_admin, department, " ", "stamp", 0)
    errors = exc.value.message_dict
    assert errors["name"] == ["请填写印章名称"]
    assert "印章类型" in errors["kind"][0]
    assert "有效期" in errors["valid_days"][0]


def test_create_rotate_revoke_are_audited(seal, platform_admin):
    new = actions.rotate_seal(platform_admin, seal)
    actions.revoke_seal(platform_admin, new, "印章密钥疑似泄露")
    actions_logged = list(
        AuditRecord.objects.filter(action__startswith="seals.").values_list("action", flat=True)
    )
    assert {"seals.seal_created", "seals.seal_rotated", "seals.seal_revoked"} <= set(actions_logged)
    seal.refresh_from_db()
    assert seal.status == Seal.Status.ROTATED and seal.replaced_by == new
    assert new.serial_hex != seal.serial_hex


def test_revoke_needs_a_reason_and_happens_once(seal, platform_admin):
    with pytest.raises(ValidationError) as exc:
        actions.revoke_seal(platform_admin, seal, "")
    assert exc.value.message_dict["reason"] == ["请填写注销原因"]
    actions.revoke_seal(platform_admin, seal, "部门撤并")
    with pytest.raises(ValidationError, match=r"已于.*注销"):
        actions.revoke_seal(platform_admin, seal, "再次注销")
    with pytest.raises(ValidationError, match="不能再更换"):
        actions.rotate_seal(platform_admin, seal)


def test_seal_png_is_transparent_and_works_without_a_cjk_font(monkeypatch):
    from PIL import Image

    png = images.seal_png("许昌市民政局", "业务专用章", size=200)
    image = Image.open(__import__("io").BytesIO(png))
    assert image.mode == "RGBA" and image.size == (200, 200)
    assert image.getpixel((0, 0))[3] == 0  # corner transparent
    assert image.getpixel((100, 100))[0] > 150  # star centre red

    monkeypatch.setattr(images, "png_font", lambda: None)
    fallback = images.seal_png("许昌市民政局", "业务专用章", size=120)
    assert fallback.startswith(b"\x89PNG")


def test_seal_svg_carries_the_name_around_the_star():
    svg = images.seal_svg("许昌市民政局", "业务专用章")
    assert svg.startswith("<svg") and svg.count("<text") == 7
    assert "业务专用章" in svg and "<polygon" in svg


def test_demo_loader_gives_each_department_two_seals_once(department, other_department):
    from tongban.seals import demo

    lines = []
    demo.load(lines.append)
    demo.load(lines.append)
    assert Seal.objects.count() == 4
    assert lines == ["电子印章：新建 4 枚", "电子印章：新建 0 枚"]
