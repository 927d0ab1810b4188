"""Who may use the commitment system and who may record a false commitment, decided in one place.

`can_*` answers yes or no; `require_*` raises PermissionDenied with the reason (the service layer
refuses through it). actor None is the platform itself (a nightly job, a management command).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role

# Finding a commitment false revokes or refuses a licence: the organ head's decision (负责人).
RECORDING_ROLES = (Role.APPROVER,)


def can_use_commitment(subject, today: datetime.date | None = None) -> bool:
    """告知承诺 and 容缺受理 are open to a subject without a credit record in force (国办发〔2020〕42号);
    a subject not yet known (an empty draft) is not barred."""
    from tongban.credit.actions import exclusion

    return exclusion(subject, today) is None


def can_record_false_commitment(actor, application) -> bool:
    """An approver of the item's department, or the platform itself."""
    if actor is None:
        return True
    return bool(
        actor.is_authenticated
        and actor.has_role(*RECORDING_ROLES)
        and serves_department(actor, application.service_item.department_id)
    )


def require_recorder(actor, application) -> None:
    if not can_record_false_commitment(actor, application):
        raise PermissionDenied(gettext("只有本部门的批准人可以记录虚假承诺"))
