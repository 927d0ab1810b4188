"""The catalogue's labels (field names, choices, the real-name levels) follow the reader's language:
the material form a department fills in and the item's type read in English under "en"."""

import pytest
from django.utils import translation

from tongban.catalog import codes
from tongban.catalog.models import REALNAME_LEVELS, ItemVersion, Material
from tongban.catalog.staff_views import MaterialForm
from tongban.testing.catalog import complete_item


@pytest.fixture
def draft(department):
    return complete_item(department)[1]


def test_catalogue_labels_come_out_in_english(draft):
    with translation.override("en"):
        form = MaterialForm(version=draft)
        assert str(form["original_count"].label) == "Originals"
        assert str(form["allows_deficiency"].label) == "May be provided later"
        assert 'for="id_original_count">Originals' in str(form["original_count"].label_tag())
        assert str(form["issue_time_requirement"].help_text) == (
            "For example: issued within 3 months before the application"
        )
        assert str(Material._meta.verbose_name) == "Application materials"
        assert str(ItemVersion._meta.get_field("promised_limit_note").verbose_name) == (
            "Notes on the promised time limit"
        )
        assert str(ItemVersion._meta.verbose_name) == "Item version"
        assert codes.ItemType("01").label == "Administrative licensing"
        assert str(dict(REALNAME_LEVELS)[0]) == "Not required"
        assert str(dict(REALNAME_LEVELS)[3]) == "Level 3 (face verification passed)"


def test_catalogue_labels_stay_chinese_by_default(draft):
    form = MaterialForm(version=draft)
    assert str(form["original_count"].label) == "原件份数"
    assert str(ItemVersion._meta.verbose_name) == "事项版本"
    assert str(dict(REALNAME_LEVELS)[3]) == "3级（人脸核验通过）"
