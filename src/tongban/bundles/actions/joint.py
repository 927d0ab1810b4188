"""Joint status of a bundle application: one status and one timeline over its members, the joint
deadline with yellow/red warnings, and the one sealed joint result (联合办结通知书).

The status follows the members (`refresh`, run inside each member's own transaction by the event
handlers): 待补正 while any member waits for correction, 已办结 only when every member has ended
(办结, 不予受理, withdrawn, or not started because its prerequisite was refused), 办理中 once any
member is accepted.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tongban.accounts.models import User
from tongban.accounts.roles import Role
from tongban.applications.models import Application, public_timeline
from tongban.applications.states import Status
from tongban.bundles.audit_actions import AuditAction
from tongban.bundles.models import (
    BundleApplication,
    BundleEvent,
    BundleWarning,
    MemberApplication,
)
from tongban.bundles.states import BUNDLE, SYSTEM, BundleStatus
from tongban.cases import conf as cases_conf
from tongban.cases.models import Case
from tongban.core import audit, workdays
from tongban.core.statemachine import transition
from tongban.licences.models import Licence

ENDED = {Status.COMPLETED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.DISCARDED, Status.REVOKED}
STARTED = {Status.ACCEPTED, Status.APPROVED, Status.DENIED, Status.COMPLETED, Status.NOT_ACCEPTED}


def memberships(bundle: BundleApplication):
    return bundle.members.select_related(
        "member", "application__item_version", "application__service_item__department"
    ).order_by("member__position", "pk")


def derived_status(rows: list[MemberApplication]) -> str:
    statuses = [r.application.status for r in rows]
    ended = [
        r.state == MemberApplication.State.CANCELLED or r.application.status in ENDED for r in rows
    ]
    if Status.CORRECTION in statuses:
        return BundleStatus.CORRECTION
    if all(ended):
        return BundleStatus.COMPLETED
    if any(s in STARTED for s in statuses):
        return BundleStatus.HANDLING
    return BundleStatus.SUBMITTED


def refresh(bundle: BundleApplication, note: str = "") -> str:
    """Bring the bundle's status and joint deadline up to date; call with its row locked."""
    rows = list(memberships(bundle))
    target = derived_status(rows)
    if bundle.accepted_on is None:
        first = (
            Case.objects.filter(
                application__in=[r.application_id for r in rows], accepted_on__isnull=False
            )
            .order_by("accepted_on")
            .values_list("accepted_on", flat=True)
            .first()
        )
        if first is not None:
            bundle.accepted_on = first
            if bundle.version.promised_days is not None:
                bundle.due_date = workdays.Calendar().add_working_days(
                    first, bundle.version.promised_days
                )
    if target != bundle.status and BUNDLE.allows(bundle.status, target, SYSTEM):
        transition(bundle, target, actor_kind=SYSTEM, reason=note, machine=BUNDLE, save=False)
        if target == BundleStatus.COMPLETED:
            _completed(bundle, rows)
        elif target == BundleStatus.CORRECTION:
            waiting = [
                r.application.item_version.name
                for r in rows
                if r.application.status == Status.CORRECTION
            ]
            BundleEvent.objects.create(
                bundle_application=bundle,
                action="一次性告知补正",
                opinion=f"需补正的事项：{'、'.join(waiting)}。请在本页一次补正后重新提交，其他事项照常办理。",
            )
    bundle.save()
    return bundle.status


def _completed(bundle: BundleApplication, rows) -> None:
    today = timezone.localdate()
    bundle.completed_at, bundle.warning = timezone.now(), ""
    start = bundle.accepted_on or timezone.localdate(bundle.submitted_at)
    bundle.working_days_used = workdays.Calendar().working_days_between(start, today)
    BundleEvent.objects.create(
        bundle_application=bundle,
        action="一件事办结",
        opinion="全部事项已办理完毕，联合办结通知书正在签发。",
    )
    audit.record(AuditAction.COMPLETE, obj=bundle, detail={"days": bundle.working_days_used})


