"""What the licence service modules share: the statuses of versions no longer in force and
the roles that issue."""

from tongban.licences import policy
from tongban.licences.models import (
    Licence,
)

# Versions that can no longer be shown or used: history, not a licence in force.
ENDED = (Licence.Status.REVOKED, Licence.Status.CANCELLED, Licence.Status.REPLACED)
ISSUER_ROLES = policy.ISSUER_ROLES
