"""智能免填 by 材料识别 through the intake pages: upload → worker → offered values → confirm, with
the corrections recorded; a photo that cannot be read keeps the upload and says why."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tongban.accounts.terms import TERMS_VERSION
from tongban.applications import actions
from tongban.applications import demo as forms_demo
from tongban.applications.models import Application, UploadedFile
from tongban.ocr.models import FieldCorrection, Recognition
from tongban.testing.factories import OCR_SAMPLES as FIXTURES
from tongban.testing.factories import PASSWORD
from tongban.testing.factories import ocr_sample as fixture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def truth() -> dict:
    return json.loads((FIXTURES / "truth.json").read_text())


@pytest.fixture
def venue_item(published_item):
    """The 公共场所卫生许可 form, with the item's first material read as a 营业执照."""
    schema, layout = forms_demo.public_venue_hygiene_form()
    actions.publish_form(actor=None, service_item=published_item, schema=schema, layout=layout)
    material = published_item.current_version.materials.order_by("order").first()
    material.document_kind = "business_licence"
    material.name = "营业执照"
    material.save()
    return published_item


def _upload(client, application, name):
    material = actions.required_materials(application)[0]
    return client.post(
        reverse("applications:upload", args=[application.public_id]),
        {"material": material.pk, "file": SimpleUploadedFile(name, fixture_bytes(name))},
    )


