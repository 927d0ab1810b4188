"""审查 steps: completing a review step (which may reach the decision) and reassigning one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.accounts.models import User
from tongban.accounts.permissions import serves_department
from tongban.accounts.roles import Role
from tongban.applications.models import Application
from tongban.applications.states import Status
from tongban.cases import duties, policy, review
from tongban.cases.actions.decision import decide
from tongban.cases.audit_actions import AuditAction
from tongban.cases.handling import (
    locked,
    record_event,
)
from tongban.cases.models import (
    Case,
    ReviewStep,
)
from tongban.cases.policy import Refused
from tongban.core import audit


@transaction.atomic
def complete_step(
    *, application: Application, actor: User, step_id: int, action: str, opinion: str
) -> Case:
    application = locked(application)
    if application.status != Status.ACCEPTED:
        raise Refused(
            _("当前状态（%(status)s）不能办理审查环节")
            % {"status": application.get_status_display()}
        )
    step = (
        ReviewStep.objects.select_for_update()
        .filter(pk=step_id, case__application=application)
        .first()
    )
    if step is None or not step.is_open:
        raise Refused(_("该环节已被他人处理或不存在，请刷新后重试"))
    if not (actor.has_role(step.role) and serves_department(actor, step.department_id)):
        raise Refused(_("您的角色或所属部门无权办理此环节"))
    if (
        step.assignee_id
        and step.assignee_id != actor.pk
        and not actor.has_role(Role.PLATFORM_ADMIN)
    ):
        raise Refused(_("该环节已指派给其他工作人员"))
    opinion = (opinion or "").strip()
    if action not in ReviewStep.Action.values:
        raise ValidationError({"action": [_("请先选择业务动作（如通过或退回），再提交")]})
    if not opinion:
        raise ValidationError({"opinion": [_("请填写处理意见")]})
    case = application.case
    duties.check(case, actor.pk, step.role)
    if case.suspended:
        raise Refused(_("特别程序进行中，计时已暂停，请先结束特别程序"))
    step.assignee, step.action, step.opinion, step.finished_at = (
        actor,
        action,
        opinion,
        timezone.now(),
    )
    step.save()
    record_event(
        application, f"{step.name}：{step.get_action_display()}", opinion, public=False, actor=actor
    )
    audit.record(
        AuditAction.COMPLETE_STEP,
        actor=actor,
        obj=application,
        detail={"step": step.name, "action": action},
    )
    outcome = review.advance(case, step, actor)
    if outcome is not None:
        decide(application, case, actor, outcome, opinion)
    return case


@transaction.atomic
def reassign(*, application: Application, actor: User, step_id: int, assignee: User) -> ReviewStep:
    application = locked(application)
    step = (
        ReviewStep.objects.select_for_update()
        .filter(pk=step_id, case__application=application, finished_at=None)
        .first()
    )
    if step is None:
        raise Refused(_("该环节已办结，不能改派"))
    if not (policy.acts_for(actor, step.department_id, policy.REASSIGNING)):
        raise Refused(_("只有本部门负责人可以改派"))
    if not (assignee.has_role(step.role) and serves_department(assignee, step.department_id)):
        raise ValidationError(_("被指派人没有办理该环节的角色"))
    separation = duties.conflict(step.case, assignee.pk, step.role)
    if separation:
        raise ValidationError(separation.replace("您", f"{assignee.display_name}", 1))
    step.assignee = assignee
    step.save(update_fields=["assignee"])
    audit.record(
        AuditAction.REASSIGN,
        actor=actor,
        obj=application,
        detail={"step": step.name, "to": assignee.pk},
    )
    return step
