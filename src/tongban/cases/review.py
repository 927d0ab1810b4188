"""Review on the BPMN engine (tongban.workflow): which process an item runs, and the mirror of its
ready tasks as ReviewStep rows — the 待办 lists read those rows, never the engine's state."""

from django.core.exceptions import ValidationError

from tongban.cases.models import Case, ReviewStep
from tongban.catalog.codes import HandlingType
from tongban.core.models import Department


def _engine():
    from tongban.workflow import engine

    return engine


def start(case: Case) -> None:
    """Start the item's review process at acceptance. 即办件 are decided at the window instead."""
    version = case.application.item_version
    if version.handling_type == HandlingType.IMMEDIATE:
        return
    engine = _engine()
    joint = joint_departments(case)
    engine.start(
        subject=case.application,
        process_key=engine.process_key_for_item(case.application.service_item),
        data={
            "lead_department": str(case.department_id),
            "joint_departments": [str(d.pk) for d in joint],
        },
    )
    _sync_steps(case, engine.get_instance(case.application))


def joint_departments(case: Case) -> list[Department]:
    """Departments reviewing in parallel (联办), as chosen with the item's process."""
    from tongban.workflow.models import ItemProcess

    choice = ItemProcess.objects.filter(item=case.application.service_item).first()
    return list(choice.joint_departments.all()) if choice else []


def _sync_steps(case: Case, instance) -> None:
    """Make the open ReviewStep rows equal the engine's ready tasks: new tasks become 待办 rows, and
    tasks the engine withdrew (a parallel 联办 branch cancelled by another department's 退回) are
    closed with a note, so nobody is asked to act on them."""
    from django.utils import timezone

    ready = {task.task_id: task for task in _engine().ready_tasks(instance)}
    case.steps.filter(finished_at=None).exclude(task_id__in=ready).update(
        finished_at=timezone.now(), opinion="（其他部门退回，本环节已撤销）"
    )
    known = set(case.steps.values_list("task_id", flat=True))
    for task in ready.values():
        if task.task_id in known:
            continue
        department_id = int(task.department_key) if task.department_key else case.department_id
        ReviewStep.objects.create(
            case=case,
            task_id=task.task_id,
            name=task.label,
            role=task.role,
            department_id=department_id,
        )


def advance(case: Case, step: ReviewStep, actor) -> str | None:
    """Complete the engine task behind `step`; returns "approved"/"rejected" when the process ended."""
    engine = _engine()
    instance = engine.get_instance(case.application)
    if instance is None:
        raise ValidationError("该办件没有审查流程")
    instance = engine.complete(
        instance,
        step.task_id,
        action=step.action,
        opinion=step.opinion,
        actor_label=actor.display_name,
    )
    if engine.is_finished(instance):
        return engine.outcome(instance)
    _sync_steps(case, instance)
    return None


def step_actions(case: Case, steps) -> dict[int, list[tuple[str, str]]]:
    """{step pk: [(业务动作, what it leads to or "")]} for open steps: only the actions the task
    allows, each named by the process's gateway flow it picks (批准's 其他 is "不予许可")."""
    engine = _engine()
    instance = engine.get_instance(case.application)
    out = {}
    for step in steps:
        if instance is None:
            out[step.pk] = [(action, "") for action in ReviewStep.Action.values]
            continue
        labels = engine.action_labels(instance, step.task_id)
        out[step.pk] = [
            (action, labels.get(action, ""))
            for action in engine.task_actions(instance, step.task_id)
        ]
    return out


def terminate(case: Case, reason: str, actor) -> None:
    """End the review early: the engine instance stops and every open 待办 step is closed with the
    reason, so nobody is asked to act on a case that is over."""
    from django.utils import timezone

    engine = _engine()
    instance = engine.get_instance(case.application)
    if instance is not None:
        engine.terminate(
            instance, reason=reason, actor_label=actor.display_name if actor else "系统"
        )
    case.steps.filter(finished_at=None).update(
        finished_at=timezone.now(),
        action=ReviewStep.Action.OTHER,
        opinion=f"（流程终止：{reason}）",
    )
