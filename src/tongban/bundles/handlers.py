"""Reactions to the members' events (subscribed in BundlesConfig.ready; listed in docs/events.md)."""

from django.db import transaction
from django.urls import reverse

from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.bundles.actions import applying, joint
from tongban.bundles.models import BundleApplication, MemberApplication
from tongban.cases.models import Case
from tongban.licences.models import Licence


def follow_member(payload) -> None:
    """In the member's transaction: the bundle's joint status and deadline follow the member."""
    joint.follow(payload.application_id)


def start_dependents(payload) -> None:
    """After a member's 办结 commits: the members waiting for it start by themselves, with its
    licence (免证可办); if it was refused they are not started and the joint result says why.
    Idempotent (a started member is left alone); a failure is retried by core's event task."""
    done = MemberApplication.objects.filter(application_id=payload.application_id).first()
    if done is None:
        return
    waiting = MemberApplication.objects.filter(
        bundle_application_id=done.bundle_application_id,
        member__prerequisite_id=done.member_id,
        state=MemberApplication.State.WAITING,
    )
    for membership in waiting:
        with transaction.atomic():
            _start_or_cancel(done, membership)
            joint.follow(membership.application_id)


def _start_or_cancel(done: MemberApplication, membership: MemberApplication) -> None:
    application = Application.objects.select_related("item_version").get(pk=done.application_id)
    case = Case.objects.filter(application=application).first()
    approved = (
        application.status == Status.COMPLETED
        and case is not None
        and case.decision == Case.Decision.APPROVE
    )
    if not approved:
        applying.cancel_member(
            membership,
            f"前置事项“{application.item_version.name}”未获办理"
            f"（{case.get_completion_result_display() if case and case.completion_result else application.get_status_display()}），"
            "本事项无法启动，可在前置事项办成后单独申请。",
        )
        return
    licence = (
        Licence.objects.filter(application=application, status=Licence.Status.VALID)
        .select_related("licence_type")
        .order_by("-pk")
        .first()
    )
    applying.start_member(membership, licence)


def issue_joint_result(payload) -> None:
    """After a member's 办结 commits: when it was the last, the joint result is signed (a seal
    failure is retried)."""
    membership = MemberApplication.objects.filter(application_id=payload.application_id).first()
    if membership is None:
        return
    bundle = BundleApplication.objects.get(pk=membership.bundle_application_id)
    joint.issue_result(bundle.pk)


def tell_correction(payload) -> None:
    """After a member's 补正告知 commits: one message for the bundle, naming every member that
    waits for correction, with a link to the one place where the applicant corrects."""
    from tongban.notify import actions as notify

    membership = MemberApplication.objects.filter(application_id=payload.application_id).first()
    if membership is None:
        return
    with transaction.atomic():
        bundle = (
            BundleApplication.objects.select_for_update(of=("self",))
            .select_related("version", "owner")
            .get(pk=membership.bundle_application_id)
        )
        waiting = [
            r.application.item_version.name
            for r in joint.memberships(bundle)
            if r.application.status == Status.CORRECTION
        ]
        if not waiting:
            return
        notify.send(
            bundle.owner,
            "bundle.correction_needed",
            {
                "bundle_name": bundle.version.name,
                "number": bundle.number,
                "items": "、".join(waiting),
                "due_date": payload.respond_by,
            },
            related=bundle,
            link=reverse("bundles:detail", args=[bundle.public_id]),
        )
