"""The case workbench in English: tabs, the case page and a move's message speak English; the
data on the page (item, department, applicant, opinions) stays as it was typed."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from tongban.cases import actions
from tongban.testing.builders import submit_application
from tongban.testing.clock import at
from tongban.testing.english import chrome_texts

pytestmark = pytest.mark.django_db
D = datetime.date


def test_case_list_and_page_in_english(client, citizen, team, promise_item):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        client.force_login(team["clerk"])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        listing = client.get(reverse("cases:list") + "?tab=accept").content.decode()
        page = client.post(
            reverse("cases:act", args=[application.public_id, "accept"]), follow=True
        ).content.decode()
    assert "To accept" in listing and "Commitments to check" in listing
    assert "Accepted; the acceptance notice has been issued" in page
    data = (
        settings.PLATFORM_NAME,
        application.item_version.name,
        promise_item.department.name,
        promise_item.department.short_name,
        application.applicant_name,
    )
    assert chrome_texts(listing, data) == []
    # The case page also shows data kept in Chinese: form labels from the item's form definition,
    # step names from its process, and the stored timeline. Its own headings are English.
    for chinese in (
        "办理期限",
        "申请信息",
        "申请材料",
        "办理环节",
        "办件时间线",
        "可执行操作",
        "个工作日",
    ):
        assert f">{chinese}<" not in page, chinese


def test_a_refused_move_is_explained_in_english(citizen, team, promise_item):
    with at(D(2026, 11, 2)):
        application = submit_application(citizen, promise_item)
        with translation.override("en"):
            with pytest.raises(PermissionDenied) as not_theirs:
                actions.accept(application=application, actor=team["handler"])
            with pytest.raises(ValidationError) as unexplained:
                actions.refuse(
                    application=application, actor=team["clerk"], reason="", legal_basis=""
                )
    assert str(not_theirs.value) == "Your role or department may not handle this case"
    assert unexplained.value.message_dict["reason"] == [
        "Please state the reason for refusing acceptance"
    ]
    assert unexplained.value.message_dict["legal_basis"] == ["Please state the legal basis"]
    application.refresh_from_db()
    assert application.status == "submitted"
