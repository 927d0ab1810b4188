"""Catalogue staff add, change and remove the data items of a draft resource version on the staff
pages; a published version's items never change (a new draft is made first)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tongban.core.audit import AuditRecord
from tongban.exchange.actions import catalogue
from tongban.exchange.actions.catalogue import ItemSpec
from tongban.exchange.audit_actions import AuditAction
from tongban.exchange.models import DataItem

PAGES = "/workbench/exchange/resources"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def item_form(**changes) -> dict:
    data = {
        "code": "mz",
        "name": "民族",
        "item_type": "string",
        "code_table": "汉族|回族|满族",
        "description": "GB/T 3304 民族名称",
        "sensitivity": "sensitive",
        "personal": "on",
        "rule": "code_table",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def draft(population, data_admin):
    return catalogue.new_draft(actor=data_admin, resource=population, change_note="增加民族")


def codes(version) -> list[str]:
    return list(version.items.values_list("code", flat=True))


def test_staff_add_change_and_remove_items_of_a_draft_then_publish(population, draft, data_admin):
    client = login(data_admin)
    page = client.get(f"{PAGES}/{population.pk}/edit").content.decode()
    assert "新增信息项" in page and "修改 xm" in page

    response = client.post(f"{PAGES}/{population.pk}/items/new", item_form())
    assert response.status_code == 302
    added = draft.items.get(code="mz")
    assert (added.name, added.code_table, added.sensitivity, added.personal) == (
        "民族",
        "汉族|回族|满族",
        "sensitive",
        True,
    )
    assert codes(draft) == ["xm", "gmsfhm", "xb", "csrq", "mz"]

    edit = f"{PAGES}/{population.pk}/items/{added.pk}/edit"
    assert "汉族|回族|满族" in client.get(edit).content.decode()
    client.post(edit, item_form(name="民族名称", sensitivity="general", personal=None))
    added.refresh_from_db()
    assert (added.name, added.sensitivity, added.personal) == ("民族名称", "general", False)

    xb = draft.items.get(code="xb")
    client.post(f"{PAGES}/{population.pk}/items/{xb.pk}/remove")
    assert codes(draft) == ["xm", "gmsfhm", "csrq", "mz"]
    # the published version is untouched until the draft is published
    assert codes(population.current_version) == ["xm", "gmsfhm", "xb", "csrq"]

    client.post(f"{PAGES}/{population.pk}/publish")
    population.refresh_from_db()
    assert codes(population.current_version) == ["xm", "gmsfhm", "csrq", "mz"]

    notes = list(population.changes.values_list("note", flat=True))
    assert "新增信息项 mz（民族）" in notes
    assert "修改信息项 mz（民族名称）" in notes
    assert "删除信息项 xb（性别）" in notes
    audited = AuditRecord.objects.filter(action=AuditAction.RESOURCE_ITEMS_EDIT)
    assert sorted(r.detail["operation"] for r in audited) == ["add", "edit", "remove"]
    assert all(r.actor_id == data_admin.pk for r in audited)
    history = client.get(f"{PAGES}/{population.pk}/").content.decode()
    assert "删除信息项 xb（性别）" in history


def test_items_of_a_published_version_cannot_be_changed(population, data_admin):
    published = population.current_version
    xm = published.items.get(code="xm")
    with pytest.raises(ValidationError, match="请先新建草稿"):
        catalogue.add_item(actor=data_admin, version=published, spec=ItemSpec("mz", "民族"))
    with pytest.raises(ValidationError, match="请先新建草稿"):
        catalogue.update_item(actor=data_admin, item=xm, spec=ItemSpec("xm", "名字"))
    with pytest.raises(ValidationError, match="请先新建草稿"):
        catalogue.remove_item(actor=data_admin, item=xm)

    client = login(data_admin)
    # without a draft there is no page to add to; a forged post on a published item is refused
    assert client.get(f"{PAGES}/{population.pk}/items/new").status_code == 404
    page = client.post(
        f"{PAGES}/{population.pk}/items/{xm.pk}/edit",
        item_form(code="xm", name="名字"),
        follow=True,
    ).content.decode()
    assert "请先新建草稿" in page
    client.post(f"{PAGES}/{population.pk}/items/{xm.pk}/remove")
    assert codes(published) == ["xm", "gmsfhm", "xb", "csrq"]
    assert published.items.get(code="xm").name == "姓名"
    assert not AuditRecord.objects.filter(action=AuditAction.RESOURCE_ITEMS_EDIT).exists()


def test_a_duplicate_item_code_is_refused_with_a_reason(population, draft, data_admin):
    client = login(data_admin)
    page = client.post(
        f"{PAGES}/{population.pk}/items/new", item_form(code="xm", name="姓名二")
    ).content.decode()
    assert "本版本已有代码为 xm 的信息项" in page
    csrq = draft.items.get(code="csrq")
    with pytest.raises(ValidationError, match="本版本已有代码为 xb"):
        catalogue.update_item(
            actor=data_admin, item=csrq, spec=ItemSpec("xb", "出生日期", item_type="date")
        )
    assert codes(draft) == ["xm", "gmsfhm", "xb", "csrq"]
    # keeping its own code is not a duplicate
    catalogue.update_item(
        actor=data_admin, item=csrq, spec=ItemSpec("csrq", "出生年月日", item_type="date")
    )
    assert draft.items.get(code="csrq").name == "出生年月日"


@pytest.mark.parametrize(
    ("spec", "field", "reason"),
    [
        (ItemSpec("mz", "民族", item_type="blob"), "item_type", "数据类型 'blob' 无效"),
        (ItemSpec("mz", "民族", sensitivity="secret"), "sensitivity", "敏感级别 'secret' 无效"),
        (ItemSpec("", "民族"), "code", "请填写信息项代码"),
        (ItemSpec("民族", "民族"), "code", "以字母开头"),
        (ItemSpec("subject", "主体"), "code", "不能是 subject"),
        (ItemSpec("mz", " "), "name", "请填写信息项名称"),
        (ItemSpec("mz", "民族", rule="code_table"), "code_table", "必须填写代码表"),
        (ItemSpec("mz", "民族", description="长" * 201), "description", "最多 200 个字"),
    ],
)
def test_bad_items_are_refused_in_chinese(draft, data_admin, spec, field, reason):
    with pytest.raises(ValidationError) as refused:
        catalogue.add_item(actor=data_admin, version=draft, spec=spec)
    assert reason in " ".join(refused.value.message_dict[field])
    assert codes(draft) == ["xm", "gmsfhm", "xb", "csrq"]


def test_a_bad_type_posted_on_the_page_is_refused(population, draft, data_admin):
    response = login(data_admin).post(
        f"{PAGES}/{population.pk}/items/new", item_form(item_type="blob")
    )
    assert response.status_code == 200
    assert "field--invalid" in response.content.decode()
    assert not draft.items.filter(code="mz").exists()


def test_the_last_item_cannot_be_removed_and_others_may_not_edit(
    population, draft, data_admin, consumer_staff
):
    for item in list(draft.items.all())[1:]:
        catalogue.remove_item(actor=data_admin, item=item)
    with pytest.raises(ValidationError, match="至少要有一个信息项"):
        catalogue.remove_item(actor=data_admin, item=draft.items.get())
    assert draft.items.count() == 1
    # staff of another department (not the provider's data administrator) are turned away
    assert login(consumer_staff).get(f"{PAGES}/{population.pk}/items/new").status_code == 403
    assert DataItem.objects.filter(version=draft).count() == 1


def test_the_items_queries_keep_are_immutable_copies_shared_by_every_request(population):
    """Queries read a published version's items from this process's copy: the same copy for every
    request, which no request can change (a model instance could be changed by one request under
    another)."""
    import dataclasses

    from tongban.exchange.actions import query

    published = population.current_version
    first = query._items_of(published)
    assert [item.code for item in first] == ["xm", "gmsfhm", "xb", "csrq"]
    assert query._items_of(published) is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].required = not first[0].required
