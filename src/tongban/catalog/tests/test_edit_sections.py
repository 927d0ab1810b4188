"""Issue 31, catalogue editing: the draft's ~47 elements in sections with in-page navigation, each
saved on its own without touching the others, and the citizen's guide previewed before publishing."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from tongban.catalog import actions
from tongban.catalog.models import ItemVersion
from tongban.catalog.staff_views import EDIT_SECTIONS, DraftForm
from tongban.core.models import AuditRecord
from tongban.testing.catalog import complete_item, edit_section_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, catalogue_admin):
    client.force_login(catalogue_admin)
    return client


def _stored(draft) -> dict:
    draft.refresh_from_db()
    return model_to_dict(draft, fields=[*ItemVersion.ELEMENT_FIELDS, "halls", "change_note"])


def test_every_element_is_in_exactly_one_section():
    names = [name for _key, _label, fields in EDIT_SECTIONS for name in fields]
    assert sorted(names) == sorted(DraftForm._meta.fields)
    assert len(names) == len(set(names))


def test_the_page_has_a_contents_list_a_form_per_section_and_a_preview_link(editor, department):
    item, _draft = complete_item(department)

    page = editor.get(reverse("catalog_staff:edit", args=[item.pk]))

    html = page.content.decode()
    for key, label, _fields in EDIT_SECTIONS:
        assert f'<a href="#section-{key}">{label}</a>' in html
        assert (
            f'id="section-{key}"' in html
            and f'<input type="hidden" name="section" value="{key}">' in html
        )
    assert html.count('<form method="post"') == len(EDIT_SECTIONS)
    assert reverse("catalog_staff:preview", args=[item.pk]) in html
    assert "保存“办理时限”" in html


def test_saving_one_section_leaves_every_other_element_as_it_was(editor, department):
    item, draft = complete_item(department, acceptance_conditions="年满80周岁的本市户籍老人")
    url = reverse("catalog_staff:edit", args=[item.pk])
    before = _stored(draft)
    data = edit_section_data(editor.get(url), "limits")
    data.update({"limits-promised_limit": "3", "limits-promised_limit_note": "材料齐全当场受理"})

    response = editor.post(url, data)

    assert response.status_code == 302 and response["Location"] == f"{url}#section-limits"
    after = _stored(draft)
    assert after["promised_limit"] == 3 and after["promised_limit_note"] == "材料齐全当场受理"
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"promised_limit", "promised_limit_note"}
    assert after["acceptance_conditions"] == "年满80周岁的本市户籍老人"
    assert AuditRecord.objects.filter(object_id=str(draft.pk)).exists()
    assert "“办理时限”已保存" in editor.get(url).content.decode()


def test_a_section_posted_with_only_its_own_fields_cannot_blank_the_others(editor, department):
    item, draft = complete_item(department)
    url = reverse("catalog_staff:edit", args=[item.pk])
    before = _stored(draft)
    data = edit_section_data(editor.get(url), "place")
    data["place-office_hours"] = "工作日 9:00—17:00"
    # Fields of another section sent along (as a stale tab might) are ignored.
    data["basic-name"] = ""
    data["name"] = ""

    assert editor.post(url, data).status_code == 302

    after = _stored(draft)
    assert after["office_hours"] == "工作日 9:00—17:00" and after["name"] == before["name"]
    assert {k for k in before if before[k] != after[k]} == {"office_hours"}


def test_a_refused_section_keeps_what_was_typed_and_saves_nothing(editor, department):
    item, draft = complete_item(department)
    url = reverse("catalog_staff:edit", args=[item.pk])
    before = _stored(draft)
    data = edit_section_data(editor.get(url), "limits")
    data["limits-promised_limit"] = "999"

    page = editor.post(url, data)

    html = page.content.decode()
    assert page.status_code == 200
    assert "“办理时限”未保存" in html and "承诺办结时限不能长于法定办结时限" in html
    assert 'name="limits-promised_limit" value="999"' in html
    assert html.startswith("<!") and "<title>错误：" in html
    assert _stored(draft) == before


def test_a_post_without_a_section_changes_nothing(editor, department):
    item, draft = complete_item(department)
    before = _stored(draft)

    response = editor.post(
        reverse("catalog_staff:edit", args=[item.pk]),
        {"name": "改名", "section": "nope"},
        follow=True,
    )

    assert "请在页面上的某一部分中保存" in response.content.decode()
    assert _stored(draft) == before


def test_the_preview_shows_the_draft_as_citizens_would_read_it(editor, client, department):
    item, draft = complete_item(department)
    actions.update_draft(actor=None, version=draft, elements={"office_hours": "周一至周五上午"})

    page = editor.get(reverse("catalog_staff:preview", args=[item.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "预览：这是草稿的办事指南，尚未发布，群众看不到。" in html
    assert "周一至周五上午" in html and draft.name in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    # Not published: the public guide does not exist yet.
    client.logout()
    assert client.get(reverse("catalog:guide", args=[item.implementation_code])).status_code == 404


def test_the_preview_is_for_the_items_own_catalogue_administrators(
    client, department, other_catalogue_admin, staff_clerk
):
    item, _draft = complete_item(department)
    url = reverse("catalog_staff:preview", args=[item.pk])
    client.force_login(other_catalogue_admin)
    assert client.get(url).status_code == 403
    client.force_login(staff_clerk)
    assert client.get(url).status_code == 403


def _process_change_shown(editor, item) -> bool:
    page = editor.get(reverse("catalog_staff:item", args=[item.pk])).content.decode()
    changes = page.split("版本历史")[1]
    return "办理流程" in changes


def test_an_unchanged_process_saved_on_the_edit_page_is_not_reported_as_changed(
    editor, department, catalogue_admin
):
    """Issue 31: the version diff said 办理流程 changed when it was identical. Version 1 was stored
    with a browser's "\r\n" and a trailing line end (as saves before the fix and imports did); the
    administrator saves the section of the new draft without touching it."""
    item, draft = complete_item(department, process="申请\n受理\n审查\n决定")
    ItemVersion.objects.filter(pk=draft.pk).update(process="申请\r\n受理\r\n审查 \r\n决定\r\n")
    actions.publish(actor=catalogue_admin, version=draft)
    second = actions.new_draft(actor=catalogue_admin, item=item)
    url = reverse("catalog_staff:edit", args=[item.pk])
    section = next(key for key, _label, fields in EDIT_SECTIONS if "process" in fields)
    assert editor.post(url, edit_section_data(editor.get(url), section)).status_code == 302

    second.refresh_from_db()
    assert actions.diff_versions(draft, second) == []
    assert not _process_change_shown(editor, item)
    assert (
        "内容没有变化" in editor.get(reverse("catalog_staff:item", args=[item.pk])).content.decode()
    )
    # A real change of one step is still reported, with the old and the new text.
    data = edit_section_data(editor.get(url), section)
    data[f"{section}-process"] = "申请\n受理\n现场核查\n决定"
    editor.post(url, data)
    second.refresh_from_db()
    (change,) = actions.diff_versions(draft, second)
    assert change["label"] == "办理流程" and "现场核查" in change["new"]
    assert _process_change_shown(editor, item)
