import pytest
from django.core.exceptions import ValidationError

from tongban.applications import demo, formdefs, formlib


def test_standard_and_demo_forms_are_valid_definitions():
    for build in (
        formlib.standard_definition,
        demo.elderly_allowance_form,
        demo.public_venue_hygiene_form,
    ):
        formdefs.check_definition(*build())


def test_broken_definitions_are_explained_in_chinese():
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "nonsense"}}}
    layout = {"sections": [{"title": "一", "fields": ["a", "c", "a"]}], "widgets": {"a": "slider"}}
    with pytest.raises(ValidationError) as caught:
        formdefs.check_definition(schema, layout)
    text = " ".join(caught.value.messages)
    assert "不是有效的 JSON Schema" in text
    assert "布局引用了不存在的字段：c" in text
    assert "没有放入任何分节：b" in text
    assert "字段重复出现在多个分节：a" in text
    assert "不支持的控件：slider" in text


def test_elderly_allowance_rules():
    schema, layout = demo.elderly_allowance_form()
    data = {
        "applicant_kind": "person",
        "has_agent": False,
        "living_alone": False,
        "bank_account": "12ab",
        "guardian_phone": "12345",
    }
    errors = formdefs.validate(schema, layout, data, only=layout["sections"][1]["fields"])
    assert errors["bank_account"] == "银行账号应为16至19位数字"
    assert errors["guardian_phone"] == "手机号码应为以1开头的11位数字"
    assert errors["guardian_name"] == "请填写赡养人姓名"
    alone = formdefs.validate(
        schema, layout, {**data, "living_alone": True}, only=["guardian_name"]
    )
    assert alone == {}


def test_identifier_fields_use_the_platform_rules():
    schema, layout = formlib.standard_definition()
    data = {"applicant_kind": "person", "applicant_id_number": "11010519491231002X"[:-1] + "1"}
    assert formdefs.validate(schema, layout, data, only=["applicant_id_number"]) == {
        "applicant_id_number": "身份证号码最后一位不对，请核对"
    }


def test_numbers_typed_as_text_are_kept_and_reported():
    schema, _layout = demo.public_venue_hygiene_form()
    prop = schema["properties"]["staff_count"]
    assert formdefs.coerce(prop, "12") == 12
    assert formdefs.coerce(prop, "十二") == "十二"
    assert formdefs.error_for(prop, "十二", required=True) == "请填写整数"
    assert (
        formdefs.error_for(schema["properties"]["floor_area"], 0.5, required=True) == "不能小于 1"
    )


@pytest.mark.django_db
def test_publishing_a_form_retires_the_previous_version_which_is_never_published_again(
    published_item, platform_admin
):
    from tongban.applications import actions
    from tongban.applications.models import ApplicationForm
    from tongban.applications.states import FORM
    from tongban.core.models import AuditRecord
    from tongban.core.statemachine import IllegalTransition, transition

    first = actions.published_form(published_item)
    schema, layout = formlib.standard_definition()
    second = actions.publish_form(
        actor=platform_admin, service_item=published_item, schema=schema, layout=layout
    )
    first.refresh_from_db()
    assert (first.status, second.status) == ("retired", "published")
    retired = AuditRecord.objects.get(action="applications.form_retired")
    assert retired.actor == platform_admin and retired.detail["version"] == first.version

    with pytest.raises(IllegalTransition, match="申请表单当前状态为“已停用”，不能变为“已发布”"):
        transition(first, ApplicationForm.Status.PUBLISHED, machine=FORM)
    first.refresh_from_db()
    assert first.status == "retired"