@transaction.atomic
def follow(application_id: int, note: str = "") -> BundleApplication | None:
    membership = MemberApplication.objects.filter(application_id=application_id).first()
    if membership is None:
        return None
    bundle = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=membership.bundle_application_id)
    )
    refresh(bundle, note)
    return bundle


# --- the applicant's one timeline ----------------------------------------------------------------


def timeline(bundle: BundleApplication) -> list[dict]:
    """Bundle steps and every member's public steps, in time order, each named by its item."""
    rows = list(memberships(bundle))
    names = {r.application_id: r.application.item_version.name for r in rows}
    entries = [
        {"at": e.at, "item": "", "department": "", "action": e.action, "opinion": e.opinion}
        for e in bundle.events.all()
    ]
    for row in rows:
        for event in public_timeline(row.application):
            entries.append(
                {
                    "at": event.at,
                    "item": names[row.application_id],
                    "department": event.department.name if event.department else "",
                    "action": event.action,
                    "opinion": event.opinion,
                }
            )
    return sorted(entries, key=lambda e: e["at"])


def member_result(row: MemberApplication) -> dict:
    """What became of one member, in the applicant's words, with its licence if one was issued."""
    application = row.application
    case = Case.objects.filter(application=application).first()
    licences = list(Licence.objects.filter(application=application).select_related("licence_type"))
    if row.state == MemberApplication.State.CANCELLED:
        result, reason = "未启动", row.start_error
    elif row.state == MemberApplication.State.WAITING:
        result, reason = "等待前置事项办结", ""
    elif application.status == Status.NOT_ACCEPTED:
        result, reason = "不予受理", case.decision_reason if case else ""
    elif application.status == Status.COMPLETED and case and case.decision == Case.Decision.DENY:
        result, reason = "不予办理", case.decision_reason
    elif application.status == Status.COMPLETED:
        result, reason = "已办结" + ("，已出证" if licences else ""), ""
    elif application.status == Status.WITHDRAWN:
        result, reason = "已撤回", ""
    else:
        result, reason = application.get_status_display(), ""
    return {
        "row": row,
        "name": application.item_version.name,
        "department": application.service_item.department.name,
        "case_number": application.case_number or "—",
        "status": application.get_status_display(),
        "result": result,
        "reason": reason,
        "licences": licences,
        "case": case,
        "refused": result in ("不予受理", "不予办理", "未启动"),
    }


# --- the joint result (one sealed notice) -------------------------------------------------------


def issue_result(bundle_id: int) -> BundleApplication:
    """联合办结通知书: one document, sealed by the lead department, listing every member's result
    and licence; a refused member is explained, the others are listed as they ended. Idempotent."""
    from tongban.notify import actions as notify
    from tongban.seals.documents import issue_document

    with transaction.atomic():
        bundle = (
            BundleApplication.objects.select_for_update(of=("self",))
            .select_related("version__lead_department", "owner")
            .get(pk=bundle_id)
        )
        if bundle.status != BundleStatus.COMPLETED or bundle.result_document_id:
            return bundle
        results = [member_result(r) for r in memberships(bundle)]
        applicant = next(
            (
                r["row"].application.applicant_name
                for r in results
                if r["row"].application.applicant_name
            ),
            "",
        )
        sections = [
            ("", f"{applicant}："),
            ("一件事编号", bundle.number),
            ("办理事项", bundle.version.name),
            ("申请时间", f"{timezone.localtime(bundle.submitted_at):%Y年%m月%d日}"),
            ("", "您申请的一件事已全部办理完毕，各事项结果如下："),
        ]
        for n, r in enumerate(results, start=1):
            text = f"{r['department']}，办件编号 {r['case_number']}，结果：{r['result']}"
            if r["licences"]:
                text += "；电子证照：" + "；".join(
                    f"{lic.licence_type.name}（{lic.identifier}）" for lic in r["licences"]
                )
            if r["reason"]:
                text += f"；原因：{r['reason']}"
            sections.append((f"{n}. {r['name']}", text))
        if any(r["refused"] for r in results):
            sections.append(
                (
                    "",
                    "未获办理的事项不影响其他事项的结果。对不予受理、不予办理的决定不服的，可以自收到"
                    "该事项决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
                )
            )
        document = issue_document(
            document_type="other",
            title=f"{bundle.version.name}联合办结通知书",
            sections=sections,
            department=bundle.version.lead_department,
            related=bundle,
        )
        bundle.result_document = document
        bundle.save(update_fields=["result_document"])
        BundleEvent.objects.create(
            bundle_application=bundle,
            action="签发联合办结通知书",
            opinion=f"文书编号：{document.number}，可在本页下载。",
        )
        audit.record(AuditAction.JOINT_RESULT, obj=bundle, detail={"document": document.number})
        done = sum(1 for r in results if not r["refused"])
        notify.send(
            bundle.owner,
            "bundle.completed",
            {
                "bundle_name": bundle.version.name,
                "number": bundle.number,
                "summary": f"{done} 项办成，{len(results) - done} 项未获办理",
                "document_number": document.number,
            },
            related=bundle,
            link=reverse("bundles:detail", args=[bundle.public_id]),
        )
        return bundle


