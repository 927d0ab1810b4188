import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tongban.accounts.actions import create_staff
from tongban.seals import documents, forms
from tongban.seals.models import IssuedDocument, Seal
from tongban.seals.tests.conftest import plain_pdf

pytestmark = pytest.mark.django_db

URL = "/verify/"


def _upload(client, name, data):
    return client.post(URL, {"file": SimpleUploadedFile(name, data)})


def test_verify_page_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "电子文书核验" in response.content.decode()


def test_valid_document_is_reported_in_plain_chinese(client, signed_pdf, department):
    response = _upload(client, "notice.pdf", signed_pdf)
    page = response.content.decode()
    assert response.status_code == 200
    assert "有效" in page and department.name in page and "市民政局〔2026〕1号" in page


def test_tampered_document(client, signed_pdf):
    changed = bytearray(signed_pdf)
    changed[300] ^= 0x01
    page = _upload(client, "notice.pdf", bytes(changed)).content.decode()
    assert "文件已被篡改" in page


def test_non_pdf_upload_gets_a_chinese_error_not_a_server_error(client):
    response = _upload(client, "notice.pdf", b"\x89PNG\r\n\x1a\n not a pdf")
    assert response.status_code == 200
    assert "该文件不是 PDF 文件" in response.content.decode()
    response = _upload(client, "notice.pdf", b"%PDF-1.7 broken")
    assert response.status_code == 200
    assert "不是有效的 PDF 文件" in response.content.decode()
    response = client.post(URL, {})
    assert "请选择要核验的 PDF 文件" in response.content.decode()


def test_oversized_upload_is_refused(client, monkeypatch):
    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 100)
    response = _upload(client, "big.pdf", b"%PDF-" + b"0" * 200)
    assert response.status_code == 200
    assert "文件超过 20 MB" in response.content.decode()


def test_uploads_are_rate_limited(client, monkeypatch):
    from tongban.seals import views

    monkeypatch.setattr(views, "UPLOADS_PER_WINDOW", 2)
    for _ in range(2):
        assert _upload(client, "a.pdf", plain_pdf()).status_code == 200
    response = _upload(client, "a.pdf", plain_pdf())
    assert response.status_code == 429
    assert "核验次数过于频繁" in response.content.decode()


def test_document_page_by_code_and_by_number(client, department, seal, citizen):
    doc = documents.issue_document(
        document_type=IssuedDocument.Type.ACCEPTANCE_NOTICE,
        title="受理通知书",
        sections=[("", f"申请人：{citizen.display_name}")],
        department=department,
        related=citizen,
    )
    for ref in (doc.public_id, doc.number):
        response = client.get(reverse("seals:document", args=[str(ref)]))
        page = response.content.decode()
        assert response.status_code == 200
        assert doc.sha256 in page and department.name in page and doc.number in page
        assert citizen.display_name not in page  # no personal data on the public page
    assert client.get(reverse("seals:document", args=["不存在〔2026〕1号"])).status_code == 404
    image = client.get(reverse("seals:seal-image", args=[seal.pk]))
    assert image["Content-Type"].startswith("image/svg+xml")
    root = client.get(reverse("seals:ca-certificates"))
    assert root.content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_verify_pdf_command_exit_codes(tmp_path, signed_pdf, capsys):
    good = tmp_path / "good.pdf"
    good.write_bytes(signed_pdf)
    call_command("verify-pdf", str(good))
    assert "签章：有效" in capsys.readouterr().out

    bad = tmp_path / "bad.pdf"
    changed = bytearray(signed_pdf)
    changed[300] ^= 0x01
    bad.write_bytes(bytes(changed))
    with pytest.raises(CommandError) as exc:
        call_command("verify-pdf", str(bad))
    assert exc.value.returncode == 2
    assert "文件已被篡改" in capsys.readouterr().out

    unsigned = tmp_path / "plain.pdf"
    unsigned.write_bytes(plain_pdf())
    with pytest.raises(CommandError) as exc:
        call_command("verify-pdf", str(unsigned), "--json")
    assert exc.value.returncode == 5
    assert '"status": "unsigned"' in capsys.readouterr().out

    with pytest.raises(CommandError) as exc:
        call_command("verify-pdf", str(tmp_path / "missing.pdf"))
    assert exc.value.returncode == 1


def test_admin_creates_and_revokes_through_the_service_layer(client, platform_admin, department):
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:seals_seal_add"),
        {
            "department": department.pk,
            "name": "许昌市民政局公章",
            "kind": Seal.Kind.OFFICIAL,
            "valid_days": 730,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    seal = Seal.objects.get(name="许昌市民政局公章")
    assert seal.created_by == platform_admin and (seal.valid_until - seal.valid_from).days == 730
    assert client.get(reverse("admin:seals_seal_change", args=[seal.pk])).status_code == 200
    response = client.post(reverse("admin:seals_seal_revoke", args=[seal.pk]), {"reason": "测试"})
    assert response.status_code == 302
    seal.refresh_from_db()
    assert seal.status == Seal.Status.REVOKED and seal.revocation_reason == "测试"


def test_other_staff_cannot_manage_seals(client, department, seal):
    staff = create_staff(
        actor=None,
        login_name="catalog01",
        display_name="事项管理员",
        department=department,
        roles=["catalogue_admin"],
        password="Tongban2026",
    )
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get(reverse("admin:seals_seal_revoke", args=[seal.pk])).status_code == 403
    assert client.get(reverse("admin:seals_seal_add")).status_code == 403
