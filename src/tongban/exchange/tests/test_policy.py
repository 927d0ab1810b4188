"""Who may do what in the data exchange (exchange.policy): refusals are PermissionDenied and
leave nothing behind."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongban.exchange import policy
from tongban.exchange.actions import access
from tongban.exchange.models import AccessRequest, Consumer


def _request(consumer, population):
    return access.request_access(
        actor=None,
        consumer=consumer,
        resource=population,
        items=["xm"],
        purpose="出生医学证明签发核验",
        legal_basis="《母婴保健法》",
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.mark.django_db
def test_only_the_providing_departments_data_admin_decides(
    consumer, population, data_admin, consumer_staff
):
    request = _request(consumer, population)
    assert not policy.can_decide(consumer_staff, request)
    with pytest.raises(PermissionDenied, match="只有提供部门的资源管理员"):
        access.approve(actor=consumer_staff, request=request)
    request.refresh_from_db()
    assert request.status == AccessRequest.Status.PENDING
    assert policy.can_decide(data_admin, request)
    access.approve(actor=data_admin, request=request)


@pytest.mark.django_db
def test_only_the_using_departments_staff_request_and_only_admins_register(
    consumer, population, data_admin
):
    with pytest.raises(PermissionDenied, match="只有使用方所属部门"):
        access.request_access(
            actor=data_admin,
            consumer=consumer,
            resource=population,
            items=["xm"],
            purpose="核验",
            legal_basis="依据",
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
        )
    with pytest.raises(PermissionDenied, match="只有平台管理员可以登记数据使用方"):
        access.create_consumer(
            actor=data_admin,
            code="x.sys",
            name="某系统",
            kind=Consumer.Kind.SYSTEM,
            department=data_admin.staff_profile.department,
        )
    assert not Consumer.objects.filter(code="x.sys").exists()
