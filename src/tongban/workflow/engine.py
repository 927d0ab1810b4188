"""The review-process engine adapter: the only API other apps use to run review processes.

    instance = engine.start(subject=case, process_key=engine.process_key_for_item(item), data={})
    for task in engine.ready_tasks(instance): ...          # TaskInfo: role, department, label
    instance = engine.complete(instance, task.task_id, action="approve", opinion="同意",
                               actor_label="张三（市场监管局）")
    engine.is_finished(instance), engine.outcome(instance)  # "approved" | "rejected" | None

Every call that changes state saves the instance once, with an optimistic version check
(`UPDATE … WHERE version = n`); a stale instance raises ValidationError and nothing is saved.
Callers (the cases service layer) own the transaction, the audit record and who holds a task.
"""

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from tongban.core.statemachine import SYSTEM
from tongban.workflow import bpmn, states
from tongban.workflow.models import ItemProcess, ProcessDefinition, WorkflowInstance

logger = logging.getLogger(__name__)

ACTIONS = bpmn.ACTIONS
STALE_MESSAGE = "该环节已被他人处理，请刷新"
NOT_READY_MESSAGE = "该环节不存在或当前不可办理，请刷新后重试"
#: Default process per 办件类型 (GB/T 39046 Table A.6): 1 即办件, 2 承诺件, 9 其他.
DEFAULT_PROCESS_BY_HANDLING_TYPE = {"1": "instant", "2": "promise", "9": "promise"}
#: The gateway variable a completed task sets to its action.
DECISION_VARIABLE = "decision"


@dataclass(frozen=True)
class TaskInfo:
    """One ready user task: a line in the 待办 list of `role` (in `department_key`, or in the
    case's own department when None)."""

    task_id: str
    name: str
    label: str
    role: str
    department_key: str | None
    started_at: datetime
    actions: tuple[str, ...]

    def to_json(self) -> dict:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["actions"] = list(self.actions)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "TaskInfo":
        return cls(
            task_id=data["task_id"],
            name=data["name"],
            label=data["label"],
            role=data["role"],
            department_key=data["department_key"],
            started_at=datetime.fromisoformat(data["started_at"]),
            actions=tuple(data["actions"]),
        )


# --- choosing a process ----------------------------------------------------------------------


def process_key_for_item(item) -> str:
    """The process an implementation item's cases use: its ItemProcess choice, else the default
    for the current version's 办件类型 (即办件 → instant, otherwise promise)."""
    choice = ItemProcess.objects.filter(item=item).values_list("process_key", flat=True).first()
    if choice:
        return choice
    version = getattr(item, "current_version", None)
    handling_type = getattr(version, "handling_type", "") or "2"
    return DEFAULT_PROCESS_BY_HANDLING_TYPE.get(handling_type, "promise")


def published_definition(process_key: str) -> ProcessDefinition:
    definition = ProcessDefinition.objects.filter(
        key=process_key, status=ProcessDefinition.Status.PUBLISHED
    ).first()
    if definition is None:
        raise ValidationError(f"没有已发布的审批流程「{process_key}」")
    return definition


# --- reading ---------------------------------------------------------------------------------


def get_instance(subject) -> WorkflowInstance | None:
    """The latest workflow instance of a subject (a model instance or (type, id))."""
    subject_type, subject_id = _subject_ref(subject)
    return (
        WorkflowInstance.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("definition")
        .order_by("-id")
        .first()
    )


def ready_tasks(instance: WorkflowInstance) -> list[TaskInfo]:
    """The user tasks waiting for someone, read from the cache saved with the state."""
    return [TaskInfo.from_json(entry) for entry in instance.ready]


def action_labels(instance: WorkflowInstance, task_id: str) -> dict[str, str]:
    """{action: what it leads to} for a ready task, from the process's named gateway flows
    (bpmn.action_labels); {} when the task is not ready or its flows are unnamed."""
    info = next((t for t in ready_tasks(instance) if t.task_id == task_id), None)
    if info is None:
        return {}
    labels = bpmn.action_labels(instance.definition.bpmn_xml, info.name)
    return {action: labels[action] for action in info.actions if action in labels}


