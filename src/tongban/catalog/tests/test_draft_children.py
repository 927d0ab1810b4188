"""A draft's materials and 业务办理项, edited on the staff pages or in the admin, go through
catalog.actions.save_draft_children: one rule for duplicates, one audit record per save."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.catalog import actions
from tongban.catalog.models import Material
from tongban.core.models import AuditRecord
from tongban.testing.catalog import complete_item


def _edits(draft):
    return AuditRecord.objects.filter(action="catalog.edit_draft_children", object_id=str(draft.pk))


def test_a_duplicate_material_name_is_refused_by_the_service_and_rolled_back(
    department, catalogue_admin
):
    _item, draft = complete_item(department)

    def add_duplicate():
        Material.objects.create(version=draft, name="材料1", original_count=1, copy_count=0)

    with pytest.raises(ValidationError) as refused:
        actions.save_draft_children(
            actor=catalogue_admin, version=draft, what="申请材料", save=add_duplicate
        )
    assert refused.value.message_dict == {"materials": ["同一事项的材料名称不能重复"]}
    assert draft.materials.filter(name="材料1").count() == 1
    assert not _edits(draft).exists()


def test_the_materials_page_saves_through_the_service_layer(client, department, catalogue_admin):
    item, draft = complete_item(department)
    client.force_login(catalogue_admin)
    url = reverse("catalog_staff:materials", args=[item.pk])
    formset = client.get(url).context["formset"]
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, material in enumerate(draft.materials.order_by("pk")):
        data.update(
            {
                f"form-{i}-id": material.pk,
                f"form-{i}-order": material.order,
                f"form-{i}-name": material.name,
                f"form-{i}-issuer": material.issuer,
                f"form-{i}-original_count": material.original_count,
                f"form-{i}-copy_count": material.copy_count,
                f"form-{i}-required": "on",
            }
        )
    new = {"form-2-order": "3", "form-2-original_count": "1", "form-2-copy_count": "0"}

    refused = client.post(url, {**data, **new, "form-2-name": "材料2"})
    assert "同一事项的材料名称不能重复" in refused.content.decode()
    assert draft.materials.count() == 2 and not _edits(draft).exists()

    saved = client.post(url, {**data, **new, "form-2-name": "材料3"})
    assert saved.status_code == 302
    assert draft.materials.count() == 3
    record = _edits(draft).get()
    assert record.actor == catalogue_admin and record.detail == {"what": "申请材料"}
