"""The catalogue administrator's workbench (issue 31), at PC and phone size, with the four-eyes rule
on: the demo 事项管理员 opens a published 市场监管 item, starts a new draft (the message and the
page point to the workbench editors, not the Django admin), saves the 受理条件与办理流程 section
without changing it, and reads on the item page that nothing changed and that another
administrator publishes; a second administrator of the department ticks the confirmation and
publishes."""

import pytest
from journeys import SIZES, follow

from tongban.accounts.models import User
from tongban.accounts.permissions import staff_department_id
from tongban.catalog.models import ServiceItem
from tongban.core.models import Department
from tongban.testing.factories import staff


@pytest.mark.parametrize("size", SIZES)
def test_a_draft_saved_unchanged_is_no_change_and_a_second_administrator_publishes(
    journey, settings, size
):
    settings.CATALOG_PUBLISH_BY_SECOND_PERSON = True
    department = Department.objects.get(
        pk=staff_department_id(User.objects.get(login_name="catalog"))
    )
    staff(department, "catalog2", "catalogue_admin", display_name="事项复核员")
    item = (
        ServiceItem.objects.filter(department=department, current_version__isnull=False)
        .order_by("pk")
        .first()
    )
    published = item.current_version.number
    item_page = f"/workbench/catalog/items/{item.pk}/"

    editor = journey(size, "editor")
    editor.login("catalog")
    editor.go(item_page)
    editor.page.fill("#change_note", "核对办理流程")
    follow(editor, editor.page.get_by_role("button", name="新建草稿版本"))
    text = editor.text()
    # The message sends people to the editors on this page, not to the Django admin.
    assert f"已创建草稿第 {published + 1} 版：请在下方编辑要素、申请材料和情形引导" in text
    assert "可在管理后台编辑" not in text and "在管理后台编辑" not in text  # nor the page's links
    editor.shot("draft-created")

    follow(editor, editor.page.get_by_role("link", name="编辑草稿要素"))
    section = editor.page.locator("[data-section=process]")
    assert section.locator("textarea[name=process-process]").input_value().strip()
    follow(editor, section.get_by_role("button", name="保存“受理条件与办理流程”"))
    assert "“受理条件与办理流程”已保存" in editor.text()
    editor.shot("process-saved-unchanged")

    editor.go(item_page)
    history = editor.page.locator("section", has_text="版本历史").inner_text()
    latest = history.split(f"第 {published} 版 → 第 {published + 1} 版的变化")[1].split("版的变化")[
        0
    ]
    assert "内容没有变化" in latest and "办理流程" not in latest
    notice = editor.page.locator("[data-four-eyes]")
    assert "须由本部门另一位事项管理员审核发布" in notice.inner_text()
    assert editor.page.get_by_role("button", name="审核通过并发布").count() == 0
    editor.shot("editor-cannot-publish")
    editor.elderly()
    editor.shot("editor-cannot-publish-elderly")

    reviewer = journey(size, "reviewer")
    reviewer.login("catalog2")
    reviewer.go(item_page)
    assert reviewer.page.locator("[data-four-eyes]").count() == 0
    reviewer.page.get_by_label("我已核对草稿内容和下方的版本变化，确认发布").check()
    reviewer.shot("reviewer-confirms")
    follow(reviewer, reviewer.page.get_by_role("button", name="审核通过并发布"))
    assert f"已发布第 {published + 1} 版" in reviewer.text()
    reviewer.shot("published")
    item.refresh_from_db()
    assert item.current_version.number == published + 1
