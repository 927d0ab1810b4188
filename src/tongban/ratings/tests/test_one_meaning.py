"""Issue 31, ratings: one meaning of the scale on every page (5 stars = 非常满意, as the public
figures say; the bare code, where 5 = 非常不满意, is never shown), 追评 offered later rather than
as a second form right after the first rating, a heading over the 整改 rating form, and the rated
staff member told why they cannot act on their own bad rating."""

import datetime
import re

import pytest
from django.urls import reverse

from tongban.ratings import actions
from tongban.ratings.codes import BadStatus, Classification
from tongban.ratings.tests.conftest import at, complete_case

pytestmark = pytest.mark.django_db
D = datetime.date


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def very_bad(citizen, team, promise_item):
    application = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        rating = actions.rate_case(
            application=application,
            rater=citizen,
            level=5,
            scores={"efficiency": 5, "guide_accuracy": 1},
            text="办理太慢",
        )
    return rating


def test_staff_page_shows_level_names_and_stars_never_the_bare_code(client, team, very_bad):
    client.force_login(team["approver"])
    html = client.get(reverse("ratings_staff:detail", args=[very_bad.bad_case.pk])).content
    text = _text(html.decode())
    assert "整体满意度 非常不满意（1星）" in text
    assert "办事效率 非常不满意（1星）" in text
    assert "办事指南精确度 非常满意（5星）" in text
    assert "5星为非常满意" in text
    # the old page said "办事效率 5 / 整体满意度 5" for this very rating
    assert "办事效率 5 " not in text and "整体满意度 5 " not in text


def test_public_figures_and_the_rating_form_count_stars_the_same_way(client, citizen, very_bad):
    public = _text(
        client.get(reverse("ratings:public") + "?start=2026-11-01&end=2026-11-30").content.decode()
    )
    assert "5星最满意" in public and "整体满意度 1.0" in public  # 非常不满意 = 1 star
    client.force_login(citizen)
    with at(D(2026, 11, 3)):
        form = _text(
            client.get(
                reverse("ratings:case", args=[very_bad.application.public_id]), {"follow_up": "1"}
            ).content.decode()
        )
    assert "非常满意（5星）" in form and "非常不满意（1星）" in form


def test_follow_up_is_a_link_after_rating_and_a_form_only_when_asked(
    client, citizen, team, promise_item
):
    application = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    url = reverse("ratings:case", args=[application.public_id])
    client.force_login(citizen)
    with at(D(2026, 11, 3)):
        rated = client.post(url, {"form": "rate", "level": "1"}, follow=True).content.decode()
        assert "感谢您的评价" in rated
        assert 'value="follow_up"' not in rated  # no second form right after the first rating
        assert "data-follow-up-offer" in rated and "?follow_up=1" in rated
        asked = client.get(url, {"follow_up": "1"}).content.decode()
        assert 'value="follow_up"' in asked and "暂不追评" in asked
        client.post(url, {"form": "follow_up", "level": "2", "text": "证照寄到了"})
        after = client.get(url, {"follow_up": "1"}).content.decode()
    assert 'value="follow_up"' not in after and "data-follow-up-offer" not in after
    assert "证照寄到了" in after


def test_rectification_rating_form_has_its_own_heading(client, citizen, team, very_bad):
    bad_case, approver = very_bad.bad_case, team["approver"]
    with at(D(2026, 11, 4)):
        actions.record_callback(bad_case=bad_case, actor=approver, summary="电话致歉")
        actions.verify(bad_case=bad_case, actor=approver, finding="确有拖延")
        actions.classify(
            bad_case=bad_case,
            actor=approver,
            classification=Classification.IMMEDIATE,
            text="已提醒承办人按时办理",
        )
    bad_case.refresh_from_db()
    assert bad_case.status == BadStatus.FIXED
    client.force_login(citizen)
    with at(D(2026, 11, 5)):
        html = client.get(reverse("ratings:case", args=[very_bad.application.public_id]))
    html = html.content.decode()
    heading = re.search(r'<h3 class="card__subtitle" id="rect-title-\d+">([^<]+)</h3>', html)
    assert heading and heading[1] == "评价整改结果"
    assert f'aria-labelledby="rect-title-{bad_case.pk}"' in html
    assert "您对整改结果的满意度" in html


def test_rated_staff_member_is_told_why_they_cannot_act(client, team, very_bad):
    rated = team["handler"]
    assert very_bad.staff == rated
    client.force_login(rated)
    html = client.get(reverse("ratings_staff:detail", args=[very_bad.bad_case.pk])).content
    html = html.decode()
    assert "data-why-no-action" in html
    assert "这是针对您本人的差评" in html and "由本部门其他办理人员处理" in html
    assert reverse("ratings_staff:act", args=[very_bad.bad_case.pk, "verify"]) not in html
    # a colleague who may act sees the forms and no such explanation
    client.force_login(team["approver"])
    html = client.get(reverse("ratings_staff:detail", args=[very_bad.bad_case.pk])).content
    assert b"data-why-no-action" not in html and b"callback" in html
