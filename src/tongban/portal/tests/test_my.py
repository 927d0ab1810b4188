"""Issue 31, 我的: after signing in one page shows what waits on the person (待补正, 待评价), their
drafts, licences with 即将到期 and the way to renew, unread messages; the enterprise sees the cases
its agents filed in its name, with who filed them."""

import datetime

import pytest
from django.urls import reverse

from tongban.accounts import actions as accounts
from tongban.applications import actions as intake
from tongban.cases import actions as cases
from tongban.licences.models import Licence
from tongban.testing.builders import submit_application
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date


def test_my_needs_a_login(client):
    response = client.get(reverse("portal:my"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_shows_drafts_todos_and_messages(client, citizen, team, promise_item):
    with at(D(2026, 9, 21)):
        draft = intake.start_application(owner=citizen, service_item=promise_item, channel="pc")
        corrected = submit_application(citizen, promise_item)
        cases.request_correction(
            application=corrected, actor=team["clerk"], items=["材料1：缺少签字"]
        )
    client.force_login(citizen)
    page = client.get(reverse("portal:my")).content.decode()
    todo = page.split('data-hub="todo"')[1].split("</section>")[0]
    assert "待补正" in todo and reverse("applications:draft", args=[corrected.public_id]) in todo
    drafts = page.split('data-hub="drafts"')[1].split("</section>")[0]
    assert "继续填写" in drafts and reverse("applications:draft", args=[draft.public_id]) in drafts
    messages = page.split('data-hub="messages"')[1].split("</section>")[0]
    assert "补正" in messages  # the notice's message, unread
    assert "草稿 " not in page and str(draft.public_id)[:8] not in page.replace(
        str(draft.public_id), ""
    )


def test_nothing_waiting_says_so(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("portal:my")).content.decode()
    assert "没有需要您处理的事项" in page and "没有未提交的草稿" in page


def test_a_licence_ending_soon_is_flagged_with_the_way_to_renew(client, citizen, monkeypatch):
    today = datetime.date.today()

    class Soon:
        licence_type = type("T", (), {"name": "食品经营许可证"})()
        valid_until = today + datetime.timedelta(days=25)
        is_usable = True

    class Later(Soon):
        valid_until = today + datetime.timedelta(days=400)

    monkeypatch.setattr("tongban.portal.views.wallet", lambda user: [Soon(), Later()])
    client.force_login(citizen)
    page = client.get(reverse("portal:my")).content.decode()
    flagged = page.split('data-hub="licences"')[1].split("</section>")[0]
    assert flagged.count("data-expiring") == 1 and "即将到期" in flagged
    assert "还有 25 天" in flagged and "去办理延续" in flagged
    assert "共 2 个电子证照" in flagged and "亮证" in flagged
    assert Licence.objects.count() == 0  # nothing was made to show this


def test_the_enterprise_sees_the_cases_its_agent_filed(
    client,
    citizen,
    enterprise,
    team,
    promise_item,
):
    accounts.authorise_agent(
        enterprise_user=enterprise,
        agent_id_number=citizen.citizen.id_number,
        agent_name=citizen.citizen.real_name,
        all_items=True,
        item_codes=[],
        valid_until=D(2027, 12, 31),
    )
    with at(D(2026, 9, 21)):
        submit_application(citizen, promise_item, enterprise=enterprise.enterprise)
    client.force_login(enterprise)
    page = client.get(reverse("portal:my")).content.decode()
    filed = page.split('data-hub="enterprise"')[1].split("</section>")[0]
    assert "公共场所卫生许可" in filed and citizen.masked_name in filed
    assert "经办人授权" in page

    client.force_login(citizen)  # the agent's own 我的 has no enterprise table
    assert 'data-hub="enterprise"' not in client.get(reverse("portal:my")).content.decode()


def test_my_is_on_the_first_screen_of_home_after_login(client, citizen):
    assert "data-my-link" not in client.get(reverse("portal:home")).content.decode()
    client.force_login(citizen)
    home = client.get(reverse("portal:home")).content.decode()
    hero = home.split('class="hero"')[1].split("</section>")[0]
    assert reverse("portal:my") in hero


def test_every_page_has_an_icon_a_theme_colour_and_a_description(client):
    page = client.get(reverse("portal:home")).content.decode()
    assert 'rel="icon"' in page and 'name="theme-color"' in page
    assert 'name="description" content="' in page and "在线申办" in page


def test_elderly_mode_offers_12345_and_in_person_help_on_every_page(client):
    client.cookies["tongban_elderly"] = "1"
    for url in (reverse("portal:home"), reverse("catalog:index")):
        page = client.get(url).content.decode()
        assert 'href="tel:12345"' in page and "帮办代办" in page
    client.cookies["tongban_elderly"] = "0"
    assert 'href="tel:12345"' not in client.get(reverse("portal:home")).content.decode()
