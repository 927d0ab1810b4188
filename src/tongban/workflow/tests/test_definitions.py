"""Uploading processes: validation in Chinese, versions, templates, item choice, command, admin."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.core import statemachine
from tongban.core.models import AuditRecord
from tongban.core.statemachine import IllegalTransition
from tongban.testing.catalog import complete_item
from tongban.workflow import bpmn, definitions, engine, states
from tongban.workflow.models import ItemProcess, ProcessDefinition

pytestmark = pytest.mark.django_db

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="d" targetNamespace="https://tongban.example/bpmn">
"""

SHORT = (
    HEAD
    + """
  <bpmn:process id="short_promise" name="简易承诺件" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="承办"><bpmn:flowNodeRef>handle</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l2" name="approver"><bpmn:flowNodeRef>approve</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle" />
    <bpmn:userTask id="handle" name="承办" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="approve" />
    <bpmn:userTask id="approve" name="批准" />
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="outcome" value="approved" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
)

BROKEN_RULES = (
    HEAD
    + """
  <bpmn:process id="bad" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="l1" name="科长"><bpmn:flowNodeRef>handle</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle" />
    <bpmn:userTask id="handle" name="承办" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="check" />
    <bpmn:userTask id="check" name="复核" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" />
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression>__import__("os").system("id") == 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="gw" targetRef="call">
      <bpmn:conditionExpression>decision == "other"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:serviceTask id="call" />
    <bpmn:sequenceFlow id="f6" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
)


def test_shipped_templates_pass_validation_and_load_is_idempotent():
    for _key, (_name, filename) in definitions.TEMPLATES.items():
        bpmn.parse((definitions.TEMPLATE_DIR / filename).read_text(encoding="utf-8"))
    count = ProcessDefinition.objects.count()
    assert definitions.load_templates() == []
    assert definitions.load_templates(update=True) == []
    assert ProcessDefinition.objects.count() == count == 3


def test_broken_xml_is_refused_in_chinese_and_nothing_saved():
    before = ProcessDefinition.objects.count()
    with pytest.raises(ValidationError) as caught:
        definitions.upload_definition("promise", "<bpmn:definitions")
    assert "不是合法的 XML" in caught.value.messages[0]
    with pytest.raises(ValidationError, match=r"不符合 BPMN 2\.0 规范"):
        definitions.upload_definition("promise", HEAD + "<bpmn:nonsense/></bpmn:definitions>")
    assert ProcessDefinition.objects.count() == before


def test_rule_violations_are_all_listed():
    with pytest.raises(ValidationError) as caught:
        definitions.upload_definition("promise", BROKEN_RULES)
    text = "\n".join(caught.value.messages)
    assert "不支持的元素 <serviceTask>（id=call）" in text
    assert "条件表达式" in text and "__import__" in text
    assert ProcessDefinition.objects.filter(key="promise").count() == 1

    # Without the unsafe parts, the lane and end-event rules are reported.
    safe = BROKEN_RULES.replace('__import__("os").system("id") == 0', 'decision == "approve"')
    safe = safe.replace('<bpmn:serviceTask id="call" />', '<bpmn:userTask id="call" name="调用" />')
    with pytest.raises(ValidationError) as caught:
        definitions.upload_definition("promise", safe)
    text = "\n".join(caught.value.messages)
    assert "泳道「科长」不是已知角色" in text
    assert "用户任务「复核」（check）不在任何泳道中" in text
    assert "结束事件「end」（end）缺少 outcome 属性" in text
    assert ProcessDefinition.objects.filter(key="promise").count() == 1


@pytest.mark.parametrize(
    ("text", "script", "ok"),
    [
        ('decision == "approve"', False, True),
        ('"return" not in joint_decisions and len(joint_decisions) > 0', False, True),
        ("joint_decisions = []", True, True),
        ("decision.__class__", False, False),
        ("open('/etc/passwd')", False, False),
        ("_secret", False, False),
        ("import os", True, False),
        ("[x for x in y]", False, False),
    ],
)
def test_expression_whitelist(text, script, ok):
    assert (bpmn.expression_problem(text, script=script) is None) is ok


def test_bad_key_is_refused():
    with pytest.raises(ValidationError, match="流程标识"):
        definitions.upload_definition("承诺件", SHORT)