def task_actions(instance: WorkflowInstance, task_id: str) -> tuple[str, ...]:
    """The 业务动作 a ready task allows (all three when the task is not ready any more)."""
    info = next((t for t in ready_tasks(instance) if t.task_id == task_id), None)
    return info.actions if info else tuple(ACTIONS)


def is_finished(instance: WorkflowInstance) -> bool:
    return instance.status == WorkflowInstance.Status.FINISHED


def outcome(instance: WorkflowInstance) -> str | None:
    """ "approved" or "rejected" from the end event reached; None while running."""
    return instance.outcome or None


# --- changing state --------------------------------------------------------------------------


def start(*, subject, process_key: str, data: dict) -> WorkflowInstance:
    """Instantiate the published definition of `process_key` for `subject` (a model instance or
    a (subject_type, subject_id) pair), run it to its first user tasks, save once."""
    definition = published_definition(process_key)
    subject_type, subject_id = _subject_ref(subject)
    workflow = bpmn.parse(definition.bpmn_xml, check=False).new_workflow()
    data = _checked_data(data)
    _check_start_data(workflow, data)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    _run(workflow, "流程无法启动")
    ready, status, result = _summary(workflow)
    return WorkflowInstance.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        definition=definition,
        state=bpmn.dump(workflow),
        ready=ready,
        history=[],
        status=status,
        outcome=result,
        version=1,
    )


def complete(
    instance: WorkflowInstance,
    task_id: str,
    *,
    action: str,
    opinion: str,
    actor_label: str,
    data: dict | None = None,
) -> WorkflowInstance:
    """Complete a ready user task with a 业务动作 (approve 通过 / return 退回 / other 其他), set
    the gateway variable `decision`, run to the next wait state and save once. The step
    (action, opinion, handler, start and end time) is appended to `instance.history`."""
    if action not in ACTIONS:
        raise ValidationError("业务动作必须是 通过（approve）、退回（return）或 其他（other）")
    if action != "approve" and not (opinion or "").strip():
        raise ValidationError(f"{ACTIONS[action]}时必须填写处理意见")
    if is_finished(instance):
        raise ValidationError("流程已结束，没有可办理的环节")
    workflow = bpmn.load(instance.state)
    task = _ready_user_task(workflow, task_id)
    info = _task_info(task)
    if action not in info.actions:
        allowed = "、".join(ACTIONS[a] for a in info.actions)
        raise ValidationError(f"「{info.label}」环节不能{ACTIONS[action]}（可用：{allowed}）")
    task.data.update(_checked_data(data or {}))
    task.data[DECISION_VARIABLE] = action
    _set_output_item(task, action)
    try:
        task.run()
    except SpiffWorkflowException as err:
        raise ValidationError(f"环节无法完成：{err}") from err
    _run(workflow, "流程无法继续")
    step = {
        **info.to_json(),
        "action": action,
        "action_label": ACTIONS[action],
        "opinion": opinion,
        "actor_label": actor_label,
        "finished_at": timezone.now().isoformat(),
    }
    return _save(instance, workflow, [*instance.history, step])


def terminate(instance: WorkflowInstance, *, reason: str, actor_label: str) -> WorkflowInstance:
    """Stop a running review that ends without an outcome of its own (a 容缺 material never
    supplied, a commitment found false): every waiting task is cancelled, the reason is the last
    history entry, and the instance is saved once as finished with no outcome."""
    if is_finished(instance):
        return instance
    workflow = bpmn.load(instance.state)
    workflow.cancel()
    step = {
        "label": "流程终止",
        "action": "terminate",
        "action_label": "终止",
        "opinion": reason,
        "actor_label": actor_label,
        "finished_at": timezone.now().isoformat(),
    }
    return _save(instance, workflow, [*instance.history, step])


# --- internals -------------------------------------------------------------------------------


def _subject_ref(subject) -> tuple[str, str]:
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk)
    subject_type, subject_id = subject
    return str(subject_type), str(subject_id)


def _checked_data(data: dict) -> dict:
    try:
        json.dumps(data)
    except (TypeError, ValueError) as err:
        raise ValidationError("流程数据必须可以用 JSON 表示（字符串、数字、列表、字典）") from err
    return dict(data)


