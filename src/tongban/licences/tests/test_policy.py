"""Who may do what with licences (licences.policy): refusals are PermissionDenied in the service
layer, a 403 in the API, and change nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tongban.licences import actions, policy, status
from tongban.licences.models import Licence


def test_only_the_issuing_departments_handler_or_approver_issues(
    citizen, licence_type, team, other_department
):
    reviewer = team["reviewer"]
    assert not policy.can_issue(reviewer, licence_type)
    assert policy.can_issue(team["handler"], licence_type)
    with pytest.raises(PermissionDenied, match="只有颁发机构的承办或批准人员"):
        actions.issue(
            licence_type=licence_type,
            holder_name="示例老人",
            holder_id_type="111",
            holder_id_number=citizen.citizen.id_number,
            data={"request_detail": "餐饮场所"},
            actor=reviewer,
        )
    assert not Licence.objects.exists()


def test_a_handler_may_not_revoke_and_the_page_offers_no_button(client, licence, team):
    handler = team["handler"]
    assert not policy.can_move(handler, licence, Licence.Status.REVOKED)
    assert policy.can_move(team["approver"], licence, Licence.Status.REVOKED)
    with pytest.raises(status.NotPermitted, match="批准"):
        status.revoke(licence, handler, "不符合条件", legal_basis="《行政许可法》第六十九条")
    client.force_login(team["reviewer"])
    page = client.get(reverse("licences_staff:detail", args=[licence.pk]))
    assert page.status_code == 200 and not page.context["can_end"]
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID


def test_a_citizen_may_not_look_up_licences(client, citizen, licence):
    assert not policy.can_lookup(citizen)
    with pytest.raises(PermissionDenied, match="只有窗口受理"):
        actions.lookup(
            actor=citizen,
            holder_id_type="111",
            holder_id_number=citizen.citizen.id_number,
            case_number="X",
        )
    client.force_login(citizen)
    response = client.post(
        reverse("api:licences-lookup"),
        {
            "holder_id_type": "111",
            "holder_id_number": citizen.citizen.id_number,
            "case_number": "X",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "只有窗口受理" in response.json()["detail"]
