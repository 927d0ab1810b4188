"""重新上传: a replacement takes the place of the file it replaces, on the page and through the API.
The old file is no longer part of the application (not listed, not counted, not submitted) but is
kept in the application's history (ReplacedFile, with the stored file) and in the audit record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.applications import actions
from tongban.applications.models import Application, ReplacedFile
from tongban.core.models import AuditRecord
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db
BASE = "/api/v1/applications/"


def _draft(client, item) -> Application:
    client.post(reverse("applications:start", args=[item.implementation_code]), {"as": "self"})
    return Application.objects.latest("created_at")


def _materials_page(client, application) -> str:
    url = reverse("applications:draft", args=[application.public_id])
    return client.get(f"{url}?page={len(application.form.sections)}").content.decode()


def test_a_replacement_takes_the_old_files_place_on_the_page(client, citizen, published_item):
    client.force_login(citizen)
    application = _draft(client, published_item)
    material = application.item_version.materials.first()
    upload_url = reverse("applications:upload", args=[application.public_id])
    client.post(
        upload_url,
        {"material": material.pk, "file": SimpleUploadedFile("旧身份证.pdf", pdf_bytes())},
    )
    old = application.files.get()
    page = _materials_page(client, application)
    assert "旧身份证.pdf" in page and "重新上传替换" in page

    answer = client.post(
        upload_url,
        {
            "material": material.pk,
            "replaces": old.pk,
            "file": SimpleUploadedFile("新身份证.pdf", pdf_bytes(pages=2)),
        },
        follow=True,
    )
    shown = answer.content.decode()
    assert "已替换为：新身份证.pdf" in shown
    assert "新身份证.pdf" in shown and "旧身份证.pdf" not in shown  # not shown as current
    current = application.files.get()  # one file for the material, not two
    assert current.original_name == "新身份证.pdf" and current.pages == 2
    history = ReplacedFile.objects.get(application=application)
    assert (history.original_name, history.sha256) == ("旧身份证.pdf", old.sha256)
    assert history.replaced_by == citizen and history.replacement_sha256 == current.sha256
    assert history.file.storage.exists(history.file.name)  # the old file itself is kept
    record = AuditRecord.objects.get(action="applications.replace_file")
    assert record.detail["replaced_sha256"] == old.sha256
    assert record.detail["sha256"] == current.sha256
    assert next(row["files"] for row in actions.material_checklist(application)) == [current]


def test_a_replacement_for_a_file_of_another_material_is_refused(client, citizen, published_item):
    client.force_login(citizen)
    application = _draft(client, published_item)
    first, second = application.item_version.materials.all()[:2]
    upload_url = reverse("applications:upload", args=[application.public_id])
    client.post(
        upload_url, {"material": first.pk, "file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    other = application.files.get()
    page = client.post(
        upload_url,
        {
            "material": second.pk,
            "replaces": other.pk,
            "file": SimpleUploadedFile("b.pdf", pdf_bytes(2)),
        },
        follow=True,
    ).content.decode()
    assert "要替换的文件已不在该材料中" in page
    assert list(application.files.all()) == [other]  # nothing changed
    assert not ReplacedFile.objects.exists()


def test_the_api_replaces_a_file_and_answers_bad_input_in_its_error_shape(
    client, citizen, published_item
):
    client.force_login(citizen)
    draft = client.post(
        BASE,
        {"implementation_code": published_item.implementation_code},
        content_type="application/json",
    ).json()
    url = f"{BASE}{draft['public_id']}/"
    material = draft["materials"][0]["id"]
    first = client.post(
        url + "files/", {"material": material, "file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    ).json()
    second = client.post(
        url + "files/",
        {
            "material": material,
            "replaces": first["id"],
            "file": SimpleUploadedFile("b.pdf", pdf_bytes(2)),
        },
    )
    assert second.status_code == 201, second.content
    detail = client.get(url).json()
    row = next(m for m in detail["materials"] if m["id"] == material)
    assert [f["original_name"] for f in row["files"]] == ["b.pdf"]

    again = client.post(  # the replaced file is history now: it cannot be replaced twice
        url + "files/",
        {
            "material": material,
            "replaces": first["id"],
            "file": SimpleUploadedFile("c.pdf", pdf_bytes(3)),
        },
    )
    assert again.status_code == 400 and "code" in again.json()
    malformed = client.post(
        url + "files/",
        {"material": material, "replaces": "x1", "file": SimpleUploadedFile("c.pdf", pdf_bytes(3))},
    )
    assert malformed.status_code == 400 and "replaces" in str(malformed.json())
    assert Application.objects.get(public_id=draft["public_id"]).files.count() == 1
