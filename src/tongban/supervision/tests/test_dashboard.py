import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tongban.cases import actions
from tongban.supervision import summary
from tongban.supervision.tests.conftest import D, accepted, approve_all, at, staff

pytestmark = pytest.mark.django_db
URL = "supervision:dashboard"


@pytest.fixture
def figures(citizen, team, promise_item):
    cases = [accepted(citizen, promise_item, team, D(2026, 11, 2)) for _ in range(2)]
    with at(D(2026, 11, 2)):
        for application in cases:
            approve_all(application, team)
    with at(D(2026, 11, 4)):
        actions.complete(application=cases[0], actor=team["clerk"])
    with at(D(2026, 11, 11)):
        actions.complete(application=cases[1], actor=team["clerk"])
    summary.fold()
    return cases


def _get(client, user, **params):
    client.force_login(user)
    with at(D(2026, 11, 20)):
        return client.get(reverse(URL), {"start": "2026-11-01", "end": "2026-11-30", **params})


def test_supervisor_filters_a_department_and_sees_each_chart_with_its_table(
    client, figures, team, department
):
    response = _get(client, team["supervisor"], department=department.pk)
    page = response.content.decode()
    assert response.status_code == 200
    for title in (
        "办件状态分布",
        "网上可办率",
        "按时办结率、超期与预警",
        "事项平均用时",
        "好差评",
        "智能秒批",
        "高效办成一件事",
        "数据共享调用",
        "12345 工单",
        "政务大厅",
        "免申即享",
    ):
        assert title in page
    assert "50.0" in page  # one of two completed on time
    assert 'id="chart-timeliness" type="application/json"' in page
    assert "<script>" not in page and " style=" not in page  # CSP: no inline script or style
    assert "echarts-5.6.0.min.js" in page


def test_excel_export_has_the_same_table(client, figures, team, department):
    client.force_login(team["supervisor"])
    with at(D(2026, 11, 20)):
        response = client.get(
            reverse("supervision:export", args=["timeliness"]),
            {"start": "2026-11-01", "end": "2026-11-30"},
        )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.values)
    assert rows[2][:4] == ("部门", "办件数", "办结数", "按时办结率（%）")
    assert rows[3][:4] == (department.name, 2, 2, 50.0)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01"}, "开始日期格式不正确"),
        ({"end": "昨天"}, "结束日期格式不正确"),
        ({"start": "2026-11-30", "end": "2026-11-01"}, "结束日期不能早于开始日期"),
        ({"start": "2020-01-01", "end": "2026-11-01"}, "统计期间最长两年"),
        ({"department": "abc"}, "部门选择不正确"),
        ({"department": "99999"}, "未找到所选部门"),
        ({"region": "999999"}, "未找到所选行政区划"),
    ],
)
def test_bad_filters_get_a_clear_message(client, team, params, message):
    client.force_login(team["supervisor"])
    response = client.get(reverse(URL), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    export = client.get(reverse("supervision:export-all"), params)
    assert export.status_code == 400 and message in export.content.decode()


def test_department_outside_region_is_refused(client, team, department, region_city):
    from tongban.core.models import Region

    county = Region.objects.get(code="411002")
    client.force_login(team["supervisor"])
    response = client.get(reverse(URL), {"department": department.pk, "region": county.code})
    assert response.status_code == 400
    assert "不在魏都区范围内" in response.content.decode()


def test_department_staff_see_their_own_department_only(
    client, figures, team, department, other_department
):
    response = _get(client, team["handler"], department=other_department.pk)
    assert response.status_code == 400
    assert "您只能查看本部门的统计数据" in response.content.decode()
    page = _get(client, team["handler"]).content.decode()
    assert department.name in page and "仅本部门" in page
    assert "数据共享调用" not in page  # city-wide sections are for supervisors and leaders
    client.force_login(team["handler"])
    assert client.get(reverse("supervision:export", args=["exchange"])).status_code == 404
    stranger = staff(other_department, "other1", "handler")
    page = _get(client, stranger).content.decode()
    assert "50.0" not in page  # other department's figures are not shown


def test_leader_sees_every_department(client, figures, leader, department):
    page = _get(client, leader).content.decode()
    assert department.name in page and "仅本部门" not in page


def test_small_counts_are_suppressed(client, figures, team, settings):
    settings.SUPERVISION_MIN_COUNT = 5
    page = _get(client, team["supervisor"]).content.decode()
    assert "&lt;5" in page
    assert "50.0" not in page  # a rate over fewer cases than the threshold is not shown


def test_citizens_and_anonymous_users_do_not_get_in(client, citizen):
    assert client.get(reverse(URL)).status_code == 302
    client.force_login(citizen)
    assert client.get(reverse(URL)).status_code == 403


def test_region_filter_counts_the_region_and_below(client, figures, team, region_city):
    page = _get(client, team["supervisor"], region=region_city.code).content.decode()
    assert "50.0" in page  # the department lies in 许昌市
    county = _get(client, team["supervisor"], region="411002").content.decode()
    assert "50.0" not in county  # nothing in 魏都区
    client.force_login(team["supervisor"])
    assert client.get(reverse("supervision:findings"), {"region": "411002"}).status_code == 200
