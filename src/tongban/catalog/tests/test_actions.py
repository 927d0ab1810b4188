import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tongban.catalog import actions
from tongban.catalog.models import ItemVersion, ServiceItem
from tongban.core.models import AuditRecord
from tongban.testing.catalog import basic_item, complete_item
from tongban.testing.factories import staff

S = ItemVersion.Status


def test_create_item_generates_code_and_inherits_locked_elements(department):
    basic = basic_item()
    item = actions.create_item(actor=None, basic_item=basic, department=department)
    assert item.implementation_code == f"{department.uscc}3{basic.basic_code}"
    draft = item.versions.get()
    assert draft.status == S.DRAFT and draft.number == 1
    assert (draft.name, draft.legal_basis, draft.item_type) == (
        basic.name,
        basic.legal_basis,
        basic.item_type,
    )
    assert AuditRecord.objects.filter(action="catalog.create_item", object_id=str(item.pk)).exists()


def test_locked_element_cannot_differ(department):
    basic = basic_item()
    with pytest.raises(ValidationError) as exc:
        actions.create_item(
            actor=None, basic_item=basic, department=department, elements={"name": "改过的名称"}
        )
    assert exc.value.message_dict["name"] == ["“事项名称”继承自基本目录事项，实施清单中不能修改"]
    assert not ServiceItem.objects.exists()


def test_locked_elements_are_configurable(department, settings):
    settings.CATALOG_LOCKED_ELEMENTS = ["legal_basis"]
    item = actions.create_item(
        actor=None,
        basic_item=basic_item(),
        department=department,
        elements={"name": "示例许可事项（本地名称）"},
    )
    assert item.versions.get().name == "示例许可事项（本地名称）"


def test_invalid_basic_code_rejected(db):
    with pytest.raises(ValidationError) as exc:
        basic_item(code="ABC")
    assert exc.value.message_dict["basic_code"] == ["基本编码应为12位，当前为3位"]


def test_promised_longer_than_legal_rejected(department):
    _item, draft = complete_item(department)
    with pytest.raises(ValidationError) as exc:
        actions.update_draft(
            actor=None, version=draft, elements={"legal_limit": 5, "promised_limit": 10}
        )
    assert exc.value.message_dict["promised_limit"] == ["承诺办结时限不能长于法定办结时限"]


def test_a_refused_draft_is_explained_in_english(department):
    _item, draft = complete_item(department)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        actions.update_draft(
            actor=None, version=draft, elements={"legal_limit": 5, "promised_limit": 10}
        )
    assert exc.value.message_dict["promised_limit"] == [
        "The promised time limit cannot be longer than the statutory one"
    ]
    draft.refresh_from_db()
    assert draft.promised_limit != 10
    draft.refresh_from_db()
    assert (draft.legal_limit, draft.promised_limit) == (20, 5)
    # 15 natural days ≈ 10.7 working days: 10 working days fit, 11 do not
    actions.update_draft(
        actor=None,
        version=draft,
        elements={"legal_limit": 15, "legal_limit_unit": "N", "promised_limit": 10},
    )
    with pytest.raises(ValidationError):
        actions.update_draft(actor=None, version=draft, elements={"promised_limit": 11})


def test_publish_requires_catalogue_admin_of_the_department(
    department, staff_clerk, other_catalogue_admin, catalogue_admin
):
    item, draft = complete_item(department)
    for actor in (None, staff_clerk, other_catalogue_admin):
        with pytest.raises(ValidationError):
            actions.publish(actor=actor, version=draft)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    actions.publish(actor=catalogue_admin, version=draft)
    item.refresh_from_db()
    assert item.current_version_id == draft.pk
    assert AuditRecord.objects.filter(action="catalog.publish", object_id=str(draft.pk)).exists()


def test_incomplete_item_cannot_be_published(department, catalogue_admin):
    item = actions.create_item(actor=None, basic_item=basic_item(), department=department)
    draft = item.versions.get()
    with pytest.raises(ValidationError) as exc:
        actions.publish(actor=catalogue_admin, version=draft)
    errors = exc.value.message_dict
    assert errors["acceptance_conditions"] == ["发布前请填写受理条件"]
    assert errors["materials"] == ["发布前请至少填写一项申请材料"]
    draft.refresh_from_db()
    item.refresh_from_db()
    assert draft.status == S.DRAFT and item.current_version is None
    assert not AuditRecord.objects.filter(action="catalog.publish").exists()


