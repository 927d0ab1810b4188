"""Figures on a small known data set, the callback-rate dashboard, appeals, hall visits, staff's own
ratings, and the public API — with no personal data in public answers."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tongban.ratings import actions, stats
from tongban.ratings.codes import BadStatus
from tongban.ratings.models import HallVisit, Rating
from tongban.ratings.tests.conftest import at, complete_case

pytestmark = pytest.mark.django_db
D = datetime.date
NOVEMBER = stats.Period(D(2026, 11, 1), D(2026, 11, 30))


@pytest.fixture
def three_ratings(citizen, team, promise_item):
    """Three cases rated 1, 2 and 5 with known indicator scores."""
    apps = [complete_case(citizen, team, promise_item, D(2026, 11, 2)) for _ in range(3)]
    with at(D(2026, 11, 3)):
        for application, level, efficiency in zip(apps, (1, 2, 5), (1, 3, 5), strict=True):
            actions.rate_case(
                application=application,
                rater=citizen,
                level=level,
                scores={"efficiency": efficiency},
            )
    return Rating.objects.get(level=5).bad_case


def test_figures_are_computed_exactly(client, team, promise_item, three_ratings):
    department = promise_item.department
    (row,) = stats.figures("department", NOVEMBER)
    assert (row["name"], row["total"], row["good_rate"], row["bad"]) == (
        department.name,
        3,
        66.7,
        1,
    )
    assert (row["rectify_rate"], row["callback_rate"]) == (0.0, 0.0)
    # averages shown as stars (5 = 非常满意): overall levels 1,2,5 → 6 − 8/3; efficiency 1,3,5 → 3
    assert row["indicators"] == {"overall": 3.33, "efficiency": 3.0}
    (by_item,) = stats.figures("item", NOVEMBER)
    assert by_item["total"] == 3 and by_item["id"] == promise_item.pk
    (by_staff,) = stats.figures("staff", NOVEMBER)
    assert by_staff["id"] == team["handler"].pk

    with at(D(2026, 11, 4)):
        approver = team["approver"]
        actions.record_callback(bad_case=three_ratings, actor=approver, summary="已回访致歉")
        actions.verify(bad_case=three_ratings, actor=approver, finding="窗口答复不清")
        actions.classify(
            bad_case=three_ratings,
            actor=approver,
            classification="immediate",
            text="当场重新解释并补发告知单",
        )
    (row,) = stats.figures("department", NOVEMBER)
    assert (row["rectify_rate"], row["callback_rate"]) == (100.0, 100.0)
    assert stats.figures("department", stats.Period(D(2026, 12, 1), D(2026, 12, 31))) == []

    api = client.get("/api/v1/ratings/public-stats/?by=item&start=2026-11-01&end=2026-11-30")
    assert api.status_code == 200
    (result,) = api.json()["results"]
    assert (result["good_rate"], result["bad"], result["rectify_rate"]) == (66.7, 1, 100.0)
    assert client.get("/api/v1/ratings/public-stats/?by=staff").status_code == 400
    page = client.get(reverse("ratings:public") + "?start=2026-11-01&end=bad").content.decode()
    assert "66.7%" in page and team["handler"].display_name not in page


def test_callback_dashboard_lists_the_missing_ones(client, team, three_ratings):
    supervisor = team["supervisor"]
    with at(D(2026, 11, 4)):
        client.force_login(supervisor)
        page = client.get(reverse("ratings_staff:supervision")).content.decode()
        assert "0.0%" in page and f'<a href="/workbench/ratings/{three_ratings.pk}/">' in page
        actions.record_callback(
            bad_case=three_ratings, actor=team["approver"], summary="未接通", reached=False
        )
        page = client.get(reverse("ratings_staff:supervision")).content.decode()
        assert "0.0%" in page  # an unanswered call is not a callback
        actions.record_callback(bad_case=three_ratings, actor=team["approver"], summary="已回访")
        page = client.get(reverse("ratings_staff:supervision")).content.decode()
    assert "100.0%" in page and "尚未回访" not in page
    client.force_login(team["handler"])
    assert client.get(reverse("ratings_staff:supervision")).status_code == 403


def test_appeal_is_decided_by_the_supervisor(team, three_ratings):
    approver, supervisor = team["approver"], team["supervisor"]
    with at(D(2026, 11, 4)):
        actions.record_callback(bad_case=three_ratings, actor=approver, summary="评价人称误点")
        actions.verify(bad_case=three_ratings, actor=approver, finding="评价人确认误选")
        actions.classify(
            bad_case=three_ratings, actor=approver, classification="malicious", text="误评"
        )
        with pytest.raises(PermissionDenied):
            actions.decide_appeal(
                bad_case=three_ratings, actor=approver, uphold=True, opinion="自己裁定"
            )
        with pytest.raises(ValidationError, match="不能执行此操作"):
            actions.rectify(bad_case=three_ratings, actor=approver, result="x")
        actions.decide_appeal(
            bad_case=three_ratings, actor=supervisor, uphold=False, opinion="证据不足"
        )
        three_ratings.refresh_from_db()
        assert three_ratings.status == BadStatus.OVERTURNED
        with pytest.raises(ValidationError, match="不能执行此操作"):  # no second appeal
            actions.classify(
                bad_case=three_ratings, actor=approver, classification="malicious", text="再诉"
            )
        actions.classify(
            bad_case=three_ratings, actor=approver, classification="no_basis", text="依法说明"
        )
    three_ratings.refresh_from_db()
    assert three_ratings.status == BadStatus.EXPLAINED
    events = list(three_ratings.history.values_list("event", flat=True))
    assert events[0] == "差评自动分派" and "申诉不成立" in events


def test_upheld_appeal_leaves_the_rating_out_of_the_figures(team, three_ratings):
    with at(D(2026, 11, 4)):
        actions.record_callback(bad_case=three_ratings, actor=team["approver"], summary="误评")
        actions.verify(bad_case=three_ratings, actor=team["approver"], finding="误评")
        actions.classify(
            bad_case=three_ratings, actor=team["approver"], classification="malicious", text="误"
        )
        actions.decide_appeal(
            bad_case=three_ratings, actor=team["supervisor"], uphold=True, opinion="确属误评"
        )
    (row,) = stats.figures("department", NOVEMBER)
    assert (row["total"], row["good_rate"], row["bad"]) == (2, 100.0, 0)


def test_hall_visit_is_rated_once_by_its_qr_code(client, hall_clerk, team):
    with at(D(2026, 11, 3)):
        client.force_login(hall_clerk)
        created = client.post(reverse("ratings_staff:visit-new"), {"phone": "17000000055"})
        visit = HallVisit.objects.get()
        assert created.url == reverse("ratings_staff:visit", args=[visit.pk])
        show = client.get(created.url).content.decode()
        assert "<svg" in show and visit.token in show
        assert visit.visitor_phone == "17000000055" and visit.visitor_phone_index
        client.logout()
        url = reverse("ratings:visit", args=[visit.token])
        assert "服务态度" in client.get(url).content.decode()
        client.post(url + "?via=tablet", {"level": "4", "score_attitude": "5", "text": "等太久"})
        again = client.post(url, {"level": "1"}, follow=True).content.decode()
        assert "本次服务已评价" in again
        assert client.get(reverse("ratings:visit", args=["forged-token"])).status_code == 404
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.staff, rating.hall, rating.window) == (
        "tablet",
        4,
        hall_clerk,
        visit.hall,
        visit.window,
    )
    assert rating.bad_case.department == hall_clerk.staff_profile.department
    (row,) = stats.figures("hall", NOVEMBER)
    assert row["name"] == "许昌市政务服务中心" and row["bad"] == 1


def test_staff_see_their_own_ratings(client, team, three_ratings):
    with at(D(2026, 11, 4)):
        client.force_login(team["handler"])
        page = client.get(reverse("ratings_staff:mine")).content.decode()
        assert "66.7%" in page and "非常不满意" in page
        client.force_login(team["reviewer"])
        page = client.get(reverse("ratings_staff:mine")).content.decode()
        assert "非常不满意" not in page
        desk = client.get(reverse("ratings_staff:list")).content.decode()
        assert f"/workbench/ratings/{three_ratings.pk}/" in desk


def test_api_rates_a_completed_case(client, citizen, team, promise_item):
    application = complete_case(citizen, team, promise_item, D(2026, 11, 2))
    with at(D(2026, 11, 3)):
        assert client.post("/api/v1/ratings/", {}, "application/json").status_code == 403
        client.force_login(citizen)
        answer = client.post(
            "/api/v1/ratings/",
            {
                "public_id": str(application.public_id),
                "level": 2,
                "scores": {"convenience": 1},
                "text": "<i>顺利</i>",
            },
            "application/json",
        )
        assert answer.status_code == 201
        assert answer.json()["case_number"] == application.case_number
        bad = client.post(
            "/api/v1/ratings/",
            {"public_id": str(application.public_id), "level": 9, "channel": "sms"},
            "application/json",
        )
        assert bad.status_code == 400
    rating = Rating.objects.get()
    assert (rating.channel, rating.scores) == ("mobile", {"convenience": 1, "overall": 2})
    assert rating.text == "<i>顺利</i>"


def test_desk_and_public_pages_do_not_grow_queries_with_rows(client, team, hall_clerk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def bad_visit():
        visit = actions.start_hall_visit(actor=hall_clerk)
        actions.rate_visit(token=visit.token, level=5, text="慢")

    counts = []
    with at(D(2026, 11, 3)):
        client.force_login(team["approver"])
        # The first click after signing in writes the session; the first portal page counts the
        # unread messages, which Redis then keeps until the inbox changes.
        client.get(reverse("ratings_staff:mine"))
        client.get(reverse("ratings:public"))
        for _ in range(2):
            bad_visit()
            bad_visit()
            for url in (
                reverse("ratings_staff:list"),
                reverse("ratings:public"),
                reverse("ratings_staff:mine"),
            ):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                counts.append((url, len(queries)))
    assert counts[:3] == counts[3:]
