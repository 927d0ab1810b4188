"""Who may write rules (rules.policy): the department's catalogue administrators only."""

import pytest
from django.core.exceptions import PermissionDenied

from tongban.accounts import actions as accounts
from tongban.rules import policy
from tongban.testing.factories import PASSWORD


def _admin(department, login):
    return accounts.create_staff(
        actor=None,
        login_name=login,
        display_name=login,
        department=department,
        roles=["catalogue_admin"],
        password=PASSWORD,
    )


@pytest.mark.django_db
def test_a_catalogue_admin_of_another_department_is_refused(
    department, other_department, staff_clerk
):
    own, foreign = _admin(department, "cat-own"), _admin(other_department, "cat-foreign")
    assert policy.can_author(own, department.pk)
    policy.require_author(own, department)
    policy.require_author(None, department)  # the platform itself (demo loader, commands)
    for outsider in (foreign, staff_clerk):
        assert not policy.can_author(outsider, department.pk)
        with pytest.raises(PermissionDenied, match="只有本部门的事项管理员"):
            policy.require_author(outsider, department)
