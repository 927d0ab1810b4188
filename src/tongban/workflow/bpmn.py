"""Parsing and checking BPMN documents. This module and `engine` are the only places that import
SpiffWorkflow.

A process is accepted only if SpiffWorkflow can parse it and it stays inside what Tongban can run
safely and map onto its staff:
- one executable process; only start/end events, user tasks, script tasks, exclusive, parallel
  and inclusive gateways (no service tasks, call activities, subprocesses, timers or messages);
- every user task sits in a lane named after a role (承办/审核/批准/窗口受理 or the role code);
  a multi-instance user task is a department-scoped parallel branch when it has the property
  `department_variable` (the task-data variable holding the department key);
- every end event says its outcome (property `outcome` = approved | rejected);
- conditions and scripts are plain expressions and assignments: no attribute access, no imports,
  only a few harmless functions (len, any, all, min, max, sum, abs). They run with those
  functions as the only builtins.
Task and event properties use the SpiffWorkflow extension
`<spiffworkflow:properties><spiffworkflow:property name="…" value="…"/></spiffworkflow:properties>`.
"""

import ast
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from tongban.accounts.roles import Role

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_BYTES = 512 * 1024

ACTIONS = {"approve": "通过", "return": "退回", "other": "其他"}
OUTCOMES = {"approved": "准予", "rejected": "不予"}

#: Roles a lane may stand for; the lane name is the role's Chinese name or its code. Spelled out
#: here rather than taken from Role's labels: those follow the user's language, a BPMN file doesn't.
LANE_NAMES = {
    "窗口受理": Role.WINDOW_CLERK,
    "承办": Role.HANDLER,
    "审核": Role.REVIEWER,
    "批准": Role.APPROVER,
}
ROLE_BY_LANE = {
    **{name: role.value for name, role in LANE_NAMES.items()},
    **{role.value: role.value for role in LANE_NAMES.values()},
}

ALLOWED_ELEMENTS = {
    "laneSet",
    "lane",
    "childLaneSet",
    "flowNodeRef",
    "startEvent",
    "endEvent",
    "terminateEventDefinition",
    "userTask",
    "scriptTask",
    "script",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "sequenceFlow",
    "conditionExpression",
    "incoming",
    "outgoing",
    "documentation",
    "extensionElements",
    "multiInstanceLoopCharacteristics",
    "loopDataInputRef",
    "loopDataOutputRef",
    "inputDataItem",
    "outputDataItem",
    "completionCondition",
    "loopCardinality",
    "textAnnotation",
    "text",
    "association",
}
ALLOWED_SPIFF_ELEMENTS = {"properties", "property"}

SAFE_FUNCTIONS = {
    "len": len,
    "any": any,
    "all": all,
    "min": min,
    "max": max,
    "sum": sum,
    "abs": abs,
}
_SAFE_NODES = (
    ast.Expression,
    ast.Module,
    ast.Assign,
    ast.Expr,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Set,
    ast.Dict,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.BinOp,
    ast.IfExp,
    ast.Subscript,
    ast.Call,
    ast.boolop,
    ast.cmpop,
    ast.unaryop,
    ast.operator,
)

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def script_engine() -> PythonScriptEngine:
    """The engine that evaluates conditions and scripts, with only SAFE_FUNCTIONS as builtins."""
    return PythonScriptEngine(environment=TaskDataEnvironment({"__builtins__": SAFE_FUNCTIONS}))


@dataclass
class ParsedProcess:
    process_id: str
    name: str
    spec: object
    subprocess_specs: dict

    def new_workflow(self) -> BpmnWorkflow:
        return BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=script_engine())


def role_for_lane(lane: str | None) -> str | None:
    return ROLE_BY_LANE.get((lane or "").strip())


def properties(task_spec) -> dict:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})


def task_actions(task_spec) -> tuple[str, ...]:
    """The 业务动作 a user task allows: its `actions` property, or all three."""
    declared = properties(task_spec).get("actions", "")
    names = [a.strip() for a in declared.split(",") if a.strip()]
    return tuple(names) if names else tuple(ACTIONS)


