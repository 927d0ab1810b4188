"""Who may act on a work order (workorders.policy): the capacities a user has, and refusals that
are PermissionDenied and change nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from tongban.workorders import policy
from tongban.workorders.actions import handling, intake
from tongban.workorders.codes import DEPARTMENT, DISPATCHER, Channel, Kind, Status
from tongban.workorders.models import Extension
from tongban.workorders.tests.conftest import IN_CITY

MANHOLE = "魏文路和七一路交叉口的井盖丢了，路上一个大洞，晚上很危险，请尽快处理。"


def _order():
    return intake.submit(
        intake.Report(
            text=MANHOLE,
            kind=Kind.COMPLAINT,
            channel=Channel.WEB,
            reporter_name="张示例",
            reporter_phone="17000000001",
            lng=IN_CITY[0],
            lat=IN_CITY[1],
        )
    )


def test_capacities_follow_role_and_department(city, staff):
    order = _order()
    assert DEPARTMENT in policy.actor_kinds(staff["cghandler"], order)
    assert DEPARTMENT not in policy.actor_kinds(staff["swhandler"], order)  # another department
    assert policy.actor_kinds(staff["dispatcher"], order) >= {DISPATCHER}
    assert policy.sees_every_order(staff["dispatcher"])
    assert not policy.sees_every_order(staff["cghandler"])


def test_only_the_handling_department_asks_for_more_time(city, staff):
    order = _order()
    with pytest.raises(PermissionDenied, match="只有承办部门可以申请延期"):
        handling.request_extension(order, actor=staff["dispatcher"], hours=24, reason="需协调")
    with pytest.raises(PermissionDenied, match="您无权对该工单执行此操作"):
        handling.accept(order, actor=staff["swhandler"])
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert not Extension.objects.filter(order=order).exists()
