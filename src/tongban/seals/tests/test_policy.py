"""Who may keep seals (seals.policy): only platform administrators create, rotate and revoke."""

import pytest
from django.core.exceptions import PermissionDenied

from tongban.core.statemachine import IllegalTransition
from tongban.seals import actions, policy
from tongban.seals.models import Seal


@pytest.mark.django_db
def test_a_window_clerk_may_not_create_rotate_or_revoke_a_seal(
    department, staff_clerk, platform_admin
):
    assert not policy.can_keep_seals(staff_clerk)
    with pytest.raises(PermissionDenied, match="只有平台管理员"):
        actions.create_seal(staff_clerk, department, "某部门公章", Seal.Kind.OFFICIAL)
    assert not Seal.objects.exists()
    seal = actions.create_seal(platform_admin, department, "某部门公章", Seal.Kind.OFFICIAL)
    with pytest.raises(PermissionDenied):
        actions.rotate_seal(staff_clerk, seal)
    with pytest.raises(PermissionDenied):
        actions.revoke_seal(staff_clerk, seal, "无权注销")
    seal.refresh_from_db()
    assert seal.status == Seal.Status.ACTIVE


@pytest.mark.django_db
def test_a_revoked_seal_is_not_rotated(department, platform_admin):
    seal = actions.create_seal(platform_admin, department, "某部门公章", Seal.Kind.OFFICIAL)
    actions.revoke_seal(platform_admin, seal, "部门撤并")
    with pytest.raises(IllegalTransition, match="已注销，不能再更换"):
        actions.rotate_seal(platform_admin, seal)
