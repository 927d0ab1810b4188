"""The status machines of the data exchange: a resource version (draft → published → superseded or
withdrawn) and an access request (pending → approved, refused or cancelled)."""

from tongban.core import statemachine
from tongban.exchange.models import AccessRequest, ResourceVersion

S = ResourceVersion.Status
R = AccessRequest.Status
SYSTEM = statemachine.SYSTEM
DATA_ADMIN = "data_admin"  # the providing department's catalogue administrator
PROVIDER, REQUESTER = "provider", "requester"

# (from, to) → who may make the move. A version is superseded only by the system, when its
# successor is published.
VERSION_TRANSITIONS = {
    (S.DRAFT, S.PUBLISHED): {DATA_ADMIN, SYSTEM},
    (S.PUBLISHED, S.SUPERSEDED): {SYSTEM},
    (S.PUBLISHED, S.WITHDRAWN): {DATA_ADMIN, SYSTEM},
}
# The system approves a request for an unconditionally shared resource at once.
REQUEST_TRANSITIONS = {
    (R.PENDING, R.APPROVED): {PROVIDER, SYSTEM},
    (R.PENDING, R.REFUSED): {PROVIDER},
    (R.PENDING, R.CANCELLED): {REQUESTER},
}


def _version_history(version, before, after, *, actor=None, reason=""):
    from tongban.exchange.models import ResourceChange

    return ResourceChange.objects.create(
        resource_id=version.resource_id,
        version=version,
        from_status=before,
        to_status=after,
        actor=actor if getattr(actor, "pk", None) else None,
        note=reason[:300],
    )


def _request_history(request, before, after, *, actor=None, reason=""):
    from tongban.exchange.models import AccessRequestChange

    return AccessRequestChange.objects.create(
        request=request,
        from_status=before,
        to_status=after,
        actor=actor if getattr(actor, "pk", None) else None,
        note=reason[:300],
    )


RESOURCE_VERSION = statemachine.register(
    statemachine.Machine(
        name="exchange.resource_version",
        model="exchange.ResourceVersion",
        states=S,
        table=VERSION_TRANSITIONS,
        noun="资源版本",
        history=_version_history,
        error_field="status",
    )
)
ACCESS_REQUEST = statemachine.register(
    statemachine.Machine(
        name="exchange.access_request",
        model="exchange.AccessRequest",
        states=R,
        table=REQUEST_TRANSITIONS,
        noun="共享申请",
        history=_request_history,
        error_field="status",
    )
)