def _run(workflow, failure: str) -> None:
    """Run engine steps. Any error leaves the stored state untouched (nothing is saved), so it
    is reported as a ValidationError instead of a server error."""
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as err:
        raise ValidationError(f"{failure}：{err}") from err
    except Exception as err:  # data errors inside the engine (e.g. a missing list)
        logger.exception("workflow engine step failed")
        raise ValidationError(f"{failure}：{type(err).__name__}: {err}") from err


def _check_start_data(workflow, data: dict) -> None:
    """Every multi-instance task iterates over a list given in the start data (e.g. 联办's
    joint_departments); say so in Chinese instead of failing deep inside the engine."""
    for spec in workflow.spec.task_specs.values():
        reference = getattr(spec, "data_input", None)
        if isinstance(spec, MultiInstanceTask) and reference is not None:
            value = data.get(reference.bpmn_id)
            if not isinstance(value, list | dict) or not value:
                raise ValidationError(
                    f"流程数据缺少 {reference.bpmn_id}（非空列表），"
                    f"「{spec.bpmn_name or spec.bpmn_id}」需要逐一办理其中的每一项"
                )


def _ready_user_task(workflow, task_id: str):
    try:
        task = workflow.get_task_from_id(UUID(str(task_id)))
    except (ValueError, SpiffWorkflowException) as err:
        raise ValidationError(NOT_READY_MESSAGE) from err
    if task.state != TaskState.READY or not isinstance(task.task_spec, UserTask):
        raise ValidationError(NOT_READY_MESSAGE)
    return task


def _task_info(task) -> TaskInfo:
    spec = task.task_spec
    variable = bpmn.properties(spec).get("department_variable")
    department = task.data.get(variable) if variable else None
    return TaskInfo(
        task_id=str(task.id),
        name=spec.bpmn_id,
        label=spec.bpmn_name or spec.bpmn_id,
        role=bpmn.role_for_lane(spec.lane) or "",
        department_key=None if department is None else str(department),
        started_at=datetime.fromtimestamp(task.last_state_change, tz=UTC),
        actions=bpmn.task_actions(spec),
    )


def _set_output_item(task, action: str) -> None:
    """An instance of a multi-instance task with an outputDataItem reports its action there, so
    the gateway after the parallel part can see every department's decision."""
    parent = task.parent
    spec = parent.task_spec if parent is not None else None
    if isinstance(spec, MultiInstanceTask) and spec.output_item is not None:
        spec.output_item.set(task, action)


def _summary(workflow) -> tuple[list[dict], str, str]:
    ready = [
        _task_info(task).to_json()
        for task in workflow.get_tasks(state=TaskState.READY)
        if isinstance(task.task_spec, UserTask)
    ]
    if not workflow.is_completed():
        return ready, WorkflowInstance.Status.RUNNING, ""
    ends = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(task.task_spec, EndEvent)
    ]
    ends.sort(key=lambda task: task.last_state_change)
    result = ""
    if ends:  # the end event's `outcome` property, else an `outcome` data variable
        result = bpmn.properties(ends[-1].task_spec).get("outcome") or ends[-1].data.get("outcome")
    if result not in bpmn.OUTCOMES:
        result = ""
    return ready, WorkflowInstance.Status.FINISHED, result


def _save(instance: WorkflowInstance, workflow, history: list[dict]) -> WorkflowInstance:
    ready, status, result = _summary(workflow)
    if status != instance.status:
        # Checked here rather than moved by statemachine.transition(): the row is written by the
        # optimistic-lock UPDATE … WHERE version = n below (two reviewers may complete tasks of
        # one instance at once), which a save() through transition() would bypass.
        states.INSTANCE.check(instance.status, status, SYSTEM)
    fields = {
        "state": bpmn.dump(workflow),
        "ready": ready,
        "history": history,
        "status": status,
        "outcome": result,
        "updated_at": timezone.now(),
    }
    updated = WorkflowInstance.objects.filter(pk=instance.pk, version=instance.version).update(
        version=instance.version + 1, **fields
    )
    if updated != 1:
        raise ValidationError(STALE_MESSAGE)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.version += 1
    return instance
