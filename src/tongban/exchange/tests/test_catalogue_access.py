import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tongban.exchange.actions import access, catalogue
from tongban.exchange.models import AccessRequest, Grant, ResourceVersion, ShareCondition

from .conftest import make_resource

S = ResourceVersion.Status
LATER = timezone.localdate() + datetime.timedelta(days=90)


def test_draft_is_published_then_superseded_by_the_next_version(department, resource_class):
    resource = make_resource(department, resource_class)
    first = resource.current_version
    assert first.status == S.PUBLISHED
    draft = catalogue.new_draft(actor=None, resource=resource, change_note="增加信息项")
    assert list(draft.items.values_list("code", flat=True)) == ["xm", "gmsfhm", "xb", "csrq"]
    with pytest.raises(ValidationError, match="已有草稿"):
        catalogue.new_draft(actor=None, resource=resource)
    catalogue.publish(actor=None, version=draft)
    first.refresh_from_db()
    resource.refresh_from_db()
    assert first.status == S.SUPERSEDED
    assert resource.current_version_id == draft.pk
    moves = list(resource.changes.values_list("from_status", "to_status"))
    assert ("published", "superseded") in moves and ("draft", "published") in moves


def test_published_version_is_never_edited_and_cannot_be_published_twice(
    department, resource_class
):
    resource = make_resource(department, resource_class)
    with pytest.raises(ValidationError, match="只能修改草稿"):
        catalogue.update_draft(actor=None, version=resource.current_version, elements={"name": "x"})
    with pytest.raises(ValidationError, match="不能从"):
        catalogue.publish(actor=None, version=resource.current_version)


def test_withdrawal_needs_a_reason_and_ends_sharing(department, resource_class):
    resource = make_resource(department, resource_class)
    with pytest.raises(ValidationError, match="停用原因"):
        catalogue.withdraw(actor=None, version=resource.current_version, reason=" ")
    catalogue.withdraw(actor=None, version=resource.current_version, reason="数据源迁移")
    resource.refresh_from_db()
    assert resource.current_version is None


def test_conditional_or_refused_share_needs_its_basis(department, resource_class):
    with pytest.raises(ValidationError) as caught:
        catalogue.create_resource(
            actor=None,
            code="T_X",
            department=department,
            elements={
                "name": "测试",
                "resource_class": resource_class,
                "share_condition": ShareCondition.CONDITIONAL,
                "share_basis": "",
                "delivery": "query",
                "provider_plugin": "nonexistent",
                "provider_options": {},
            },
            items=[],
        )
    errors = caught.value.message_dict
    assert "share_basis" in errors and "provider_plugin" in errors and "items" in errors


def test_only_the_providers_data_admin_publishes(department, resource_class, consumer_staff):
    resource = make_resource(department, resource_class, publish=False)
    draft = resource.versions.get()
    with pytest.raises(PermissionDenied, match="提供部门"):
        catalogue.publish(actor=consumer_staff, version=draft)


def test_unconditional_resource_is_granted_on_request(department, resource_class, consumer):
    resource = make_resource(department, resource_class, condition=ShareCondition.UNCONDITIONAL)
    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=resource,
        items=["xm"],
        purpose="核验",
        legal_basis="依据",
        valid_until=LATER,
    )
    assert request.status == AccessRequest.Status.APPROVED
    assert Grant.objects.get(request=request).items == ["xm"]


def test_not_shared_resource_cannot_be_requested(department, resource_class, consumer):
    resource = make_resource(department, resource_class, condition=ShareCondition.NOT_SHARED)
    with pytest.raises(ValidationError, match="不予共享"):
        access.request_access(
            actor=None,
            consumer=consumer,
            resource=resource,
            items=["xm"],
            purpose="核验",
            legal_basis="依据",
            valid_until=LATER,
        )
    assert not AccessRequest.objects.exists()


def test_request_checks_items_purpose_basis_and_period(population, consumer):
    with pytest.raises(ValidationError) as caught:
        access.request_access(
            actor=None,
            consumer=consumer,
            resource=population,
            items=["xm", "nope"],
            purpose=" ",
            legal_basis="",
            valid_until=timezone.localdate(),
        )
    assert set(caught.value.message_dict) == {"items", "purpose", "legal_basis", "valid_until"}


def test_conditional_request_waits_for_the_provider_who_refuses_with_a_reason(
    population, consumer, data_admin, consumer_staff
):
    request = access.request_access(
        actor=consumer_staff,
        consumer=consumer,
        resource=population,
        items=["xm"],
        purpose="核验",
        legal_basis="依据",
        valid_until=LATER,
    )
    assert request.status == AccessRequest.Status.PENDING
    assert not Grant.objects.exists()
    with pytest.raises(PermissionDenied, match="提供部门"):
        access.approve(actor=consumer_staff, request=request)
    with pytest.raises(ValidationError, match="理由"):
        access.refuse(actor=data_admin, request=request, reason="")
    access.refuse(actor=data_admin, request=request, reason="用途与依据不符")
    request.refresh_from_db()
    assert request.status == AccessRequest.Status.REFUSED and request.reason == "用途与依据不符"
    with pytest.raises(ValidationError, match="不能从"):
        access.approve(actor=data_admin, request=request)
    assert list(request.changes.values_list("to_status", flat=True)) == ["pending", "refused"]


def test_staff_of_another_department_cannot_request_for_a_consumer(
    population, consumer, data_admin
):
    with pytest.raises(PermissionDenied, match="使用方所属部门"):
        access.request_access(
            actor=data_admin,
            consumer=consumer,
            resource=population,
            items=["xm"],
            purpose="核验",
            legal_basis="依据",
            valid_until=LATER,
        )
