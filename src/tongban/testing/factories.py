"""Accounts and files for tests: one way to make each, so a test reads as the person it is about."""

import datetime
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.accounts.terms import TERMS_VERSION
from tongban.core import testdata

PASSWORD = "Tongban2026"
OCR_SAMPLES = Path(__file__).resolve().parents[1] / "ocr" / "tests" / "fixtures"


def staff(department, login: str, *roles: str, display_name: str = "", password: str = PASSWORD):
    """A staff account of `department` holding `roles` (created by the platform: actor None)."""
    from tongban.accounts import actions as accounts

    return accounts.create_staff(
        actor=None,
        login_name=login,
        display_name=display_name or f"{login}示例",
        department=department,
        roles=list(roles),
        password=password,
    )


def demo_staff(login: str):
    """A staff account the demo loader created (tests that load the demo city)."""
    from tongban.accounts.models import User

    return User.objects.get(login_name=login)


def citizen(
    real_name: str = "示例老人",
    *,
    birth: datetime.date = datetime.date(1940, 5, 6),
    sequence: int = 1,
    phone: int = 1,
    password: str = PASSWORD,
):
    """A registered citizen with a valid (test-range) ID number and phone."""
    from tongban.accounts import actions as accounts

    return accounts.register_citizen(
        real_name=real_name,
        id_number=testdata.citizen_id(birth=birth, sequence=sequence),
        phone=testdata.phone(phone),
        password=password,
        agreed_terms=TERMS_VERSION,
    )


def enterprise(
    name: str = "许昌示例餐饮有限公司",
    *,
    sequence: int = 11,
    legal_rep_name: str = "示例法人",
    legal_rep_sequence: int = 21,
    phone: int = 3,
    password: str = PASSWORD,
):
    """A registered enterprise with a valid (test-range) 统一社会信用代码."""
    from tongban.accounts import actions as accounts

    return accounts.register_enterprise(
        name=name,
        uscc=testdata.credit_code("91", "411002", sequence),
        legal_rep_name=legal_rep_name,
        legal_rep_id_number=testdata.citizen_id(sequence=legal_rep_sequence),
        phone=testdata.phone(phone),
        password=password,
        agreed_terms=TERMS_VERSION,
    )


def pdf_bytes(pages: int = 1) -> bytes:
    """A valid PDF of `pages` blank A4 pages."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(name: str = "scan.pdf", pages: int = 1) -> SimpleUploadedFile:
    """An uploaded PDF, as a form or the service layer receives it."""
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def jpeg_with_location() -> bytes:
    """A small JPEG whose EXIF names a camera and a GPS position (to be stripped on upload)."""
    from PIL import Image

    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"  # Make
    gps = {1: "N", 2: (34.0, 1.0, 2.0), 3: "E", 4: (113.0, 49.0, 1.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def ocr_sample(name: str) -> bytes:
    """One of the recognition samples (synthetic ID cards, licences) kept with the ocr tests."""
    return (OCR_SAMPLES / name).read_bytes()
