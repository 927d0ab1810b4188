"""好差评 on the dashboards comes from DailyRatingFigure, folded from new ratings and from the
bad-rating history: the same figures ratings.stats computes from the ratings themselves, moved by
an upheld appeal on a later day, and the same again when folded from scratch."""

import datetime

import pytest

from tongban.ratings import actions, stats
from tongban.ratings.models import Rating
from tongban.supervision import figures, summary
from tongban.supervision.filters import Filters
from tongban.supervision.models import DailyRatingFigure
from tongban.testing.builders import complete_case
from tongban.testing.clock import at

pytestmark = pytest.mark.django_db
D = datetime.date
NOVEMBER = Filters(start=D(2026, 11, 1), end=D(2026, 11, 30))


def _dashboard_row():
    (row,) = figures.ratings(NOVEMBER).rows
    return row["total"], row["good_rate"], row["bad"]


def _stats_row():
    (row,) = stats.figures("department", stats.Period(NOVEMBER.start, NOVEMBER.end))
    return row["total"], row["good_rate"], row["bad"]


def test_ratings_are_folded_per_day_and_follow_an_upheld_appeal(citizen, team, promise_item):
    apps = [complete_case(citizen, team, promise_item, D(2026, 11, 2)) for _ in range(3)]
    with at(D(2026, 11, 3)):
        for application, level in zip(apps, (1, 2, 5), strict=True):
            actions.rate_case(application=application, rater=citizen, level=level)
        summary.fold()
    assert _dashboard_row() == _stats_row() == (3, 66.7, 1)
    assert DailyRatingFigure.objects.get().day == D(2026, 11, 3)

    bad_case = Rating.objects.get(level=5).bad_case
    with at(D(2026, 11, 5)):  # two days later, the supervisor upholds the appeal
        approver = team["approver"]
        actions.record_callback(bad_case=bad_case, actor=approver, summary="评价人称误点")
        actions.verify(bad_case=bad_case, actor=approver, finding="误评")
        actions.classify(bad_case=bad_case, actor=approver, classification="malicious", text="误")
        actions.decide_appeal(
            bad_case=bad_case, actor=team["supervisor"], uphold=True, opinion="确属误评"
        )
        summary.fold()
    assert _dashboard_row() == _stats_row() == (2, 100.0, 0)  # the 3 Nov row was counted again
    before = list(DailyRatingFigure.objects.values_list("day", "department", "total", "good"))
    with at(D(2026, 11, 5), 11):
        summary.fold()  # nothing new: the same rows
        assert (
            list(DailyRatingFigure.objects.values_list("day", "department", "total", "good"))
            == before
        )
        summary.rebuild()
    assert list(DailyRatingFigure.objects.values_list("day", "department", "total", "good")) == (
        before
    )