# --- the joint deadline ---------------------------------------------------------------------------


def days_left(bundle: BundleApplication, calendar: workdays.Calendar, today: datetime.date):
    if bundle.due_date is None:
        return None
    if bundle.due_date >= today:
        return calendar.working_days_between(today, bundle.due_date)
    return -calendar.working_days_between(bundle.due_date, today)


def raise_warnings(today: datetime.date | None = None) -> dict[str, int]:
    """Scheduled with the cases' scan: yellow when `CASE_YELLOW_WORKING_DAYS` working days or fewer
    are left before the joint due date, red once it has passed; each level recorded and announced
    once (to the supervisors and the lead department's approvers)."""
    today = today or timezone.localdate()
    calendar = workdays.Calendar()
    yellow_at = cases_conf.yellow_working_days()
    counts = {"yellow": 0, "red": 0}
    open_bundles = (
        BundleApplication.objects.exclude(status=BundleStatus.COMPLETED)
        .filter(due_date__isnull=False)
        .select_related("version")
    )
    for bundle in open_bundles.iterator(chunk_size=500):
        left = days_left(bundle, calendar, today)
        level = "red" if left < 0 else "yellow" if left <= yellow_at else ""
        if level != bundle.warning and _apply_warning(bundle.pk, level, left):
            counts[level] += 1
    return counts


@transaction.atomic
def _apply_warning(bundle_id: int, level: str, left: int) -> bool:
    from tongban.notify import actions as notify

    bundle = (
        BundleApplication.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=bundle_id)
    )
    bundle.warning = level
    bundle.save(update_fields=["warning"])
    if not level or BundleWarning.objects.filter(bundle_application=bundle, level=level).exists():
        return False
    BundleWarning.objects.create(bundle_application=bundle, level=level, days_left=left)
    code = AuditAction.WARNING_RED if level == "red" else AuditAction.WARNING_YELLOW
    audit.record(code, obj=bundle, detail={"days_left": left})
    people = User.objects.filter(is_active=True, staff_roles__role=Role.SUPERVISOR).distinct()[:20]
    for person in people:
        notify.send(
            person,
            "bundle.deadline_warning",
            {
                "bundle_name": bundle.version.name,
                "number": bundle.number,
                "due_date": f"{bundle.due_date:%Y-%m-%d}",
                "days_left": left,
                "level": "红色预警（已超期）" if level == "red" else "黄色预警",
            },
            channels=["inapp"],
            related=bundle,
            link=reverse("bundles_staff:detail", args=[bundle.public_id]),
        )
    return True


def applications_of(bundle: BundleApplication) -> list[Application]:
    return [r.application for r in memberships(bundle)]


def check_owner(bundle: BundleApplication, user) -> None:
    if bundle.owner_id != user.pk:
        raise ValidationError("您无权查看该一件事")