_ACTION_CONDITIONS = (
    re.compile(r"""^decision\s*==\s*["'](\w+)["']$"""),  # decision == "other"
    re.compile(r"""^["'](\w+)["']\s+in\s+\w+$"""),  # "return" in joint_decisions
)


def action_labels(bpmn_xml: str | bytes, task_id: str) -> dict[str, str]:
    """What each 业务动作 of user task `task_id` leads to, in the process's own words: the name of
    the flow out of the exclusive gateway after the task whose condition picks that action
    (promise.bpmn's 批准: other → "不予许可", return → "退回审核"). Actions no named flow picks are
    left out; the caller shows the action's own name for them."""
    root = _read_xml(bpmn_xml)
    ns = {"bpmn": BPMN_NS}
    flows = root.findall(".//bpmn:sequenceFlow", ns)
    after = [f.get("targetRef") for f in flows if f.get("sourceRef") == task_id]
    if len(after) != 1:
        return {}
    gateway = root.find(f".//bpmn:exclusiveGateway[@id='{after[0]}']", ns)
    if gateway is None:
        return {}
    labels = {}
    for flow in flows:
        condition = flow.find("bpmn:conditionExpression", ns)
        name = (flow.get("name") or "").strip()
        if flow.get("sourceRef") != gateway.get("id") or condition is None or not name:
            continue
        text = (condition.text or "").strip()
        for pattern in _ACTION_CONDITIONS:
            match = pattern.match(text)
            if match and match.group(1) in ACTIONS:
                labels.setdefault(match.group(1), name)
    return labels


def expression_problem(text: str | None, *, script: bool = False) -> str | None:
    """Why an expression (or, with script=True, a script of assignments) is not allowed."""
    if not text or not text.strip():
        return "表达式为空"
    try:
        tree = ast.parse(text.strip(), mode="exec" if script else "eval")
    except SyntaxError as err:
        return f"语法错误（{err.msg}）"
    if script:
        for statement in tree.body:
            if not isinstance(statement, ast.Assign):
                return "脚本只能包含赋值语句"
    for node in ast.walk(tree):
        if not isinstance(node, _SAFE_NODES):
            return f"不允许使用 {type(node).__name__}"
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return f"不允许使用以下划线开头的名称 {node.id}"
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in SAFE_FUNCTIONS and not node.keywords
        ):
            return "只允许调用 " + "、".join(SAFE_FUNCTIONS)
    return None


def _element_label(element) -> str:
    local = etree.QName(element).localname
    ident = element.get("id")
    return f"<{local}>" + (f"（id={ident}）" if ident else "")


def _read_xml(bpmn_xml: str | bytes):
    data = bpmn_xml.encode() if isinstance(bpmn_xml, str) else bpmn_xml
    if len(data) > MAX_BYTES:
        raise ValidationError(f"BPMN 文件过大（超过 {MAX_BYTES // 1024} KB）")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ValidationError(f"BPMN 文件不是合法的 XML：第 {err.lineno} 行，{err.msg}") from err
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise ValidationError("BPMN 文件的根元素必须是 BPMN 2.0 的 <definitions>")
    return root


