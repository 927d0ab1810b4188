"""The catalogue element "required real-name level" (网上申请所需实名认证等级): catalogue staff set
it, the guide tells people, and an applicant below it keeps the draft and is told how to raise it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.accounts.models import CitizenProfile
from tongban.applications import actions as applications
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.catalog import actions as catalog
from tongban.identity import realname
from tongban.testing.builders import fill_application
from tongban.testing.catalog import complete_item, edit_section_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan_item(department, catalogue_admin):
    """A published online item that requires real-name level 2."""
    item, draft = complete_item(
        department,
        code="200301001000",
        name="住房公积金贷款",
        materials=1,
        required_realname_level=2,
        is_online=True,
        online_url="https://zwfw.example.gov.cn/",
    )
    catalog.publish(actor=catalogue_admin, version=draft)
    item.refresh_from_db()
    return item


def _filled_draft(owner, item, channel="pc"):
    return fill_application(
        applications.start_application(owner=owner, service_item=item, channel=channel),
        owner,
        detail="申请领取高龄津贴",
    )


def _set_level(user, level):
    CitizenProfile.objects.filter(user=user).update(verification_level=level)
    user.citizen.refresh_from_db()


def test_the_element_is_validated_and_kept_in_new_versions(department, catalogue_admin):
    item, draft = complete_item(department)
    for bad in (4, -1, "2", True, 2.5):
        with pytest.raises(ValidationError) as refused:
            catalog.update_draft(
                actor=catalogue_admin, version=draft, elements={"required_realname_level": bad}
            )
        assert "所需实名认证等级应为0（不要求）、1、2或3" in str(refused.value)
    catalog.update_draft(
        actor=catalogue_admin, version=draft, elements={"required_realname_level": 3}
    )
    catalog.publish(actor=catalogue_admin, version=draft)
    second = catalog.new_draft(actor=catalogue_admin, item=item, change_note="修订")
    assert second.required_realname_level == 3  # copied like every element


def test_catalogue_staff_set_it_on_the_draft_form(client, department, catalogue_admin):
    item, _draft = complete_item(department)
    client.force_login(catalogue_admin)
    edit_url = reverse("catalog_staff:edit", args=[item.pk])
    form = client.get(edit_url)
    page = form.content.decode()
    assert "网上申请所需实名认证等级" in page and "2级（公安实名核验通过）" in page
    data = edit_section_data(form, "process")  # 受理条件与办理流程
    data["process-required_realname_level"] = "7"
    bad = client.post(edit_url, data)
    assert bad.status_code == 200 and "field--invalid" in bad.content.decode()
    assert item.versions.get(status="draft").required_realname_level == 0
    data["process-required_realname_level"] = "2"
    assert client.post(edit_url, data).status_code == 302
    assert item.versions.get(status="draft").required_realname_level == 2


def test_the_guide_says_which_level_is_needed_and_links_to_raising_it(client, loan_item):
    html = client.get(reverse("catalog:guide", args=[loan_item.implementation_code])).content
    html = html.decode()
    assert "网上申请须达到实名认证2级（公安实名核验通过）" in html
    assert reverse("identity:realname") in html


def test_a_guide_without_a_requirement_says_nothing_of_it(client, department, catalogue_admin):
    item, draft = complete_item(department, is_online=True, online_url="https://x.gov.cn/")
    catalog.publish(actor=catalogue_admin, version=draft)
    html = client.get(reverse("catalog:guide", args=[item.implementation_code])).content.decode()
    assert "网上申请须达到实名认证" not in html


def test_below_the_level_the_draft_is_kept_and_the_applicant_told_how(client, citizen, loan_item):
    _set_level(citizen, 1)
    application = _filled_draft(citizen, loan_item)
    with pytest.raises(ValidationError) as refused:
        applications.submit(application=application, actor=citizen)
    message = refused.value.messages[0]
    assert "须达到实名认证2级（公安实名核验通过），您目前为1级" in message
    assert "账号安全 › 实名认证" in message and "草稿" in message
    application.refresh_from_db()
    assert application.status == Status.DRAFT and not application.case_number
    assert application.data["request_detail"] == "申请领取高龄津贴"  # nothing lost

    # The page says it too, with the link back to this draft after raising the level.
    client.force_login(citizen)
    draft_url = reverse("applications:draft", args=[application.public_id])
    last = len(application.form.sections) + 1
    page = client.get(draft_url, {"page": last}).content.decode()
    assert 'data-realname-required="2"' in page
    assert reverse("identity:realname") + "?next=" in page
    refused_post = client.post(reverse("applications:submit", args=[application.public_id]))
    assert refused_post.status_code == 302
    followed = client.get(refused_post["Location"]).content.decode()
    assert "您目前为1级" in followed
    application.refresh_from_db()
    assert application.status == Status.DRAFT

    # Raising the level (the demo public-security check) goes back to the draft; it submits.
    back = client.post(
        reverse("identity:realname"), {"next": f"{draft_url}?page={last}", "evidence": ""}
    )
    assert back.status_code == 302 and back["Location"] == f"{draft_url}?page={last}"
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.verification_level == 2
    submitted = applications.submit(application=application, actor=citizen)
    assert submitted.status == Status.SUBMITTED and submitted.case_number


def test_the_start_page_warns_before_anything_is_typed(client, citizen, loan_item):
    client.force_login(citizen)
    page = client.get(reverse("applications:start", args=[loan_item.implementation_code]))
    html = page.content.decode()
    assert "您目前为0级" in html and reverse("identity:realname") + "?next=" in html
    _set_level(citizen, 3)
    page = client.get(reverse("applications:start", args=[loan_item.implementation_code]))
    assert "data-realname-required" not in page.content.decode()


def test_at_the_window_staff_check_identity_in_person(citizen, staff_clerk, loan_item):
    application = _filled_draft(citizen, loan_item, channel=Application.Channel.WINDOW)
    assert applications.realname_shortfall(application) is None
    submitted = applications.submit(application=application, actor=citizen)
    assert submitted.status == Status.SUBMITTED


def test_enterprise_accounts_are_told_to_use_an_agents_personal_account(enterprise):
    missing = realname.shortfall(enterprise, 2)
    assert missing is not None and not missing.personal
    assert "经办人登录个人账户" in missing.message
    assert realname.shortfall(enterprise, 0) is None


def test_no_requirement_and_enough_level_pass(citizen):
    assert realname.shortfall(citizen, 0) is None
    _set_level(citizen, 2)
    assert realname.shortfall(citizen, 2) is None
    assert realname.shortfall(citizen, 3).current == 2