def test_replacement_is_a_new_version_used_by_new_instances_only():
    running = engine.start(subject=("cases.case", "1"), process_key="promise", data={})
    old = running.definition
    new = definitions.upload_definition("promise", SHORT)
    assert (new.version, new.status, new.process_id) == (2, "published", "short_promise")
    assert new.name == "简易承诺件"
    old.refresh_from_db()
    assert old.status == "retired"
    assert AuditRecord.objects.filter(action="workflow.definition.upload").exists()

    fresh = engine.start(subject=("cases.case", "2"), process_key="promise", data={})
    assert fresh.definition == new
    fresh = engine.complete(
        fresh, engine.ready_tasks(fresh)[0].task_id, action="approve", opinion="", actor_label="甲"
    )
    assert [t.role for t in engine.ready_tasks(fresh)] == ["approver"]

    # The running instance continues on version 1: 承办 → 审核 → 批准.
    for role in ["handler", "reviewer", "approver"]:
        (task,) = engine.ready_tasks(running)
        assert task.role == role
        running = engine.complete(
            running, task.task_id, action="approve", opinion="", actor_label="乙"
        )
    assert engine.outcome(running) == "approved"


def test_draft_upload_then_publish():
    draft = definitions.upload_definition("promise", SHORT, publish=False)
    assert draft.status == "draft"
    assert engine.published_definition("promise").version == 1
    definitions.publish_definition(draft)
    assert engine.published_definition("promise") == draft
    assert ProcessDefinition.objects.get(key="promise", version=1).status == "retired"
    retired = AuditRecord.objects.get(action="workflow.definition.retire")
    assert retired.detail == {"from": "published", "to": "retired", "key": "promise", "version": 1}


def test_a_draft_cannot_be_retired_and_a_retired_version_can_be_published_again():
    draft = definitions.upload_definition("promise", SHORT, publish=False)
    with pytest.raises(IllegalTransition) as refused:
        statemachine.transition(draft, "retired", machine=states.DEFINITION)
    assert refused.value.messages == ["审批流程当前状态为“草稿”，不能变为“已停用”"]
    draft.refresh_from_db()
    assert draft.status == "draft"

    definitions.publish_definition(draft)
    first = ProcessDefinition.objects.get(key="promise", version=1)
    assert first.status == "retired"
    definitions.publish_definition(first)
    draft.refresh_from_db()
    assert (draft.status, engine.published_definition("promise")) == ("retired", first)


def test_item_process_defaults_follow_handling_type(department):
    item, version = complete_item(department)
    item.current_version = version
    assert engine.process_key_for_item(item) == "promise"
    version.handling_type = "1"
    assert engine.process_key_for_item(item) == "instant"
    choice = ItemProcess.objects.create(item=item, process_key="joint")
    choice.joint_departments.add(department)
    assert engine.process_key_for_item(item) == "joint"
    assert list(choice.joint_departments.all()) == [department]
    choice = ItemProcess(item=item, process_key="missing")
    with pytest.raises(ValidationError, match="没有已发布的审批流程「missing」"):
        choice.clean()


def test_upload_command(tmp_path):
    path = tmp_path / "short.bpmn"
    path.write_text(SHORT, encoding="utf-8")
    call_command("workflow", "upload", "promise", str(path))
    assert engine.published_definition("promise").version == 2
    bad = tmp_path / "bad.bpmn"
    bad.write_text(BROKEN_RULES, encoding="utf-8")
    with pytest.raises(CommandError, match="BPMN 校验未通过"):
        call_command("workflow", "upload", "promise", str(bad))
    call_command("workflow", "load-templates")
    assert ProcessDefinition.objects.filter(key="promise").count() == 2


def test_admin_upload_goes_through_the_service(client, platform_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    platform_admin.is_superuser = True  # model permissions are granted per deployment
    platform_admin.save(update_fields=["is_superuser"])
    client.force_login(platform_admin)
    url = "/admin/workflow/processdefinition/add/"
    page = client.post(
        url,
        {
            "key": "promise",
            "name": "",
            "bpmn_xml": "",
            "publish": "on",
            "bpmn_file": SimpleUploadedFile("x.bpmn", BROKEN_RULES.encode()),
        },
    )
    assert page.status_code == 200
    assert "不支持的元素" in page.content.decode()
    assert ProcessDefinition.objects.filter(key="promise").count() == 1
    response = client.post(
        url,
        {
            "key": "promise",
            "name": "",
            "bpmn_xml": "",
            "publish": "on",
            "bpmn_file": SimpleUploadedFile("x.bpmn", SHORT.encode()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = engine.published_definition("promise")
    assert (new.version, new.uploaded_by) == (2, platform_admin)


def test_lanes_name_roles_in_chinese_whatever_language_the_uploader_reads():
    from django.utils import translation

    with translation.override("en"):
        assert bpmn.role_for_lane("承办") == "handler"
        assert bpmn.role_for_lane(" 批准 ") == "approver"
        assert bpmn.role_for_lane("reviewer") == "reviewer"
        assert bpmn.role_for_lane("Handler") is None
