"""Status machines (core.statemachine) of a bundle type's versions, of a bundle application
(一件事申请) and of a member's start (启动状态).

A bundle version moves like a catalogue item version. A bundle application's status is derived from
its members' 办件 statuses: it is never set by hand, only moved by the system when a member moves,
and only along its table. A member waiting for its prerequisite is started or cancelled by the
system once, never moved again.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core import statemachine


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本替代")
    WITHDRAWN = "withdrawn", _("已停用")


STAFF, SYSTEM = "staff", statemachine.SYSTEM

VERSION_TRANSITIONS = {
    (VersionStatus.DRAFT, VersionStatus.PUBLISHED): {STAFF},
    (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED): {SYSTEM},
    (VersionStatus.PUBLISHED, VersionStatus.WITHDRAWN): {STAFF},
}


class BundleStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待受理")
    HANDLING = "handling", _("办理中")
    CORRECTION = "correction", _("待补正")
    COMPLETED = "completed", _("已办结")


# Every move is the system's, following the members (see actions.joint.refresh).
BUNDLE_TRANSITIONS = {
    (BundleStatus.SUBMITTED, BundleStatus.HANDLING): {SYSTEM},
    (BundleStatus.SUBMITTED, BundleStatus.CORRECTION): {SYSTEM},
    (BundleStatus.SUBMITTED, BundleStatus.COMPLETED): {SYSTEM},
    (BundleStatus.HANDLING, BundleStatus.CORRECTION): {SYSTEM},
    (BundleStatus.HANDLING, BundleStatus.COMPLETED): {SYSTEM},
    (BundleStatus.CORRECTION, BundleStatus.SUBMITTED): {SYSTEM},
    (BundleStatus.CORRECTION, BundleStatus.HANDLING): {SYSTEM},
    (BundleStatus.CORRECTION, BundleStatus.COMPLETED): {SYSTEM},
}


class MemberState(models.TextChoices):
    WAITING = "waiting", _("等待前置事项办结")
    STARTED = "started", _("已启动")
    CANCELLED = "cancelled", _("前置事项未办成，未启动")


MEMBER_TRANSITIONS = {
    (MemberState.WAITING, MemberState.STARTED): {SYSTEM},
    (MemberState.WAITING, MemberState.CANCELLED): {SYSTEM},
}


def _version_history(version, before, after, *, actor=None, reason=""):
    from tongban.bundles.models import BundleVersionChange

    return BundleVersionChange.objects.create(
        version=version, from_status=before, to_status=after, actor=actor, note=reason[:200]
    )


def _bundle_history(bundle, before, after, *, actor=None, reason=""):
    from tongban.bundles.models import BundleStatusChange

    return BundleStatusChange.objects.create(
        bundle_application=bundle, from_status=before, to_status=after, note=reason[:300]
    )


VERSION = statemachine.register(
    statemachine.Machine(
        name="bundles.version",
        model="bundles.BundleVersion",
        states=VersionStatus,
        table=VERSION_TRANSITIONS,
        noun="一件事版本",
        history=_version_history,
        audit_prefix="bundles.version_",
    )
)

BUNDLE = statemachine.register(
    statemachine.Machine(
        name="bundles.application",
        model="bundles.BundleApplication",
        states=BundleStatus,
        table=BUNDLE_TRANSITIONS,
        noun="一件事申请",
        history=_bundle_history,
        audit_prefix="bundles.status_",
    )
)

MEMBER = statemachine.register(
    statemachine.Machine(
        name="bundles.member",
        model="bundles.MemberApplication",
        states=MemberState,
        table=MEMBER_TRANSITIONS,
        field="state",
        noun="一件事成员事项",
        audit_prefix="bundles.member_",
    )
)
