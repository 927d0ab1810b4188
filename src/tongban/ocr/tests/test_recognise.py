"""The extractors on the committed fixture photos (made by `tongban ocr_fixtures`), and the bad
inputs a person can hand in. Real OCR: no system fonts are needed, only the photos."""

import io

import pytest
from PIL import Image

from tongban.ocr import kinds
from tongban.ocr.recognise import Unreadable, recognise
from tongban.ocr.tests.conftest import fixture_bytes


@pytest.mark.parametrize("kind", list(kinds.KINDS))
def test_every_printed_field_is_read_and_checked(kind, truth):
    result = recognise(fixture_bytes(f"{kind}.jpg"), "image/jpeg", kind)
    read = {name: field.value for name, field in result.fields.items()}
    assert {name: read[name] for name in truth[kind]} == truth[kind]
    for name in truth[kind]:
        assert result.fields[name].confidence >= 0.8 and not result.fields[name].problem


def test_a_blurred_photo_is_refused_with_the_reason():
    with pytest.raises(Unreadable, match="模糊"):
        recognise(fixture_bytes("blurred.jpg"), "image/jpeg", "id_card_front")


def test_a_sideways_photo_is_turned_and_read(truth):
    result = recognise(fixture_bytes("sideways.jpg"), "image/jpeg", "business_licence")
    assert result.fields["uscc"].value == truth["business_licence"]["uscc"]


def test_the_wrong_certificate_is_named():
    with pytest.raises(Unreadable, match="这似乎是居民身份证（人像面），不是营业执照"):
        recognise(fixture_bytes("id_card_front.jpg"), "image/jpeg", "business_licence")


def test_a_scanned_pdf_without_text_asks_for_a_photo():
    with pytest.raises(Unreadable, match="没有文字层"):
        recognise(fixture_bytes("scan.pdf"), "application/pdf", "business_licence")


def test_a_tiny_or_broken_image_is_refused():
    small = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(small, "JPEG")
    with pytest.raises(Unreadable, match="分辨率太低"):
        recognise(small.getvalue(), "image/jpeg", "id_card_front")
    with pytest.raises(Unreadable, match="无法打开"):
        recognise(b"\xff\xd8\xff broken", "image/jpeg", "id_card_front")


def test_a_huge_scan_is_reduced_before_reading(truth):
    photo = Image.open(io.BytesIO(fixture_bytes("id_card_front.jpg")))
    huge = photo.resize((photo.width * 4, photo.height * 4))
    out = io.BytesIO()
    huge.save(out, "JPEG", quality=80)
    result = recognise(out.getvalue(), "image/jpeg", "id_card_front")
    assert result.fields["id_number"].value == truth["id_card_front"]["id_number"]


def test_a_name_with_a_doubled_character_is_read_whole():
    """徐一一: the recogniser gives the second 一 no frame of its own; its trace puts it back."""
    result = recognise(fixture_bytes("doubled_name.jpg"), "image/jpeg", "id_card_front")
    assert result.fields["name"].value == "徐一一"