def _structure_problems(root) -> list[str]:
    problems = []
    processes = [
        p for p in root.iterfind(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"
    ]
    if not processes:
        problems.append('没有可执行的流程（<process isExecutable="true">）')
    elif len(processes) > 1:
        problems.append("只能包含一个可执行的流程")
    for process in processes:
        for element in process.iterdescendants():
            if not isinstance(element.tag, str):  # comments, processing instructions
                continue
            qname = etree.QName(element)
            if qname.namespace == BPMN_NS:
                if qname.localname not in ALLOWED_ELEMENTS:
                    problems.append(
                        f"不支持的元素 {_element_label(element)}：只允许用户任务、脚本任务、网关、"
                        "开始/结束事件和泳道"
                    )
                elif qname.localname == "conditionExpression" or qname.localname in (
                    "completionCondition",
                    "loopCardinality",
                ):
                    why = expression_problem(element.text)
                    if why:
                        owner = _element_label(element.getparent())
                        problems.append(f"{owner} 的条件表达式「{element.text}」不可用：{why}")
                elif qname.localname == "script":
                    why = expression_problem(element.text, script=True)
                    if why:
                        owner = _element_label(element.getparent())
                        problems.append(f"{owner} 的脚本不可用：{why}")
            elif qname.namespace == SPIFF_NS:
                if qname.localname not in ALLOWED_SPIFF_ELEMENTS:
                    problems.append(
                        f"不支持的扩展 <spiffworkflow:{qname.localname}>：只允许 properties/property"
                    )
            elif not any(
                etree.QName(a).localname == "extensionElements"
                for a in element.iterancestors()
                if isinstance(a.tag, str)
            ):
                problems.append(f"不支持的元素 {element.tag}")
    return problems


def _spec_problems(spec) -> list[str]:
    problems = []
    for task_spec in spec.task_specs.values():
        label = f"「{task_spec.bpmn_name or task_spec.bpmn_id}」（{task_spec.bpmn_id}）"
        if isinstance(task_spec, UserTask):
            if not task_spec.bpmn_name:
                problems.append(
                    f"用户任务 {task_spec.bpmn_id} 缺少名称（name），待办列表需要显示它"
                )
            if task_spec.lane is None:
                problems.append(f"用户任务{label}不在任何泳道中：请放入以角色命名的泳道")
            elif role_for_lane(task_spec.lane) is None:
                known = "、".join(LANE_NAMES)
                problems.append(
                    f"用户任务{label}所在泳道「{task_spec.lane}」不是已知角色（可用：{known}）"
                )
            unknown = [a for a in task_actions(task_spec) if a not in ACTIONS]
            if unknown:
                problems.append(
                    f"用户任务{label}的 actions 属性含未知业务动作 {'、'.join(unknown)}"
                    f"（可用：{'、'.join(ACTIONS)}）"
                )
        elif isinstance(task_spec, EndEvent):
            outcome = properties(task_spec).get("outcome")
            if outcome not in OUTCOMES:
                problems.append(
                    f"结束事件{label}缺少 outcome 属性或取值不对（应为 approved 或 rejected）"
                )
    return problems


def parse(bpmn_xml: str | bytes, *, check: bool = True) -> ParsedProcess:
    """Parse a BPMN document into a runnable spec. With `check` (on upload) the document is also
    validated against the BPMN 2.0 schema and Tongban's rules; every problem found is listed in
    the ValidationError, in Chinese."""
    root = _read_xml(bpmn_xml)
    if check:
        try:
            VALIDATOR.validate(root)
        except ValidationException as err:
            line = getattr(err, "line_number", "") or ""
            raise ValidationError(f"不符合 BPMN 2.0 规范：第 {line} 行，{err}") from err
        problems = _structure_problems(root)
        if problems:
            raise ValidationError(problems)
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(root)
        process_ids = parser.get_process_ids()
        if len(process_ids) != 1:
            raise ValidationError("BPMN 文件必须恰好包含一个可执行的流程")
        process_id = process_ids[0]
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except (ValidationException, SpiffWorkflowException) as err:
        raise ValidationError(f"流程解析失败：{err}") from err
    if check:
        problems = _spec_problems(spec)
        if problems:
            raise ValidationError(problems)
    process = root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
    name = (process.get("name") if process is not None else "") or process_id
    parsed = ParsedProcess(process_id, name, spec, subprocess_specs)
    if check:
        try:
            parsed.new_workflow()
        except SpiffWorkflowException as err:
            raise ValidationError(f"流程无法实例化：{err}") from err
    return parsed


def dump(workflow) -> str:
    """The serialized state as JSON text, kept byte for byte: SpiffWorkflow rebuilds the task tree
    in the order it wrote it, and PostgreSQL's jsonb would re-sort the keys (parents can then come
    after their children and a multi-instance task loses its input)."""
    return SERIALIZER.serialize_json(workflow)


def load(state: str) -> BpmnWorkflow:
    workflow = SERIALIZER.deserialize_json(state)
    workflow.script_engine = script_engine()
    return workflow