def test_a_licence_photo_fills_the_form_only_after_confirmation(
    client, citizen, venue_item, truth, django_capture_on_commit_callbacks
):
    client.login(username=citizen.phone, password=PASSWORD)
    application = actions.start_application(owner=citizen, service_item=venue_item, channel="pc")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _upload(client, application, "business_licence.jpg")
    recognition = Recognition.objects.get()
    assert recognition.status == "queued"  # the request only queued it
    materials_page = reverse("applications:draft", args=[application.public_id]) + "?page=3"
    page = client.get(materials_page).content.decode()
    assert "正在识别材料内容" in page and "recognition.js" in page

    for callback in queued:
        callback()  # the worker's turn (tasks run eagerly in tests)
    recognition.refresh_from_db()
    assert recognition.status == "done"
    licence = truth["business_licence"]
    panel = client.get(
        reverse("applications:recognition", args=[application.public_id, recognition.public_id])
    ).content.decode()
    assert "由材料识别" in panel and licence["name"] in panel and licence["address"] in panel
    application.refresh_from_db()
    assert not application.data.get("venue_name")  # offered, not yet in the form

    response = client.post(
        reverse("applications:recognition", args=[application.public_id, recognition.public_id]),
        {"venue_name": licence["name"], "venue_address": "河南省许昌市魏都区更正路1号"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.data["venue_name"] == licence["name"]
    assert application.data["venue_address"] == "河南省许昌市魏都区更正路1号"
    rows = {r.field: r for r in FieldCorrection.objects.all()}
    assert not rows["name"].changed
    assert rows["address"].changed and rows["address"].extracted == licence["address"]
    assert rows["address"].corrected == "河南省许昌市魏都区更正路1号"
    again = client.post(
        reverse("applications:recognition", args=[application.public_id, recognition.public_id]),
        {"venue_name": "别的"},
    )
    assert again.status_code == 302 and FieldCorrection.objects.count() == 2  # once only
    application.refresh_from_db()
    assert application.data["venue_name"] == licence["name"]


def test_an_unreadable_photo_keeps_the_upload_and_says_why(
    client, citizen, venue_item, django_capture_on_commit_callbacks
):
    client.login(username=citizen.phone, password=PASSWORD)
    application = actions.start_application(owner=citizen, service_item=venue_item, channel="pc")
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, application, "id_card_front.jpg")  # not a 营业执照
    assert UploadedFile.objects.filter(application=application).count() == 1
    page = client.get(
        reverse("applications:draft", args=[application.public_id]) + "?page=3"
    ).content.decode()
    assert "未能识别，请手动填写：这似乎是居民身份证（人像面），不是营业执照" in page
    assert "材料已保存" in page


def test_someone_else_cannot_see_or_confirm_a_recognition(
    client, citizen, second_citizen, venue_item, django_capture_on_commit_callbacks
):
    application = actions.start_application(owner=citizen, service_item=venue_item, channel="pc")
    client.login(username=citizen.phone, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=False):
        _upload(client, application, "business_licence.jpg")
    recognition = Recognition.objects.get()
    client.logout()
    client.login(username=second_citizen.phone, password=PASSWORD)
    url = reverse("applications:recognition", args=[application.public_id, recognition.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"venue_name": "x"}).status_code == 404


def test_a_clerk_scans_the_id_card_instead_of_typing_it(
    client, staff_clerk, published_item, truth, django_capture_on_commit_callbacks
):
    from tongban.accounts import actions as accounts
    from tongban.core import testdata

    card = truth["id_card_front"]
    person = accounts.register_citizen(
        real_name=card["name"],
        id_number=card["id_number"],
        phone=testdata.phone(77),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )
    client.force_login(staff_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake_staff:proxy-scan"),
            {
                "file": SimpleUploadedFile("card.jpg", fixture_bytes("id_card_front.jpg")),
                "code": published_item.implementation_code,
            },
        )
    scan = Recognition.objects.get()
    assert response["Location"].endswith(
        f"?scan={scan.public_id}&code={published_item.implementation_code}"
    )
    page = client.get(response["Location"]).content.decode()
    assert f'value="{card["id_number"]}"' in page and "由材料识别" in page
    assert card["address"] in page

    response = client.post(
        reverse("intake_staff:proxy-start"),
        {
            "id_number": card["id_number"],
            "code": published_item.implementation_code,
            "scan": str(scan.public_id),
        },
    )
    application = Application.objects.get(owner=person)
    assert application.data["applicant_id_number"] == card["id_number"]
    assert application.data["applicant_address"] == card["address"]  # the account had none
    assert {(r.field, r.changed) for r in FieldCorrection.objects.all()} == {
        ("id_number", False),
        ("address", False),
    }


def _citizen_of_card(card: dict):
    from tongban.accounts import actions as accounts
    from tongban.core import testdata

    return accounts.register_citizen(
        real_name=card["name"],
        id_number=card["id_number"],
        phone=testdata.phone(78),
        password=PASSWORD,
        agreed_terms=TERMS_VERSION,
    )


def _scan_and_start(client, item, fixture: str, id_number: str, capture) -> Recognition:
    """The clerk scans the card, then makes the draft with the number (as read or typed)."""
    with capture(execute=True):
        client.post(
            reverse("intake_staff:proxy-scan"),
            {
                "file": SimpleUploadedFile("card.jpg", fixture_bytes(fixture)),
                "code": item.implementation_code,
            },
        )
    scan = Recognition.objects.get()
    client.post(
        reverse("intake_staff:proxy-start"),
        {
            "id_number": id_number,
            "code": item.implementation_code,
            "scan": str(scan.public_id),
        },
    )
    scan.refresh_from_db()
    return scan


def _id_material(item, name="申请人居民身份证"):
    material = item.current_version.materials.order_by("order").first()
    material.document_kind, material.name = "id_card_front", name
    material.save()
    return material


def test_the_scanned_card_is_kept_as_the_applicants_id_material(
    client, staff_clerk, published_item, truth, django_capture_on_commit_callbacks
):
    person = _citizen_of_card(truth["id_card_front"])
    material = _id_material(published_item)
    client.force_login(staff_clerk)
    scan = _scan_and_start(
        client,
        published_item,
        "id_card_front.jpg",
        truth["id_card_front"]["id_number"],
        django_capture_on_commit_callbacks,
    )
    application = Application.objects.get(owner=person)
    stored = application.files.get()
    assert stored.material == material and stored.recognition == scan
    assert stored.uploaded_by == staff_clerk and stored.content_type == "image/jpeg"
    with stored.file.open("rb") as kept, scan.source.open("rb") as scanned:
        # the very scan, checked again by content (and cleaned of metadata, like any upload)
        assert Image.open(kept).size == Image.open(scanned).size
    assert scan.status == "confirmed" and Recognition.objects.count() == 1  # not read twice

    client.force_login(person)  # the applicant sees the card among the materials, confirmed
    page = client.get(
        reverse("applications:draft", args=[application.public_id]) + "?page=3"
    ).content.decode()
    assert "已确认由材料识别的内容并填入申请表" in page


def test_a_card_that_could_not_be_read_is_kept_all_the_same(
    client, staff_clerk, published_item, truth, django_capture_on_commit_callbacks
):
    person = _citizen_of_card(truth["id_card_front"])
    _id_material(published_item)
    client.force_login(staff_clerk)
    scan = _scan_and_start(
        client,
        published_item,
        "blurred.jpg",
        truth["id_card_front"]["id_number"],
        django_capture_on_commit_callbacks,
    )
    assert scan.status == "failed"
    stored = Application.objects.get(owner=person).files.get()
    assert stored.recognition == scan  # nothing lost: the applicant's page says why it failed


@pytest.mark.parametrize("material_name", ["受托人居民身份证", None])
def test_a_scan_is_not_filed_where_no_applicant_id_material_is_asked(
    client, staff_clerk, published_item, truth, material_name, django_capture_on_commit_callbacks
):
    person = _citizen_of_card(truth["id_card_front"])
    if material_name:
        _id_material(published_item, material_name)  # the agent's card, not the applicant's
    client.force_login(staff_clerk)
    _scan_and_start(
        client,
        published_item,
        "id_card_front.jpg",
        truth["id_card_front"]["id_number"],
        django_capture_on_commit_callbacks,
    )
    application = Application.objects.get(owner=person)
    assert not application.files.exists()
    assert application.data["applicant_id_number"] == truth["id_card_front"]["id_number"]


def test_a_scan_that_is_not_an_image_is_refused_at_the_counter(client, staff_clerk):
    client.force_login(staff_clerk)
    response = client.post(
        reverse("intake_staff:proxy-scan"),
        {"file": SimpleUploadedFile("card.jpg", b"MZ\x90\x00" + b"\x00" * 100)},
        follow=True,
    )
    assert "只能上传 PDF、JPG 或 PNG 文件" in response.content.decode()
    assert not Recognition.objects.exists()
