import io

import pytest

from tongban.seals import actions
from tongban.seals.models import Seal


@pytest.fixture
def seal(department, platform_admin):
    return actions.create_seal(
        platform_admin, department, "许昌市民政局业务专用章", Seal.Kind.BUSINESS, 365
    )


@pytest.fixture
def licence_seal(department, platform_admin):
    return actions.create_seal(
        platform_admin, department, "许昌市民政局电子证照专用章", Seal.Kind.LICENCE, 365
    )


def plain_pdf(text: str = "hello") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 700, text)
    page.save()
    return out.getvalue()


@pytest.fixture
def signed_pdf(seal, platform_admin):
    return actions.sign_pdf(
        plain_pdf(),
        seal,
        document_type="受理通知书",
        document_number="市民政局〔2026〕1号",
        actor=platform_admin,
    )
