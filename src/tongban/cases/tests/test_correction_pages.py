"""Issue 31, 补正 as the citizen sees it: 我的办件 offers 去补正 and the notice; the link opens the
materials with the ones the notice names marked and linked; an upload returns to its own row (a bad
file is explained there); resubmitting says 补正已提交 with this submission's time."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.applications.models import Application
from tongban.cases import actions
from tongban.testing.builders import submit_application
from tongban.testing.clock import at
from tongban.testing.factories import pdf_bytes

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def corrected(citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    with at(D(2026, 9, 22)):
        actions.request_correction(
            application=application,
            actor=team["clerk"],
            items=["材料1：缺少法定代表人签字", "请说明经营场所面积"],
        )
    application.refresh_from_db()
    return application


def _draft(application):
    return reverse("applications:draft", args=[application.public_id])


def test_my_cases_offers_go_correct_and_the_notice(client, citizen, corrected):
    client.force_login(citizen)
    page = client.get(reverse("applications:mine")).content.decode()
    assert "去补正" in page
    assert reverse("cases:correction_notice", args=[corrected.public_id]) in page


def test_go_correct_opens_the_materials_with_the_named_one_marked(client, citizen, corrected):
    client.force_login(citizen)
    with at(D(2026, 9, 23)):
        page = client.get(_draft(corrected)).content.decode()
    material = corrected.item_version.materials.get(name="材料1")
    sections = len(corrected.form.sections)
    assert "上传材料" in page.split("</title>")[0]  # the materials page, not the form's step 3
    assert "需要补正" in page and "2026年10月" in page  # what is asked and by when
    assert f'href="?page={sections}#material-{material.pk}"' in page  # the item links to its row
    row = page.split(f'id="material-{material.pk}"')[1].split("checklist__files")[0]
    assert "data-asked" in row and "需补正" in row
    assert "请说明经营场所面积" in page  # free text stays as text
    assert reverse("cases:correction_notice", args=[corrected.public_id]) in page


def test_a_bad_upload_is_explained_in_its_own_row(client, citizen, corrected):
    client.force_login(citizen)
    material = corrected.item_version.materials.get(name="材料1")
    response = client.post(
        reverse("applications:upload", args=[corrected.public_id]),
        {"material": material.pk, "file": SimpleUploadedFile("照片.pdf", b"not a pdf at all")},
    )
    assert response["Location"].endswith(f"#material-{material.pk}")
    page = client.get(response["Location"].split("#")[0]).content.decode()
    status = page.split(f'id="file-{material.pk}-status"')[1].split("</p>")[0]
    assert "只能上传 PDF、JPG 或 PNG 文件" in status and "data-focus-on-load" in status
    assert page.split("<title>")[1].startswith("错误")
    again = client.get(response["Location"].split("#")[0]).content.decode()
    assert "只能上传" not in again  # said once


def test_resubmitting_says_correction_submitted(client, citizen, corrected):
    client.force_login(citizen)
    material = corrected.item_version.materials.get(name="材料1")
    with at(D(2026, 9, 24), hour=15):
        uploaded = client.post(
            reverse("applications:upload", args=[corrected.public_id]),
            {"material": material.pk, "file": SimpleUploadedFile("补正.pdf", pdf_bytes())},
        )
        assert uploaded.status_code == 302
        response = client.post(reverse("applications:submit", args=[corrected.public_id]))
        assert response["Location"] == reverse("applications:submitted", args=[corrected.public_id])
        page = client.get(response["Location"]).content.decode()
    assert "补正已提交" in page and "申请已提交" not in page
    assert "2026-09-24 15:00" in page and "补正提交时间" in page
    corrected.refresh_from_db()
    assert corrected.status == "submitted"
    assert Application.objects.count() == 1


def test_a_first_submission_still_says_submitted(client, citizen, promise_item):
    client.force_login(citizen)
    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    page = client.get(reverse("applications:submitted", args=[application.public_id])).content
    assert "申请已提交" in page.decode() and "补正已提交" not in page.decode()


# --- the clerk's side: a tick list of the application's materials -------------------------------


def _correction_url(application):
    return reverse("cases:act", args=[application.public_id, "correction"])


def test_the_clerk_ticks_materials_and_the_notice_and_the_citizen_page_name_them(
    client, citizen, team, promise_item
):
    from pypdf import PdfReader

    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
    first = application.item_version.materials.get(name="材料1")  # the item's one material
    client.force_login(team["clerk"])
    with at(D(2026, 9, 22)):
        page = client.get(reverse("cases:detail", args=[application.public_id])).content.decode()
        assert f'name="materials" value="{first.pk}"' in page
        assert "每行一项" not in page
        answer = client.post(
            _correction_url(application),
            {
                "materials": [first.pk],
                f"note_{first.pk}": "缺少法定代表人签字",
                "other": "请说明经营场所面积",
            },
            follow=True,
        ).content.decode()
    assert "补正告知书已发出" in answer
    notice = application.case.corrections.get()
    assert notice.items == ["材料1：缺少法定代表人签字", "请说明经营场所面积"]
    document = application.case.documents.get(kind="补正告知书")
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(document.document.read_bytes())).pages
    ).replace("\n", "")
    assert "材料1：缺少法定代表人签字" in text and "请说明经营场所面积" in text
    client.force_login(citizen)
    with at(D(2026, 9, 23)):
        mine = client.get(_draft(application)).content.decode()
    row = mine.split(f'id="material-{first.pk}"')[1].split("checklist__files")[0]
    assert "data-asked" in row  # the ticked material is marked on the citizen's page


def test_an_empty_or_foreign_correction_is_refused(client, citizen, team, promise_item, department):
    from tongban.cases.models import CorrectionNotice
    from tongban.testing.catalog import complete_item

    with at(D(2026, 9, 21)):
        application = submit_application(citizen, promise_item)
        _other_item, other_draft = complete_item(department, code="010101003000", name="另一事项")
    foreign = other_draft.materials.first()
    client.force_login(team["clerk"])
    with at(D(2026, 9, 22)):
        empty = client.post(_correction_url(application), {"other": "  "}, follow=True)
        assert "请勾选需要补正的材料，或填写其他需要补正的内容" in empty.content.decode()
        junk = client.post(_correction_url(application), {"materials": ["x"]}, follow=True)
        assert "所选材料无效" in junk.content.decode()
        other = client.post(_correction_url(application), {"materials": [foreign.pk]}, follow=True)
        assert "所选材料不是本申请的材料" in other.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not CorrectionNotice.objects.filter(case__application=application).exists()
