"""The shared core of case handling, public for every module that moves a case: the service layer
(cases.actions), 容缺/告知承诺 (cases.commitments), 智能秒批 (cases.instant) and the calendar
re-reading (cases.calendar_sync).

`move()` is the one way a case's application changes status after submission: the transition
table of applications.states (core.statemachine) decides, the StatusChange history row is
written by the machine; the caller writes the timeline entry (`record_event`) and the audit
record with the act's own code.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.applications.models import Application, TimelineEvent
from tongban.applications.states import APPLICATION
from tongban.cases import policy
from tongban.cases.models import Case, CaseDocument
from tongban.cases.policy import Refused
from tongban.catalog.codes import LimitUnit
from tongban.core import statemachine

ACCEPTANCE_WORKING_DAYS = 5  # 行政许可法 art. 32
DELIVERY_WORKING_DAYS = 10  # art. 44


def locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("service_item__department", "item_version", "owner")
        .get(pk=application.pk)
    )


def move(
    application: Application, target: str, actor: User | None, kind: str, note: str = ""
) -> None:
    """Move the (locked) application to `target` for an actor of `kind` (STAFF, SYSTEM), saving
    the status and writing its StatusChange row; refused with the current status named."""
    try:
        statemachine.transition(
            application,
            target,
            actor=actor,
            actor_kind=kind,
            reason=note,
            machine=APPLICATION,
            message=_("当前状态（%(status)s）不能执行此操作"),
            update_fields=["updated_at"],
            write_audit=False,  # the caller records the act (cases.accept, cases.decide …)
        )
    except statemachine.IllegalTransition as refused:  # not a move this case can make now
        raise Refused("；".join(refused.messages)) from refused


def record_event(
    application: Application,
    action: str,
    opinion: str = "",
    *,
    public: bool = True,
    actor: User | None = None,
) -> None:
    TimelineEvent.objects.create(
        application=application,
        department=application.service_item.department,
        action=action,
        opinion=opinion,
        is_public=public,
        actor_label=actor.display_name if actor else "系统",
    )


def require(actor: User, department_id: int, *roles: str) -> None:
    """Refuse unless `actor` holds one of `roles` in the department (the role sets are
    cases.policy's, shared with the case page's buttons)."""
    if not policy.acts_for(actor, department_id, roles):
        raise Refused(_("您的角色或所属部门无权办理此件"))


def case_for(application: Application) -> Case:
    case, _ = Case.objects.get_or_create(
        application=application, defaults={"department": application.service_item.department}
    )
    return case


def notify_applicant(application: Application, template: str, **context) -> None:
    from tongban.notify import actions as notify

    notify.send(
        application.owner,
        template,
        {
            "case_number": application.case_number,
            "item_name": application.item_version.name,
            "department": application.service_item.department.name,
            **context,
        },
        related=application,
        link=reverse("applications:draft", args=[application.public_id]),
    )


def issue(
    case: Case, kind: str, title: str, sections: list[tuple[str, str]], actor
) -> CaseDocument:
    from tongban.seals.documents import issue_document

    document = issue_document(
        document_type=kind,
        title=title,
        sections=sections,
        department=case.department,
        actor=actor,
        related=case.application,
    )
    return CaseDocument.objects.create(case=case, kind=title, document=document)


def header(application: Application) -> list[tuple[str, str]]:
    return [
        ("", f"{application.applicant_name}："),
        ("办件编号", application.case_number),
        ("申请事项", application.item_version.name),
        ("收件时间", f"{timezone.localtime(application.received_at):%Y年%m月%d日}"),
    ]


def limit_days(amount, unit) -> int | None:
    # Recorded in working days for statistics; natural-day limits are converted at 5 of 7.
    if amount is None:
        return None
    return amount if unit == LimitUnit.WORKING_DAYS else round(amount * 5 / 7)
