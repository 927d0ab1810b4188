"""Who may do what in 好差评 (ratings.policy): the rated person never handles their own bad
rating, only supervisors decide appeals, only the rater rates again."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from tongban.accounts import actions as accounts
from tongban.ratings import policy
from tongban.testing.factories import PASSWORD


def _staff(department, login, *roles):
    return accounts.create_staff(
        actor=None,
        login_name=login,
        display_name=login,
        department=department,
        roles=list(roles),
        password=PASSWORD,
    )


def _bad_case(department, rated, rater):
    rating = SimpleNamespace(staff_id=rated.pk, rater_id=rater.pk)
    return SimpleNamespace(department_id=department.pk, rating=rating)


@pytest.mark.django_db
def test_the_rated_person_and_other_departments_do_not_handle(
    department, other_department, citizen, second_citizen
):
    rated = _staff(department, "rated", "handler")
    colleague = _staff(department, "colleague", "reviewer")
    foreign = _staff(other_department, "foreign", "handler")
    bad_case = _bad_case(department, rated, citizen)
    assert policy.can_handle(colleague, bad_case)
    for outsider, why in ((rated, "这是针对您本人的差评"), (foreign, "您不在该部门")):
        assert not policy.can_handle(outsider, bad_case)
        assert why in policy.why_cannot_handle(outsider, bad_case)
        with pytest.raises(PermissionDenied, match=why):
            policy.require_handle(outsider, bad_case)
    assert policy.why_cannot_handle(colleague, bad_case) == ""
    assert policy.can_rate_rectification(citizen, bad_case)
    with pytest.raises(PermissionDenied, match="只有评价人本人"):
        policy.require_rate_rectification(second_citizen, bad_case)


@pytest.mark.django_db
def test_only_supervisors_decide_appeals_and_see_every_department(department):
    handler = _staff(department, "handler-x", "handler")
    supervisor = _staff(department, "supervisor-x", "supervisor")
    assert policy.can_decide_appeal(supervisor) and policy.sees_all_bad_ratings(supervisor)
    assert not policy.sees_all_bad_ratings(handler)
    with pytest.raises(PermissionDenied, match="只有效能监察人员可以裁定申诉"):
        policy.require_decide_appeal(handler)


@pytest.mark.django_db
def test_only_the_applicant_rates_the_case(citizen, second_citizen, staff_clerk):
    application = SimpleNamespace(owner_id=citizen.pk)
    assert policy.can_rate_case(citizen, application)
    with pytest.raises(PermissionDenied, match="只有申请人本人可以评价本件"):
        policy.require_rate_case(second_citizen, application)
    with pytest.raises(PermissionDenied, match="只有窗口人员可以登记窗口服务"):
        policy.require_start_hall_visit(citizen)
    assert policy.can_start_hall_visit(staff_clerk)
