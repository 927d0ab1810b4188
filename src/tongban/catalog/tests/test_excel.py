import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tongban.accounts import actions as actions_accounts
from tongban.catalog import actions, excel
from tongban.catalog.models import BasicItem, ImportBatch, ItemVersion, ServiceItem
from tongban.core import testdata
from tongban.core.models import AuditRecord
from tongban.testing.catalog import basic_item, complete_item

BAD_ROWS = {5: "basic_code", 20: "limits", 40: "uscc"}  # 1-based data row → what is wrong


def _row(department, i, problem=None):
    row = {
        "basic_code": f"2001010{i:05d}",
        "name": f"导入测试事项{i}",
        "item_type": "20",
        "legal_basis": "《中华人民共和国行政许可法》",
        "service_object": "1",
        "department_uscc": department.uscc,
        "legal_limit": 20,
        "legal_limit_unit": "工作日",
        "promised_limit": 5,
        "promised_limit_unit": "工作日",
        "handling_type": "2",
        "handling_forms": "1,2",
        "is_online": "否",
        "max_visits": 1,
        "charges_fee": "否",
        "acceptance_conditions": "符合条件",
        "process": "申请\n受理\n办结",
        "result_name": "办理结果",
        "consult_phone": "0374-12345",
        "supervision_phone": "0374-12345",
        "office_hours": "工作日",
        "keywords": '=HYPERLINK("http://evil")' if i == 1 else "",
    }
    if problem == "basic_code":
        row["basic_code"] = "12345"
    elif problem == "limits":
        row["legal_limit"], row["promised_limit"] = 5, 10
    elif problem == "uscc":
        row["department_uscc"] = testdata.credit_code("11", "411000", 99)
    return row


