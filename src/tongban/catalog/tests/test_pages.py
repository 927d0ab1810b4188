import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.catalog import actions
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo
from tongban.testing.catalog import complete_item
from tongban.testing.factories import staff

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def _guide_url(item):
    return reverse("catalog:guide", args=[item.implementation_code])


def test_guide_page_shows_every_element(client, demo_catalog):
    item = ServiceItem.objects.get(
        basic_item__basic_code="050401001000", department=core_demo.department("mz")
    )
    html = client.get(_guide_url(item)).content.decode()
    for text in (
        "高龄津贴申领",
        "《河南省老年人权益保障条例》",
        "法定办结时限",
        "20 工作日",
        "承诺办结时限",
        "受理条件",
        "办理流程",
        "申请人居民身份证",
        "可用电子证照“居民身份证”代替",
        "许昌市政务服务中心",
        "咨询电话",
        "监督电话",
        "常见问题",
        "业务办理项",
        item.implementation_code + "01",
        "回答几个问题",
        "打印指南",
    ):
        assert text in html, text
    summary = html[html.index("办事一览") : html.index('id="materials"')]
    for text in ("需要带什么", "多久办好", "承诺 10 个工作日内办结", "跑几次", "在哪办", "不收费"):
        assert text in summary, text
    assert "实施编码" not in summary  # the codes wait, folded, in 事项详情
    details = html[html.index('id="details"') :]
    assert "实施编码" in details and item.implementation_code + "01" in details
    assert "onclick" not in html  # printing is wired up by the page's script file (CSP)
    client.get(_guide_url(item))  # served from the page cache: still counted
    actions.flush_view_counts()
    item.refresh_from_db()
    assert item.view_count == 2


def test_guide_page_shows_the_implementers_nature_and_when_a_material_must_be_issued(
    client, demo_catalog
):
    from tongban.catalog.models import Material

    material = Material.objects.get(
        name="无犯罪记录证明", version__status="published", issue_time_requirement__gt=""
    )
    version = material.version
    version.__class__.objects.filter(pk=version.pk).update(implementer_nature=3)
    html = client.get(_guide_url(version.item)).content.decode()
    assert "出具时间要求：申请前3个月内出具" in html
    assert f"{version.item.department.name}（受委托组织）" in html


def test_guide_page_query_count_is_fixed(
    client, department, catalogue_admin, django_assert_max_num_queries, settings, monkeypatch
):
    # The live view (as signed-in people get it), with the cache outside the database.
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": LOCMEM}}
    monkeypatch.setattr("tongban.catalog.pagecache._cacheable", lambda request: False)
    small, draft = complete_item(department, code="010101001000", name="甲事项", materials=1)
    actions.publish(actor=catalogue_admin, version=draft)
    large, draft = complete_item(department, code="010101002000", name="乙事项", materials=25)
    actions.publish(actor=catalogue_admin, version=draft)
    client.get(_guide_url(small))  # warm caches (content types, sessions)
    with django_assert_max_num_queries(9) as small_queries:
        assert client.get(_guide_url(small)).status_code == 200
    with django_assert_max_num_queries(9) as large_queries:
        assert client.get(_guide_url(large)).status_code == 200
    assert len(small_queries) == len(large_queries)


def test_unknown_or_withdrawn_item_is_404(client, department, catalogue_admin):
    item, draft = complete_item(department)
    assert client.get(_guide_url(item)).status_code == 404  # draft only
    actions.publish(actor=catalogue_admin, version=draft)
    assert client.get(_guide_url(item)).status_code == 200
    item.refresh_from_db()
    actions.withdraw(actor=catalogue_admin, version=item.current_version, reason="取消")
    assert client.get(_guide_url(item)).status_code == 404