def test_versions_history_is_append_only(department, catalogue_admin):
    item, v1 = complete_item(department)
    actions.publish(actor=catalogue_admin, version=v1)
    with pytest.raises(ValidationError):
        actions.update_draft(actor=catalogue_admin, version=v1, elements={"promised_limit": 3})
    v1.refresh_from_db()
    v1.promised_limit = 1
    with pytest.raises(ValidationError):
        v1.save()
    v2 = actions.new_draft(actor=catalogue_admin, item=item, change_note="压缩时限")
    assert v2.number == 2 and v2.materials.count() == 2
    with pytest.raises(ValidationError):  # one draft at a time
        actions.new_draft(actor=catalogue_admin, item=item)
    actions.update_draft(actor=catalogue_admin, version=v2, elements={"promised_limit": 3})
    actions.publish(actor=catalogue_admin, version=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == S.SUPERSEDED and v1.promised_limit == 5 and v1.valid_to is not None
    changes = actions.diff_versions(v1, v2)
    assert {"field": "promised_limit", "label": "承诺办结时限", "old": "5", "new": "3"} in changes
    item.refresh_from_db()
    assert item.current_version_id == v2.pk


def test_transition_table(department, catalogue_admin):
    item, v1 = complete_item(department)
    with pytest.raises(ValidationError) as exc:
        actions.withdraw(actor=catalogue_admin, version=v1, reason="测试")
    assert exc.value.message_dict["status"] == ["版本状态不能从“草稿”变为“已停用”"]
    v1 = actions.publish(actor=catalogue_admin, version=v1)
    with pytest.raises(ValidationError) as exc:
        actions.check_transition(v1, S.SUPERSEDED, catalogue_admin)
    assert exc.value.message_dict["status"] == ["“已被新版本替代”只能由系统设置"]
    with pytest.raises(ValidationError):
        actions.withdraw(actor=catalogue_admin, version=v1, reason="  ")
    actions.withdraw(actor=catalogue_admin, version=v1, reason="事项取消")
    item.refresh_from_db()
    assert item.current_version is None
    with pytest.raises(ValidationError):
        actions.publish(actor=catalogue_admin, version=v1)


def test_structure_validation(department):
    _item, draft = complete_item(department)
    with pytest.raises(ValidationError) as exc:
        actions.set_structure(
            actor=None,
            version=draft,
            handling_items=[("01", "新设", ""), ("01", "变更", "")],
            materials=[actions.MaterialSpec("申请书", handling_serials=("09",))],
            questions=[],
        )
    errors = exc.value.message_dict
    assert "业务办理项序号不能重复" in errors["handling_items"]
    assert errors["materials"] == ["材料“申请书”引用了不存在的业务办理项 09"]
    assert draft.materials.count() == 2  # unchanged


def test_with_four_eyes_on_the_draft_is_published_by_someone_who_did_not_edit_it(
    department, catalogue_admin, settings
):
    settings.CATALOG_PUBLISH_BY_SECOND_PERSON = True
    reviewer = staff(department, "catadmin-b", "catalogue_admin", display_name="复核管理员")
    item, draft = complete_item(department)
    actions.update_draft(actor=catalogue_admin, version=draft, elements={"promised_limit": 4})
    with pytest.raises(ValidationError) as exc:
        actions.publish(actor=catalogue_admin, version=draft)
    assert exc.value.message_dict["status"] == [
        "您创建或修改过这份草稿，须由本部门另一位事项管理员审核发布"
    ]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    actions.publish(actor=reviewer, version=draft)
    # the next draft is created by the reviewer: now the first administrator reviews it
    second = actions.new_draft(actor=reviewer, item=item)
    with pytest.raises(ValidationError):
        actions.publish(actor=reviewer, version=second)
    actions.publish(actor=catalogue_admin, version=second)
    item.refresh_from_db()
    assert item.current_version_id == second.pk


def test_without_four_eyes_one_administrator_edits_and_publishes(department, catalogue_admin):
    _item, draft = complete_item(department)
    actions.update_draft(actor=catalogue_admin, version=draft, elements={"promised_limit": 4})
    assert actions.publish(actor=catalogue_admin, version=draft).status == S.PUBLISHED


def test_a_process_posted_with_browser_line_ends_is_not_a_change(department, catalogue_admin):
    item, draft = complete_item(department, process="申请\n受理\n审查\n决定")
    actions.publish(actor=catalogue_admin, version=draft)
    second = actions.new_draft(actor=catalogue_admin, item=item)
    actions.update_draft(
        actor=catalogue_admin, version=second, elements={"process": "申请\r\n受理\r\n审查\r\n决定"}
    )
    second.refresh_from_db()
    assert second.process == "申请\n受理\n审查\n决定"
    assert actions.diff_versions(draft, second) == []