def workbook_bytes(department, rows=50):
    wb = Workbook()
    ws = wb.active
    ws.append([header for _key, header in excel.COLUMNS])
    for i in range(1, rows + 1):
        data = _row(department, i, BAD_ROWS.get(i))
        ws.append([data.get(key, "") for key, _header in excel.COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _basic(name):
    return basic_item(
        "200101000001",
        name,
        item_type="20",
        legal_basis="《中华人民共和国行政许可法》",
        service_object="1",
    )


def test_import_validates_then_applies_good_rows_on_confirm(department, catalogue_admin):
    content = workbook_bytes(department)
    batch = excel.validate_workbook(
        actor=catalogue_admin, uploaded=content, original_name="catalog.xlsx"
    )
    assert batch.total_rows == 50 and batch.good_rows == 47
    assert [e["row"] for e in batch.errors] == [
        6,
        21,
        41,
    ]  # header is row 1, data row i is row i + 1
    reasons = {e["row"]: e["reasons"] for e in batch.errors}
    assert reasons[6] == ["基本编码应为12位，当前为5位"]
    assert reasons[21] == ["承诺办结时限不能长于法定办结时限"]
    assert reasons[41] == ["实施主体统一社会信用代码不是本平台已登记的部门"]
    assert (
        not ServiceItem.objects.exists() and not BasicItem.objects.exists()
    )  # nothing before confirm

    applied = excel.apply_batch(actor=catalogue_admin, batch=batch)
    assert applied == 47
    assert ServiceItem.objects.count() == 47
    assert (
        ItemVersion.objects.filter(status="draft").count() == 47
    )  # publishing stays a review step
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    with pytest.raises(ValidationError):
        excel.apply_batch(actor=catalogue_admin, batch=batch)


def test_reimport_updates_a_new_draft_of_published_items(department, catalogue_admin):
    _basic("导入测试事项1")
    item, draft = complete_item(department, code="200101000001", name="导入测试事项1")
    actions.publish(actor=catalogue_admin, version=draft)
    content = workbook_bytes(department, rows=1)
    batch = excel.validate_workbook(actor=catalogue_admin, uploaded=content, original_name="a.xlsx")
    assert batch.errors == []
    excel.apply_batch(actor=catalogue_admin, batch=batch)
    assert item.versions.count() == 2
    assert item.versions.get(status="draft").acceptance_conditions == "符合条件"


def test_locked_element_conflict_in_import(department, catalogue_admin):
    _basic("已有名称")
    batch = excel.validate_workbook(
        actor=catalogue_admin, uploaded=workbook_bytes(department, rows=1), original_name="a.xlsx"
    )
    assert batch.errors == [
        {"row": 2, "reasons": ["“事项名称”继承自基本目录事项，实施清单中不能修改"]}
    ]


def test_confirmed_batch_shows_progress_then_applies_in_background(
    department, catalogue_admin, eager_celery, django_capture_on_commit_callbacks, client
):
    batch = excel.validate_workbook(
        actor=catalogue_admin, uploaded=workbook_bytes(department, 12), original_name="a.xlsx"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        excel.confirm_batch(actor=catalogue_admin, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLYING and not ServiceItem.objects.exists()
    client.force_login(catalogue_admin)
    page = client.get(reverse("catalog_staff:import-batch", args=[batch.pk])).content.decode()
    assert (
        "正在导入：已完成 0 / 11 行" in page
        and '<progress id="import-progress" value="0" max="11">' in page
    )
    for callback in callbacks:
        callback()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and ServiceItem.objects.count() == 11
    assert excel.progress.get(batch.pk) is None


def test_failed_background_import_changes_nothing(department, catalogue_admin, other_department):
    batch = excel.validate_workbook(
        actor=catalogue_admin, uploaded=workbook_bytes(department, 3), original_name="a.xlsx"
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.APPLYING)
    catalogue_admin.staff_profile.department = other_department  # lost the right in the meantime
    catalogue_admin.staff_profile.save()
    excel.run_confirmed_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and not ServiceItem.objects.exists()
    assert batch.errors[0]["reasons"] == [
        "重新校验的结果与确认时不同（现有 3 行有误），未做任何修改，请重新上传"
    ]
    assert AuditRecord.objects.get(action="catalog.import_failed").detail["to"] == "failed"


def test_a_batch_being_applied_in_the_background_is_not_applied_again_by_hand(
    department, catalogue_admin, django_capture_on_commit_callbacks
):
    batch = excel.validate_workbook(
        actor=catalogue_admin, uploaded=workbook_bytes(department, 2), original_name="a.xlsx"
    )
    with django_capture_on_commit_callbacks(execute=False):
        excel.confirm_batch(actor=catalogue_admin, batch=batch)
    with pytest.raises(ValidationError) as refused:
        excel.apply_batch(actor=catalogue_admin, batch=batch)
    assert refused.value.message_dict == {
        "batch": ["导入批次从“正在导入”变为“已导入”须由其他人员办理，您不能操作"]
    }
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLYING and not ServiceItem.objects.exists()
    confirmed = AuditRecord.objects.get(action="catalog.import_confirmed")
    assert (confirmed.detail["from"], confirmed.detail["to"]) == ("validated", "applying")


def test_broken_file_changes_nothing(catalogue_admin):
    with pytest.raises(ValidationError) as exc:
        excel.validate_workbook(
            actor=catalogue_admin, uploaded=b"not a workbook", original_name="x.xlsx"
        )
    assert exc.value.message_dict["file"] == [excel.BROKEN_FILE]
    assert not ImportBatch.objects.exists()


def test_import_requires_catalogue_admin(staff_clerk, department):
    with pytest.raises(ValidationError):
        excel.validate_workbook(
            actor=staff_clerk, uploaded=workbook_bytes(department, 1), original_name="x.xlsx"
        )


def test_export_is_safe_against_formula_injection(department, catalogue_admin):
    for i, keywords in enumerate(["=1+1", "+SUM(A1)", "-2", "@cmd", "正常"], start=1):
        _item, draft = complete_item(
            department, code=f"20010100000{i}", name=f"导出事项{i}", keywords=keywords
        )
        actions.publish(actor=catalogue_admin, version=draft)
    sheet = load_workbook(io.BytesIO(excel.export_workbook())).active
    header = [c.value for c in sheet[1]]
    column = header.index("检索关键词")
    values = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert values == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "正常"]
    assert all(row[column].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_import_pages(
    client, department, catalogue_admin, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(catalogue_admin)
    upload = SimpleUploadedFile("catalog.xlsx", workbook_bytes(department))
    response = client.post(reverse("catalog_staff:import"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert (
        "第 6 行" in page
        and "承诺办结时限不能长于法定办结时限" in page
        and "确认导入 47 行正确数据" in page
    )
    assert not ServiceItem.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url)
    assert ServiceItem.objects.count() == 47
    done = client.get(response.url).content.decode()
    assert "已导入 47 行" in done
    broken = client.post(
        reverse("catalog_staff:import"), {"file": SimpleUploadedFile("x.xlsx", b"garbage")}
    )
    assert excel.BROKEN_FILE in broken.content.decode()
    export = client.get(reverse("catalog_staff:export"))
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def _signature(version: ItemVersion) -> dict:
    """Everything an exported workbook carries about a version, to compare two versions by."""
    return {
        "elements": {name: getattr(version, name) for name in ItemVersion.ELEMENT_FIELDS},
        "halls": sorted(h.pk for h in version.halls.all()),
        "handling": [(h.serial, h.name, h.description) for h in version.handling_items.all()],
        "materials": [
            (
                m.name,
                m.issuer,
                m.issue_time_requirement,
                m.original_count,
                m.copy_count,
                m.required,
                m.notes,
                m.allows_deficiency,
                m.commitment_replaceable,
                m.replaceable_by_licence_type,
                m.document_kind,
                sorted(h.serial for h in m.handling_items.all()),
            )
            for m in version.materials.all()
        ],
        "questions": [
            (
                q.text,
                [
                    (
                        o.text,
                        o.handling_item.serial if o.handling_item else "",
                        sorted(m.name for m in o.materials.all()),
                    )
                    for o in q.options.all()
                ],
            )
            for q in version.questions.all()
        ],
    }


@pytest.fixture
def guided_department(demo_catalog):
    """The demo department whose published items have situation questions, and its administrator."""
    item = (
        ServiceItem.objects.filter(current_version__questions__isnull=False)
        .select_related("department")
        .first()
    )
    admin = actions_accounts.create_staff(
        actor=None,
        login_name="roundtrip",
        display_name="事项管理员",
        department=item.department,
        roles=["catalogue_admin"],
        password="Tongban2026",
    )
    return item.department, admin


def test_an_exported_workbook_imports_back_to_the_same_catalogue(guided_department):
    department, admin = guided_department
    items = ServiceItem.objects.filter(department=department, current_version__isnull=False)
    content = excel.export_workbook(items)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["实施清单", "业务办理项", "申请材料", "情形引导"]
    assert book["情形引导"].max_row > 1 and book["申请材料"].max_row > 1
    batch = excel.validate_workbook(actor=admin, uploaded=content, original_name="导出.xlsx")
    assert batch.errors == [] and batch.good_rows == items.count()
    excel.apply_batch(actor=admin, batch=batch)
    for item in items:
        draft = item.versions.get(status="draft")
        assert _signature(draft) == _signature(item.current_version), item.implementation_code
        assert actions.diff_versions(item.current_version, draft) == []


def test_structure_rows_are_checked_row_by_row_before_anything_changes(guided_department):
    department, admin = guided_department
    item = ServiceItem.objects.filter(
        department=department, current_version__questions__isnull=False
    )[0]
    book = load_workbook(io.BytesIO(excel.export_workbook(ServiceItem.objects.filter(pk=item.pk))))
    materials, questions = book["申请材料"], book["情形引导"]
    materials.cell(row=2, column=5).value = "两份"  # 原件份数
    questions.cell(row=2, column=5).value = "不存在的材料"  # 需增加的材料
    materials.append(["X" * 31, "别的事项的材料", "", "", 1, 0, "是"])
    out = io.BytesIO()
    book.save(out)
    batch = excel.validate_workbook(actor=admin, uploaded=out.getvalue(), original_name="a.xlsx")
    assert batch.good_rows == 0
    reasons = {(e.get("sheet"), e["row"]): e["reasons"] for e in batch.errors}
    assert "“申请材料”表第2行：原件份数应为不小于0的整数" in reasons[(None, 2)]
    assert any("引用了不存在的材料 不存在的材料" in r for r in reasons[(None, 2)])
    orphan = reasons[("申请材料", materials.max_row)]
    assert orphan == [f"实施编码“{'X' * 31}”不在“实施清单”表中"]
    assert not item.versions.filter(status="draft").exists()


def test_a_workbook_without_structure_sheets_keeps_the_items_materials(guided_department):
    department, admin = guided_department
    item = ServiceItem.objects.filter(
        department=department, current_version__questions__isnull=False
    )[0]
    book = load_workbook(io.BytesIO(excel.export_workbook(ServiceItem.objects.filter(pk=item.pk))))
    for name in ("业务办理项", "申请材料", "情形引导"):
        del book[name]
    out = io.BytesIO()
    book.save(out)
    batch = excel.validate_workbook(actor=admin, uploaded=out.getvalue(), original_name="a.xlsx")
    excel.apply_batch(actor=admin, batch=batch)
    draft = item.versions.get(status="draft")
    assert _signature(draft) == _signature(item.current_version)


def test_an_unknown_place_or_nature_is_refused(guided_department):
    department, admin = guided_department
    item = ServiceItem.objects.filter(department=department, current_version__isnull=False)[0]
    book = load_workbook(io.BytesIO(excel.export_workbook(ServiceItem.objects.filter(pk=item.pk))))
    sheet = book["实施清单"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("办理地点") + 1).value = "月球政务服务中心"
    sheet.cell(row=2, column=header.index("实施主体性质代码") + 1).value = "5"
    out = io.BytesIO()
    book.save(out)
    batch = excel.validate_workbook(actor=admin, uploaded=out.getvalue(), original_name="a.xlsx")
    reasons = batch.errors[0]["reasons"]
    assert "实施主体性质代码应为1、2、3或9" in reasons
    assert "办理地点“月球政务服务中心”不是本平台已登记的服务大厅" in reasons


def _level_workbook(item, level) -> bytes:
    """The item exported, with its 网上申请所需实名认证等级 cell set to `level` (None: column removed)."""
    book = load_workbook(io.BytesIO(excel.export_workbook(ServiceItem.objects.filter(pk=item.pk))))
    sheet = book["实施清单"]
    header = [c.value for c in sheet[1]]
    column = header.index("网上申请所需实名认证等级") + 1
    if level is None:
        sheet.delete_cols(column)
    else:
        sheet.cell(row=2, column=column).value = level
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_required_real_name_level_travels_through_the_workbook(guided_department):
    department, admin = guided_department
    item = ServiceItem.objects.filter(department=department, current_version__isnull=False)[0]
    batch = excel.validate_workbook(
        actor=admin, uploaded=_level_workbook(item, 2), original_name="a.xlsx"
    )
    assert batch.errors == []
    excel.apply_batch(actor=admin, batch=batch)
    draft = item.versions.get(status="draft")
    assert draft.required_realname_level == 2
    exported = load_workbook(
        io.BytesIO(excel.export_workbook(ServiceItem.objects.filter(pk=item.pk)))
    )["实施清单"]
    header = [c.value for c in exported[1]]
    # the export shows the published version's level, the draft is not yet in force
    assert exported.cell(row=2, column=header.index("网上申请所需实名认证等级") + 1).value == (
        item.current_version.required_realname_level
    )


def test_a_wrong_real_name_level_is_refused_and_an_older_sheet_keeps_the_level(guided_department):
    department, admin = guided_department
    item = ServiceItem.objects.filter(department=department, current_version__isnull=False)[0]
    for bad, reason in (
        (5, "所需实名认证等级应为0（不要求）、1、2或3"),
        ("二级", "网上申请所需实名认证等级应为不小于0的整数"),
    ):
        batch = excel.validate_workbook(
            actor=admin, uploaded=_level_workbook(item, bad), original_name="a.xlsx"
        )
        assert batch.good_rows == 0 and reason in batch.errors[0]["reasons"]
    # a published level (set behind the service layer: published versions are immutable)
    ItemVersion.objects.filter(pk=item.current_version_id).update(required_realname_level=3)
    batch = excel.validate_workbook(
        actor=admin, uploaded=_level_workbook(item, None), original_name="a.xlsx"
    )
    excel.apply_batch(actor=admin, batch=batch)
    assert item.versions.get(status="draft").required_realname_level == 3