def test_qr_code_links_to_guide(client, settings, department, catalogue_admin):
    item, draft = complete_item(department)
    actions.publish(actor=catalogue_admin, version=draft)
    response = client.get(reverse("catalog:qr", args=[item.implementation_code]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content


def test_browse_and_search_pages(client, demo_catalog):
    index = client.get(reverse("catalog:index")).content.decode()
    assert (
        "热门事项" in index
        and "生育收养" in index
        and "开办企业" in index
        and "许昌市民政局" in index
    )
    elderly = client.get(reverse("catalog:index"), {"theme": "elderly"}).content.decode()
    assert "高龄津贴申领" in elderly and "公共场所卫生许可" not in elderly
    region = client.get(reverse("catalog:index"), {"region": "411081"}).content.decode()
    assert "禹州市民政局" in region and "许昌市卫生健康委员会" not in region
    for q in ("高龄", "gljt"):
        html = client.get(reverse("catalog:search"), {"q": q}).content.decode()
        first = html.find('class="catalog-list__name"')
        assert "高龄津贴申领" in html[first : first + 200]


@pytest.fixture
def staff_client(client, catalogue_admin):
    client.force_login(catalogue_admin)
    return client


def test_staff_publish_flow_and_history(staff_client, department):
    item, _draft = complete_item(department)
    listing = staff_client.get(reverse("catalog_staff:items")).content.decode()
    assert "示例许可事项" in listing and "有草稿" in listing
    detail_url = reverse("catalog_staff:item", args=[item.pk])
    assert "审核通过并发布" in staff_client.get(detail_url).content.decode()
    # One click does not publish: the confirmation box is required, by the server too.
    refused = staff_client.post(reverse("catalog_staff:publish", args=[item.pk]), follow=True)
    assert "请先勾选“我已核对草稿内容和版本变化”，再发布" in refused.content.decode()
    item.refresh_from_db()
    assert item.current_version is None
    staff_client.post(reverse("catalog_staff:publish", args=[item.pk]), {"confirm": "yes"})
    item.refresh_from_db()
    assert item.current_version is not None
    staff_client.post(
        reverse("catalog_staff:new-draft", args=[item.pk]), {"change_note": "压缩时限"}
    )
    edit_url = reverse("catalog_staff:edit", args=[item.pk])
    form = staff_client.get(edit_url)
    assert form.status_code == 200
    limits = next(s["form"] for s in form.context["sections"] if s["key"] == "limits")
    data = {f"limits-{k}": v for k, v in limits.initial.items() if v is not None}
    data.update({"section": "limits", "limits-promised_limit": 30})
    bad = staff_client.post(edit_url, data)
    assert "承诺办结时限不能长于法定办结时限" in bad.content.decode()
    data["limits-promised_limit"] = 3
    assert staff_client.post(edit_url, data).status_code == 302
    html = staff_client.get(detail_url).content.decode()
    assert "第 1 版 → 第 2 版的变化" in html and "承诺办结时限" in html


def test_with_four_eyes_the_editor_is_told_a_second_administrator_publishes(
    staff_client, department, catalogue_admin, settings
):
    settings.CATALOG_PUBLISH_BY_SECOND_PERSON = True
    item, draft = complete_item(department)
    actions.update_draft(actor=catalogue_admin, version=draft, elements={"promised_limit": 4})
    detail_url = reverse("catalog_staff:item", args=[item.pk])
    page = staff_client.get(detail_url).content.decode()
    # The editor reads why before clicking, and is offered no publish button.
    assert "您创建或修改过这份草稿，须由本部门另一位事项管理员审核发布" in page
    assert "审核通过并发布" not in page
    # A post from an old tab is refused by the service layer, with the same words.
    refused = staff_client.post(
        reverse("catalog_staff:publish", args=[item.pk]), {"confirm": "yes"}, follow=True
    )
    assert "须由本部门另一位事项管理员审核发布" in refused.content.decode()
    item.refresh_from_db()
    assert item.current_version is None
    reviewer = staff(department, "catadmin-b", "catalogue_admin", display_name="复核管理员")
    staff_client.force_login(reviewer)
    page = staff_client.get(detail_url).content.decode()
    assert "审核通过并发布" in page and "data-four-eyes" not in page
    staff_client.post(reverse("catalog_staff:publish", args=[item.pk]), {"confirm": "yes"})
    item.refresh_from_db()
    assert item.current_version_id == draft.pk


def test_staff_pages_need_catalogue_role(client, staff_clerk, department, other_catalogue_admin):
    item, _draft = complete_item(department)
    assert client.get(reverse("catalog_staff:items")).status_code == 302  # to login
    client.force_login(staff_clerk)
    assert client.get(reverse("catalog_staff:items")).status_code == 403
    client.force_login(other_catalogue_admin)
    assert client.get(reverse("catalog_staff:item", args=[item.pk])).status_code == 403
    assert client.post(reverse("catalog_staff:publish", args=[item.pk])).status_code == 403


def test_staff_create_item_and_edit_materials(staff_client, department):
    from tongban.testing.catalog import basic_item

    basic = basic_item()
    response = staff_client.post(
        reverse("catalog_staff:new"), {"basic_item": basic.pk, "department": department.pk}
    )
    assert response.status_code == 302
    item = ServiceItem.objects.get(basic_item=basic, department=department)
    again = staff_client.post(
        reverse("catalog_staff:new"), {"basic_item": basic.pk, "department": department.pk}
    )
    assert "该部门已实施此基本目录事项" in again.content.decode()

    url = reverse("catalog_staff:materials", args=[item.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    management = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    material = {
        "form-0-order": "1",
        "form-0-name": "申请人居民身份证",
        "form-0-issuer": "公安机关",
        "form-0-original_count": "1",
        "form-0-copy_count": "0",
        "form-0-required": "on",
        "form-0-replaceable_by_licence_type": "居民身份证",
    }
    fake = SimpleUploadedFile("form.pdf", b"MZ this is not a pdf")
    bad = staff_client.post(url, {**management, **material, "form-0-blank_form": fake})
    assert "只能上传 PDF、Word 或 Excel 文件" in bad.content.decode()
    pdf = SimpleUploadedFile("form.pdf", b"%PDF-1.4 minimal")
    assert (
        staff_client.post(url, {**management, **material, "form-0-blank_form": pdf}).status_code
        == 302
    )
    saved = item.versions.get().materials.get()
    assert saved.replaceable_by_licence_type == "居民身份证" and saved.blank_form
    from tongban.testing.catalog import COMPLETE

    draft = item.versions.get()
    actions.update_draft(actor=None, version=draft, elements=COMPLETE)
    published = staff_client.post(
        reverse("catalog_staff:publish", args=[item.pk]), {"confirm": "yes"}
    )
    assert published.status_code == 302
    download = staff_client.get(reverse("catalog:material-file", args=[saved.pk, "form"]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert (
        staff_client.get(reverse("catalog:material-file", args=[saved.pk, "sample"])).status_code
        == 404
    )


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_staff_edits_handling_items_and_situations(staff_client, department):
    from tongban.catalog.models import HandlingItem, SituationOption, SituationQuestion

    item, draft = complete_item(department)
    url = reverse("catalog_staff:situations", args=[item.pk])
    assert staff_client.get(url).status_code == 200
    duplicate = {
        "part": "handling",
        **_management("handling", 2),
        "handling-0-serial": "01",
        "handling-0-name": "新设",
        "handling-1-serial": "01",
        "handling-1-name": "注销",
    }
    assert "业务办理项序号不能重复" in staff_client.post(url, duplicate).content.decode()
    bad_serial = {**duplicate, "handling-1-serial": "1"}
    assert "序号应为01至99的两位数字" in staff_client.post(url, bad_serial).content.decode()
    ok = {**duplicate, "handling-1-serial": "02"}
    assert staff_client.post(url, ok).status_code == 302
    assert list(draft.handling_items.values_list("serial", flat=True)) == ["01", "02"]
    question = {
        "part": "questions",
        **_management("questions", 1),
        "questions-0-order": "1",
        "questions-0-text": "您要办理哪种业务?",
    }
    assert staff_client.post(url, question).status_code == 302
    q = SituationQuestion.objects.get(version=draft)
    new, cancel = HandlingItem.objects.filter(version=draft).order_by("serial")
    material = draft.materials.first()
    options = {
        "part": "options",
        **_management("options", 2),
        "options-0-question": q.pk,
        "options-0-order": "1",
        "options-0-text": "新设",
        "options-0-handling_item": new.pk,
        "options-0-materials": [material.pk],
        "options-1-question": q.pk,
        "options-1-order": "2",
        "options-1-text": "注销",
        "options-1-handling_item": cancel.pk,
    }
    assert staff_client.post(url, options).status_code == 302
    assert SituationOption.objects.filter(question=q).count() == 2
    detail = staff_client.get(reverse("catalog_staff:item", args=[item.pk])).content.decode()
    assert "审核通过并发布" in detail  # every 业务办理项 is reachable: publishable


def test_guide_offers_a_qr_code_only_for_an_address_a_phone_can_open(
    client, demo_catalog, settings
):
    item = ServiceItem.objects.get(
        basic_item__basic_code="050401001000", department=core_demo.department("mz")
    )
    qr = reverse("catalog:qr", args=[item.implementation_code])
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert qr not in client.get(_guide_url(item), {"v": "1"}).content.decode()
    settings.SITE_URL = "https://zwfw.example.gov.cn"
    assert qr in client.get(_guide_url(item), {"v": "2"}).content.decode()


def test_conditional_materials_are_not_labelled_required(client, demo_catalog):
    item = ServiceItem.objects.get(
        basic_item__basic_code="050401001000", department=core_demo.department("mz")
    )
    html = client.get(_guide_url(item)).content.decode()
    row = html[html.index(">授权委托书<") : html.index(">受托人居民身份证<")]
    assert "视情形提供" in row and "选择“是，委托他人”时" in row and ">必备<" not in row


def test_blank_form_the_guide_promises_can_be_downloaded(client, demo_catalog):
    from tongban.catalog.models import Material

    material = Material.objects.filter(
        name="高龄津贴申请审批表", version__status="published"
    ).first()
    response = client.get(reverse("catalog:material-file", args=[material.pk, "form"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_search_without_result_says_so_and_same_names_show_where(client, demo_catalog):
    nothing = client.get(reverse("catalog:search"), {"q": "不存在的事项名称"}).content.decode()
    assert "没有找到与“不存在的事项名称”相关的事项" in nothing
    assert "请输入要查找的事项" not in nothing
    found = client.get(reverse("catalog:search"), {"q": "高龄"}).content.decode()
    assert found.count('class="catalog-list__where"') >= 2
    assert "许昌市 · 市级" in found


def test_search_groups_items_of_the_same_name_and_says_where_each_is(client, demo_catalog):
    import re

    html = client.get(reverse("catalog:search"), {"q": "高龄"}).content.decode()
    groups = html.split("data-group>")[1:]
    assert len(groups) == 1  # four 高龄津贴申领 (city, districts, a 街道): one entry
    group = groups[0].split("</ul>")[0]
    assert group.count("高龄津贴申领") == 1  # the name once, then where
    assert "个地方都可以办理，请选择您户籍或居住地所在的一个" in group
    places = re.findall(r'class="catalog-list__where">([^<]+)<', group)
    assert len(places) >= 3 and len(set(places)) == len(places)  # each names its place
    assert places[0] == "许昌市 · 市级"  # the higher level first
    links = re.findall(r'href="(/[^"]+)"', group)
    assert len(set(links)) == len(places)  # each place opens its own guide
    assert "共找到" in html and "个事项" in html


def test_search_page_input_has_a_visible_edge_and_room_below(client, demo_catalog):
    """The hero's white-bordered box on the light search page needs a dark edge of its own."""
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    html = client.get(reverse("catalog:search"), {"q": "高龄"}).content.decode()
    assert 'class="search search--page"' in html and "catalog/catalog.css" in html
    css = Path(finders.find("catalog/catalog.css")).read_text(encoding="utf-8")
    edge = re.search(r"\.search--page \.search__input\s*\{([^}]*)\}", css)
    assert edge and re.search(r"border:\s*2px solid var\(--text\)", edge[1])
    gap = re.search(r"\.search--page\s*\{([^}]*)\}", css)
    assert gap and "margin-bottom: 1.5rem" in gap[1]
