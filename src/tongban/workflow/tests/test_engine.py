"""The engine adapter against the shipped templates (published by the data migration)."""

import pytest
from django.core.exceptions import ValidationError

from tongban.core import statemachine
from tongban.core.statemachine import SYSTEM, IllegalTransition
from tongban.workflow import engine
from tongban.workflow.models import ProcessDefinition, WorkflowInstance

pytestmark = pytest.mark.django_db

SUBJECT = ("cases.case", "1")


def only_task(instance):
    tasks = engine.ready_tasks(instance)
    assert len(tasks) == 1, tasks
    return tasks[0]


def act(instance, action="approve", opinion="同意", task=None, **kwargs):
    task = task or only_task(instance)
    return engine.complete(
        instance, task.task_id, action=action, opinion=opinion, actor_label="测试员", **kwargs
    )


def reload(instance):
    return WorkflowInstance.objects.get(pk=instance.pk)


def test_templates_are_published_by_the_migration():
    published = ProcessDefinition.objects.filter(status="published")
    assert set(published.values_list("key", flat=True)) == {"instant", "promise", "joint"}


def test_promise_happy_path_runs_handler_reviewer_approver_in_order():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    assert instance.version == 1
    seen = []
    for _ in range(3):
        task = only_task(instance)
        seen.append((task.name, task.label, task.role, task.department_key))
        assert not engine.is_finished(instance)
        assert engine.outcome(instance) is None
        instance = act(instance)
    assert seen == [
        ("handle", "承办", "handler", None),
        ("review", "审核", "reviewer", None),
        ("approve", "批准", "approver", None),
    ]
    assert engine.is_finished(instance)
    assert engine.outcome(instance) == "approved"
    assert engine.ready_tasks(instance) == []
    assert instance.version == 4  # saved once per action
    steps = reload(instance).history
    assert [(s["label"], s["action_label"], s["actor_label"]) for s in steps] == [
        ("承办", "通过", "测试员"),
        ("审核", "通过", "测试员"),
        ("批准", "通过", "测试员"),
    ]
    assert all(s["started_at"] <= s["finished_at"] for s in steps)


def test_promise_return_goes_back_one_step():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    instance = act(instance)  # 承办
    instance = act(instance, "return", "材料不全")  # 审核 退回
    assert only_task(instance).role == "handler"
    instance = act(instance)  # 承办 again
    instance = act(instance)  # 审核
    assert only_task(instance).role == "approver"
    instance = act(instance, "return", "请复核")  # 批准 退回
    assert only_task(instance).role == "reviewer"
    instance = act(reload(instance))  # 审核, from a freshly loaded row
    instance = act(instance)  # 批准
    assert engine.outcome(instance) == "approved"
    assert [s["action"] for s in instance.history] == [
        "approve",
        "return",
        "approve",
        "approve",
        "return",
        "approve",
        "approve",
    ]


def test_promise_reject_outcome():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    instance = act(act(instance))
    instance = act(instance, "other", "不符合许可条件")
    assert engine.is_finished(instance)
    assert engine.outcome(instance) == "rejected"


def test_action_not_allowed_at_step_and_opinion_required():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    with pytest.raises(ValidationError, match="「承办」环节不能退回"):
        act(instance, "return", "退回")
    with pytest.raises(ValidationError, match="业务动作必须是"):
        act(instance, "reject")
    instance = act(instance)
    with pytest.raises(ValidationError, match="退回时必须填写处理意见"):
        act(instance, "return", "")
    assert reload(instance).version == 2


def test_joint_departments_review_in_parallel_one_return_goes_back_to_lead_handler():
    data = {"joint_departments": ["411000-scjgj", "411000-wsjkw"]}
    instance = engine.start(subject=SUBJECT, process_key="joint", data=data)
    assert only_task(instance).role == "handler"
    instance = act(instance)
    tasks = engine.ready_tasks(instance)
    assert sorted((t.role, t.department_key) for t in tasks) == [
        ("reviewer", "411000-scjgj"),
        ("reviewer", "411000-wsjkw"),
    ]
    assert {t.label for t in tasks} == {"联办审核"}
    first = next(t for t in tasks if t.department_key == "411000-scjgj")
    instance = act(instance, task=first)  # one department approves, the other still pending
    assert [t.department_key for t in engine.ready_tasks(instance)] == ["411000-wsjkw"]
    instance = act(instance, "return", "卫生条件不符合")  # the other returns
    task = only_task(instance)
    assert (task.name, task.role, task.department_key) == ("handle", "handler", None)

    # Second round: both approve → 批准.
    instance = act(instance)
    for task in engine.ready_tasks(instance):
        instance = act(instance, task=task)
    assert only_task(instance).role == "approver"
    instance = act(instance, "return", "请联办部门复核")  # 批准 退回 → parallel review again
    assert len(engine.ready_tasks(instance)) == 2
    for task in engine.ready_tasks(instance):
        instance = act(reload(instance), task=task)
    instance = act(instance)
    assert engine.outcome(instance) == "approved"


