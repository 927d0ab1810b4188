import pytest
from django.urls import reverse

from tongban.catalog import actions
from tongban.catalog.models import ServiceItem
from tongban.core import demo as core_demo


@pytest.fixture
def gaoling(demo_catalog):
    item = ServiceItem.objects.select_related("current_version").get(
        basic_item__basic_code="050401001000", department=core_demo.department("mz")
    )
    version = item.current_version
    first, agent = list(version.questions.order_by("order"))
    return item, version, first, agent


def answers(question, text_start):
    option = next(o for o in question.options.all() if o.text.startswith(text_start))
    return question.pk, option.pk


def _materials(version, picks):
    from django.db.models import prefetch_related_objects

    from tongban.catalog.views import GUIDE_PREFETCH

    prefetch_related_objects([version], *GUIDE_PREFETCH)
    return actions.resolve_situation(version, dict(picks))


def test_first_application_in_person(gaoling):
    item, version, first, agent = gaoling
    guidance = _materials(version, [answers(first, "是"), answers(agent, "否")])
    assert guidance.handling_item.name == "高龄津贴首次申领"
    assert guidance.handling_item.code_for(item) == item.implementation_code + "01"
    assert [m.name for m in guidance.materials] == [
        "申请人居民身份证",
        "居民户口簿",
        "本人社会保障卡或银行卡",
        "高龄津贴申请审批表",
    ]
    id_card = guidance.materials[0]
    assert id_card.replaceable_by_licence_type == "居民身份证"


def test_resumption_through_an_agent(gaoling):
    _item, version, first, agent = gaoling
    guidance = _materials(version, [answers(first, "否"), answers(agent, "是")])
    assert guidance.handling_item.name == "高龄津贴停发后恢复发放"
    assert [m.name for m in guidance.materials] == [
        "申请人居民身份证",
        "高龄津贴申请审批表",
        "恢复发放申请及停发原因说明",
        "授权委托书",
        "受托人居民身份证",
    ]


def test_situation_page_shows_exact_materials(client, gaoling):
    item, _version, first, agent = gaoling
    url = reverse("catalog:situation", args=[item.implementation_code])
    page = client.get(url)
    assert page.status_code == 200
    assert "是否首次申请?" in page.content.decode()
    q1, o1 = answers(first, "是")
    q2, o2 = answers(agent, "是")
    html = client.get(url, {f"q{q1}": o1, f"q{q2}": o2}).content.decode()
    assert "高龄津贴首次申领" in html and "授权委托书" in html
    assert "恢复发放申请及停发原因说明" not in html
    assert item.implementation_code + "01" not in html  # the 业务办理项编码 is for staff
    partial = client.get(url, {f"q{q1}": o1}).content.decode()
    assert "请回答以下问题" in partial and f'href="#q{q2}"' in partial
    assert "<title>错误：" in partial


def test_situation_form_sent_empty_answers_with_the_error_summary(client, gaoling):
    """The form is novalidate: an empty answer gets the page's error summary, not a browser bubble."""
    item, _version, _first, _agent = gaoling
    url = reverse("catalog:situation", args=[item.implementation_code])
    html = client.get(url).content.decode()
    assert "novalidate" in html and " required" not in html
    empty = client.get(url, {"asked": "1"}).content.decode()
    assert "请回答以下问题" in empty and "请回答：是否首次申请?" in empty


def test_situation_page_refuses_a_question_the_guide_does_not_ask(client, gaoling):
    item, _version, first, agent = gaoling
    url = reverse("catalog:situation", args=[item.implementation_code])
    q1, o1 = answers(first, "是")
    q2, o2 = answers(agent, "否")
    html = client.get(url, {f"q{q1}": o1, f"q{q2}": o2, "q987654": "1"}).content.decode()
    assert "链接中的情形问题（987654）不属于本事项的现行指南" in html
    known = client.get(url, {f"q{q1}": o1, f"q{q2}": o2}).content.decode()
    assert "不属于本事项" not in known


def test_situation_api(client, gaoling):
    item, _version, first, agent = gaoling
    q1, o1 = answers(first, "否")
    q2, o2 = answers(agent, "否")
    response = client.post(
        reverse("api:catalog-item-situation", args=[item.implementation_code]),
        {"answers": {str(q1): o1, str(q2): o2}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["handling_item"]["code"] == item.implementation_code + "02"
    assert [m["name"] for m in body["materials"]] == [
        "申请人居民身份证",
        "高龄津贴申请审批表",
        "恢复发放申请及停发原因说明",
    ]
    assert body["unanswered"] == []


def test_a_published_versions_structure_is_read_once_then_kept(gaoling, django_assert_num_queries):
    _item, version, first, agent = gaoling
    actions.version_structure(version.pk)
    with django_assert_num_queries(1):  # only its publication time, to know it is still the same
        kept = actions.version_structure(version.pk)
    guidance = actions.resolve_situation(kept, dict([answers(first, "否"), answers(agent, "是")]))
    assert guidance.handling_item.name == "高龄津贴停发后恢复发放"
    assert "授权委托书" in [m.name for m in guidance.materials]


def test_a_drafts_structure_is_read_afresh_so_edits_show(department):
    from tongban.catalog.models import Material
    from tongban.testing.catalog import complete_item

    _item, draft = complete_item(department, materials=1)
    assert [m.name for m in actions.version_structure(draft.pk).materials.all()] == ["材料1"]
    Material.objects.create(version=draft, name="新增材料", order=2)
    names = [m.name for m in actions.version_structure(draft.pk).materials.all()]
    assert names == ["材料1", "新增材料"]


def test_each_reader_of_a_kept_structure_gets_its_own_instances(gaoling, django_assert_num_queries):
    """The process keeps a published version's structure as an immutable snapshot: what one
    request sets on the objects it was given is not what the next request reads."""
    _item, version, _first, _agent = gaoling
    one = actions.version_structure(version.pk)
    two = actions.version_structure(version.pk)
    first_material = one.materials.all()[0]
    first_material.name = "被一个请求改掉的名称"
    three = actions.version_structure(version.pk)
    with django_assert_num_queries(0):  # the related lists come prefetched
        names = [m.name for m in three.materials.all()]
        options = [o.text for q in three.questions.all() for o in q.options.all()]
        linked = [
            m.name
            for q in three.questions.all()
            for o in q.options.all()
            for m in o.materials.all()
        ]
        assert three.questions.all()[0].version is three
    assert "被一个请求改掉的名称" not in names and names[0] == two.materials.all()[0].name
    assert options and linked
    assert two is not one and two.materials.all()[0] is not first_material
