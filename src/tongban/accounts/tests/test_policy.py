"""accounts.policy: only a platform administrator manages staff accounts and roles, never takes away
their own administration or deactivates their own account; the full personal data of a person is
shown to them and to staff serving them. The service layer refuses with PermissionDenied and
changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from tongban.accounts import actions, policy
from tongban.accounts.models import StaffRole, User
from tongban.accounts.roles import Role
from tongban.core.models import AuditRecord
from tongban.testing.factories import PASSWORD, staff

pytestmark = pytest.mark.django_db


def test_only_an_administrator_grants_and_revokes_roles(platform_admin, staff_clerk):
    assert policy.can_grant_role(platform_admin, staff_clerk, Role.HANDLER)
    assert policy.can_grant_role(None, staff_clerk, Role.HANDLER)  # the platform itself
    assert not policy.can_grant_role(staff_clerk, staff_clerk, Role.PLATFORM_ADMIN)
    assert policy.can_revoke_role(platform_admin, staff_clerk, Role.WINDOW_CLERK)
    assert not policy.can_revoke_role(staff_clerk, staff_clerk, Role.WINDOW_CLERK)

    with pytest.raises(PermissionDenied, match="平台管理员"):
        actions.grant_role(actor=staff_clerk, user=staff_clerk, role=Role.PLATFORM_ADMIN)
    with pytest.raises(PermissionDenied, match="平台管理员"):
        actions.revoke_role(actor=staff_clerk, user=staff_clerk, role=Role.WINDOW_CLERK)
    assert set(staff_clerk.staff_roles.values_list("role", flat=True)) == {Role.WINDOW_CLERK}
    assert not AuditRecord.objects.filter(
        action__in=["accounts.grant_role", "accounts.revoke_role"]
    )

    actions.grant_role(actor=platform_admin, user=staff_clerk, role=Role.HANDLER)
    assert StaffRole.objects.filter(user=staff_clerk, role=Role.HANDLER).exists()


def test_an_administrator_cannot_take_away_their_own_administration(platform_admin, department):
    assert not policy.can_revoke_role(platform_admin, platform_admin, Role.PLATFORM_ADMIN)
    with pytest.raises(PermissionDenied, match="其他管理员"):
        actions.revoke_role(actor=platform_admin, user=platform_admin, role=Role.PLATFORM_ADMIN)
    assert platform_admin.staff_roles.filter(role=Role.PLATFORM_ADMIN).exists()

    other = staff(department, "admin02", Role.PLATFORM_ADMIN)
    assert policy.can_revoke_role(other, platform_admin, Role.PLATFORM_ADMIN)
    actions.revoke_role(actor=other, user=platform_admin, role=Role.PLATFORM_ADMIN)
    assert not platform_admin.staff_roles.filter(role=Role.PLATFORM_ADMIN).exists()


def test_only_an_administrator_creates_staff(staff_clerk, department):
    assert policy.can_manage_staff(None)
    assert not policy.can_manage_staff(staff_clerk)
    with pytest.raises(PermissionDenied):
        actions.create_staff(
            actor=staff_clerk,
            login_name="sneaky",
            display_name="自封管理员",
            department=department,
            roles=[Role.PLATFORM_ADMIN],
            password=PASSWORD,
        )
    assert not User.objects.filter(login_name="sneaky").exists()


def test_deactivation_is_an_administrators_and_never_of_their_own_account(
    platform_admin, staff_clerk, citizen
):
    assert policy.can_deactivate(platform_admin, citizen)
    assert not policy.can_deactivate(platform_admin, platform_admin)
    assert not policy.can_deactivate(staff_clerk, citizen)

    with pytest.raises(PermissionDenied, match="自己"):
        actions.deactivate_accounts(actor=platform_admin, users=[citizen, platform_admin])
    with pytest.raises(PermissionDenied, match="平台管理员"):
        actions.deactivate_accounts(actor=staff_clerk, users=[citizen])
    citizen.refresh_from_db()
    platform_admin.refresh_from_db()
    assert citizen.is_active and platform_admin.is_active  # all or nothing

    assert actions.deactivate_accounts(actor=platform_admin, users=[citizen]) == 1
    citizen.refresh_from_db()
    assert not citizen.is_active


def test_full_personal_data_for_the_person_and_staff_serving_them(
    citizen, second_citizen, staff_clerk
):
    assert policy.can_see_personal_data(citizen, citizen)
    assert policy.can_see_personal_data(staff_clerk, citizen)
    assert not policy.can_see_personal_data(second_citizen, citizen)
    assert not policy.can_see_personal_data(None, citizen)
    with pytest.raises(PermissionDenied, match="无权"):
        actions.reveal_personal_data(
            actor=second_citizen, subject=citizen, field="phone", purpose="好奇"
        )
    assert not AuditRecord.objects.filter(action="pii.reveal")
