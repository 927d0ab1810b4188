from tongban.catalog import actions, search
from tongban.catalog.models import ServiceItem
from tongban.testing.catalog import complete_item


def names(query, n=3):
    ids = search.search(query)[:n]
    items = ServiceItem.objects.select_related("current_version").in_bulk(ids)
    return [items[pk].current_version.name for pk in ids]


def test_chinese_and_pinyin_find_gaoling_jintie_first(demo_catalog):
    assert names("高龄")[0] == "高龄津贴申领"
    assert names("gljt")[0] == "高龄津贴申领"
    assert names("GLJT")[0] == "高龄津贴申领"
    assert names("gaoling")[0] == "高龄津贴申领"
    assert names("津贴")[0] == "高龄津贴申领"  # partial word inside the name
    assert names("老年人补贴")[0] == "高龄津贴申领"  # keyword
    assert names("食品经营")[0] == "食品经营许可"
    assert names("spjy")[0] == "食品经营许可"
    assert "公共场所卫生许可" in names("卫生许可", 5)
    assert names("公积金 贷款")[0] == "住房公积金贷款"  # words in any order / with spaces
    assert search.search("") == []
    assert search.search("zzzzqqq") == []


def test_index_follows_publication(department, catalogue_admin):
    assert search.search("示例许可") == []
    item, draft = complete_item(department)
    assert search.search("示例许可") == []  # drafts are not searchable
    actions.publish(actor=catalogue_admin, version=draft)
    assert search.search("示例许可") == [item.pk]
    assert search.search("slxk") == [item.pk]
    item.refresh_from_db()
    actions.withdraw(actor=catalogue_admin, version=item.current_version, reason="事项取消")
    assert search.search("示例许可") == []


def test_code_search(demo_catalog):
    item = ServiceItem.objects.filter(basic_item__basic_code="050401001000").first()
    assert item.pk in search.search(item.implementation_code)
