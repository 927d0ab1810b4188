"""Who may act in the hall (hall.policy): window staff of this hall serve; managers, supervisors
and platform administrators manage; everyone else is refused with PermissionDenied."""

import pytest
from django.core.exceptions import PermissionDenied

from tongban.core.models import ServiceHall
from tongban.hall import policy


@pytest.mark.django_db
def test_window_staff_serve_only_in_their_own_hall(clerk, hall, citizen, staff_clerk):
    other = ServiceHall.objects.create(
        name="县政务服务中心", kind=ServiceHall.Kind.CENTRE, region=hall.region, address="县城"
    )
    assert policy.can_serve_in_hall(clerk, hall.pk)
    assert not policy.can_serve_in_hall(clerk, other.pk)
    with pytest.raises(PermissionDenied, match="您不是本大厅的窗口人员"):
        policy.require_clerk_in_hall(clerk, other.pk)
    with pytest.raises(PermissionDenied, match="只有窗口人员可以操作"):
        policy.require_clerk_in_hall(citizen, hall.pk)
    with pytest.raises(PermissionDenied, match="您不是本大厅的窗口人员"):
        policy.require_clerk_in_hall(staff_clerk, hall.pk)  # a clerk of no hall


@pytest.mark.django_db
def test_only_managers_supervisors_and_admins_manage(clerk, hall, citizen, platform_admin):
    assert policy.can_manage(platform_admin, hall)
    for outsider in (clerk, citizen, None):
        assert not policy.can_manage(outsider, hall)
    with pytest.raises(PermissionDenied, match="只有本大厅的管理人员"):
        policy.require_manage(clerk, hall)
