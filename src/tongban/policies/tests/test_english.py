"""The policies pages in English: the citizen's 可享政策 and the staff list, policy page and editor
speak English; the data on them (policy names, reasons built from the rule) stays as typed."""

import pytest
from django.conf import settings

from tongban.accounts.models import CitizenProfile
from tongban.accounts.roles import Role
from tongban.core import demo as core_demo
from tongban.policies import demo, forms
from tongban.policies.models import Policy
from tongban.testing import factories
from tongban.testing.english import chinese_left


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _data() -> list[str]:
    values = []
    for policy in Policy.objects.select_related("department"):
        values += [policy.name, policy.summary, policy.document_number, policy.department.name]
    return values


def _events() -> list[str]:
    return [e.note for p in Policy.objects.all() for e in p.events.all()]


def test_staff_pages_in_english(english, demo_city):
    author = factories.staff(core_demo.department("mz"), "mzen", Role.CATALOGUE_ADMIN)
    english.force_login(author)
    listing = english.get("/workbench/policies/").content.decode()
    assert "Benefit policies (paid without applying)" in listing and "New policy" in listing
    editor = english.get("/workbench/policies/new").content.decode()
    assert "Eligibility" in editor and "Whole years to the reference date" in editor
    assert "Save as draft" in editor
    # Left in Chinese: only the names of the data elements (from the shared-data catalogue).
    elements = [f"{e.label}（" for e in forms.all_elements().values()]
    assert chinese_left(listing, _data()) == []
    assert chinese_left(editor, _data() + elements + ["）"]) == []
    policy = Policy.objects.get(code="MZ-GLJT")
    page = english.get(f"/workbench/policies/{policy.pk}/").content.decode()
    assert "Dry run (nothing saved)" in page and "Payment batches" in page
    # The rule's own texts (clause labels, basis) and the history notes are data.
    clauses = [b["label"] for b in policy.amount_formula["bands"]] + ["年满80周岁", demo.BASIS_GL]
    assert chinese_left(page, _data() + clauses + _events()) == []


def test_citizen_benefits_in_english(english, demo_city):
    citizen = CitizenProfile.objects.get(real_name="张示例").user
    english.force_login(citizen)
    page = english.get("/policies/").content.decode()
    assert "Monthly 100.00 yuan" in page and "Paid without applying" in page
    # The reason is an English sentence around the rule's clause texts, which are data in Chinese.
    left = chinese_left(page, _data())
    assert left and all(text.startswith("You qualify: 年满80周岁") for text in left), left