def test_joint_return_cancels_the_other_departments_tasks():
    data = {"joint_departments": ["a", "b", "c"]}
    instance = act(engine.start(subject=SUBJECT, process_key="joint", data=data))
    first = engine.ready_tasks(instance)[0]
    instance = act(instance, "return", "不同意", task=first)
    assert only_task(instance).name == "handle"


@pytest.mark.parametrize("data", [{}, {"joint_departments": []}])
def test_joint_without_departments_is_a_chinese_error(data):
    with pytest.raises(ValidationError, match="流程数据缺少 joint_departments"):
        engine.start(subject=SUBJECT, process_key="joint", data=data)
    assert not WorkflowInstance.objects.exists()


def test_instant_is_decided_by_the_window_clerk():
    instance = engine.start(subject=SUBJECT, process_key="instant", data={})
    task = only_task(instance)
    assert (task.label, task.role, task.actions) == (
        "即办决定",
        "window_clerk",
        ("approve", "other"),
    )
    instance = act(instance)
    assert engine.outcome(instance) == "approved"


def test_state_survives_a_round_trip_through_the_database():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={"case_no": "X1"})
    instance = act(instance)
    loaded = engine.get_instance(SUBJECT)
    assert loaded.pk == instance.pk and loaded.version == 2
    task = only_task(loaded)
    assert task.role == "reviewer" and task.started_at.tzinfo is not None
    loaded = act(loaded)
    loaded = act(reload(loaded))
    assert engine.outcome(loaded) == "approved"


def test_completing_a_task_that_is_not_ready_is_refused():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    first = only_task(instance)
    instance = act(instance)
    with pytest.raises(ValidationError, match="该环节不存在或当前不可办理"):
        act(instance, task=first)
    with pytest.raises(ValidationError, match="该环节不存在或当前不可办理"):
        engine.complete(instance, "not-a-uuid", action="approve", opinion="", actor_label="x")
    assert reload(instance).version == 2


def test_stale_instance_is_refused_and_nothing_is_saved():
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    stale = reload(instance)
    act(instance)
    with pytest.raises(ValidationError, match="该环节已被他人处理，请刷新"):
        act(stale)
    fresh = reload(instance)
    assert fresh.version == 2 and len(fresh.history) == 1


def test_unknown_process_key():
    with pytest.raises(ValidationError, match="没有已发布的审批流程「nope」"):
        engine.start(subject=SUBJECT, process_key="nope", data={})


def test_instant_and_joint_reject_outcomes():
    instant = engine.start(subject=SUBJECT, process_key="instant", data={})
    assert engine.outcome(act(instant, "other", "不符合条件")) == "rejected"
    joint = act(
        engine.start(subject=SUBJECT, process_key="joint", data={"joint_departments": ["a"]})
    )
    joint = act(act(joint), "other", "不予许可")
    assert engine.is_finished(joint) and engine.outcome(joint) == "rejected"
    with pytest.raises(ValidationError, match="流程已结束"):
        engine.complete(
            joint, joint.history[-1]["task_id"], action="approve", opinion="", actor_label="x"
        )


def test_each_action_is_named_by_where_the_process_takes_it():
    """The case page labels 其他 by what it does: the name of the gateway flow it picks."""
    instance = engine.start(subject=SUBJECT, process_key="promise", data={})
    assert engine.action_labels(instance, only_task(instance).task_id) == {}  # 承办: no gateway
    instance = act(instance)
    review = only_task(instance)
    assert engine.task_actions(instance, review.task_id) == ("approve", "return")
    assert engine.action_labels(instance, review.task_id) == {
        "approve": "通过",
        "return": "退回承办",
    }
    instance = act(instance)
    assert engine.action_labels(instance, only_task(instance).task_id) == {
        "approve": "准予许可",
        "return": "退回审核",
        "other": "不予许可",
    }
    assert engine.action_labels(instance, "not-a-task") == {}


def test_a_joint_review_names_its_return_by_the_flow_it_takes():
    instance = engine.start(
        subject=SUBJECT,
        process_key="joint",
        data={"lead_department": "1", "joint_departments": ["2"]},
    )
    instance = act(instance)
    task = only_task(instance)
    assert engine.action_labels(instance, task.task_id) == {"return": "退回牵头部门承办"}


def test_a_finished_review_never_runs_again():
    """workflow.states.INSTANCE: running → finished only; the engine checks the move it saves."""
    instance = act(engine.start(subject=SUBJECT, process_key="instant", data={}))
    assert instance.status == WorkflowInstance.Status.FINISHED
    with pytest.raises(IllegalTransition) as refused:
        statemachine.transition(instance, WorkflowInstance.Status.RUNNING, actor_kind=SYSTEM)
    assert refused.value.messages == ["流程实例当前状态为“已结束”，不能变为“办理中”"]
    assert reload(instance).status == WorkflowInstance.Status.FINISHED
    assert engine.terminate(instance, reason="补正期满", actor_label="系统") == instance
    assert reload(instance).version == instance.version == 2
