"""Who sees which bundle applications (reads only).

The applicant who filed it (the citizen, the enterprise account, or a 经办人 acting for an
enterprise) sees it and corrects it. An enterprise account also sees, read-only, every bundle an
agent filed in its name, with who filed it — as 我的 shows the enterprise's single cases. Nobody
else does: an agent of another enterprise sees nothing of it.
"""

from django.db.models import Q, QuerySet

from tongban.accounts.models import User
from tongban.bundles.models import BundleApplication


def enterprise_of(user: User):
    """The enterprise an enterprise account stands for (None for citizens, agents and staff)."""
    if not user.is_authenticated or user.kind != "enterprise":
        return None
    return getattr(user, "enterprise", None)


def visible_to(user: User) -> QuerySet[BundleApplication]:
    if not user.is_authenticated:
        return BundleApplication.objects.none()
    scope = Q(owner=user)
    enterprise = enterprise_of(user)
    if enterprise is not None:
        scope |= Q(enterprise=enterprise)
    return BundleApplication.objects.filter(scope)


def may_correct(user: User, bundle: BundleApplication) -> bool:
    """Only the applicant who filed it answers a 补正 (the enterprise watches its agent's)."""
    return user.is_authenticated and bundle.owner_id == user.pk
