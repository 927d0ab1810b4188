import datetime
import io

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tongban.exchange import excel
from tongban.exchange.actions import query
from tongban.exchange.models import AccessRequest, Grant, Resource, ResourceVersion


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_citizen_sees_who_read_their_data(granted, consumer, citizen, second_citizen):
    own = citizen.citizen.id_number
    # the test population uses the same generator: make the citizen one of its subjects
    from .conftest import load_rows

    load_rows(
        granted.resource,
        [{"subject": own, "xm": "示例老人", "gmsfhm": own, "xb": "男", "csrq": "1940-05-06"}],
        mode="incremental",
    )
    query.query(
        consumer=consumer,
        resource_code="T_RK",
        subjects=[own],
        items=["xm"],
        purpose="出生医学证明签发核验",
        case_ref="XC-2026-1",
    )
    page = login(citizen).get("/data-use/").content.decode()
    assert "卫健业务系统" in page and "人口基础信息（测试）" in page and "姓名" in page
    assert "出生医学证明签发核验" in page and "XC-2026-1" in page
    other = login(second_citizen).get("/data-use/").content.decode()
    assert "XC-2026-1" not in other and "还没有部门读取过您的数据" in other


def test_staff_are_sent_away_from_the_citizen_page(platform_admin):
    assert login(platform_admin).get("/data-use/").status_code == 403


def test_request_approved_in_the_browser_then_the_call_succeeds(
    population, consumer, consumer_staff, data_admin
):
    staff = login(consumer_staff)
    form = staff.get(f"/workbench/exchange/resources/{population.pk}/request")
    assert form.status_code == 200
    until = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = staff.post(
        f"/workbench/exchange/resources/{population.pk}/request",
        {
            "consumer": consumer.pk,
            "items": ["xm", "csrq"],
            "purpose": "核验出生信息",
            "legal_basis": "《母婴保健法》",
            "valid_until": until,
        },
    )
    assert response.status_code == 302
    request = AccessRequest.objects.get()
    assert request.status == "pending"
    # the requester cannot decide; the provider's data administrator can
    assert staff.post(f"/workbench/exchange/requests/{request.pk}/approve").status_code == 403
    provider = login(data_admin)
    assert "核验出生信息" in provider.get("/workbench/exchange/requests/").content.decode()
    provider.post(f"/workbench/exchange/requests/{request.pk}/approve", {"note": "同意"})
    assert Grant.objects.get(request=request).items == ["xm", "csrq"]
    from .test_query import ELDER

    result = query.query(
        consumer=consumer, resource_code="T_RK", subjects=[ELDER], items=["csrq"], purpose="核验"
    )
    assert result.records[ELDER] == {"csrq": "1940-05-06"}


def test_refusal_in_the_browser_needs_a_reason(population, consumer, data_admin):
    from tongban.exchange.actions import access

    request = access.request_access(
        actor=None,
        consumer=consumer,
        resource=population,
        items=["xm"],
        purpose="核验",
        legal_basis="依据",
        valid_until=timezone.localdate() + datetime.timedelta(days=3),
    )
    provider = login(data_admin)
    response = provider.post(
        f"/workbench/exchange/requests/{request.pk}/refuse", {"reason": ""}, follow=True
    )
    assert "拒绝申请必须写明理由" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"


def test_resource_pages_browse_search_and_publish(population, data_admin):
    client = login(data_admin)
    listing = client.get("/workbench/exchange/?q=人口").content.decode()
    assert "人口基础信息（测试）" in listing
    assert "没有找到" in client.get("/workbench/exchange/?q=不存在的资源").content.decode()
    client.post(f"/workbench/exchange/resources/{population.pk}/new-draft", {"note": "改名"})
    client.post(
        f"/workbench/exchange/resources/{population.pk}/edit",
        {
            "name": "人口基础信息（第二版）",
            "update_frequency": "每日",
            "share_condition": "conditional",
            "share_basis": "依据",
            "open_condition": "不予开放",
            "description": "",
            "provider_label": "公安人口库",
        },
    )
    client.post(f"/workbench/exchange/resources/{population.pk}/publish")
    population.refresh_from_db()
    assert population.current_version.name == "人口基础信息（第二版）"
    assert population.current_version.number == 2


def test_excel_round_trip_and_row_by_row_errors(population, data_admin):
    content = login(data_admin).get("/workbench/exchange/export.xlsx").content
    book = load_workbook(io.BytesIO(content))
    assert book["数据资源"]["A2"].value == "T_RK"
    book["数据资源"]["A2"].value = "T_RK2"
    book["数据资源"]["E2"].value = "随便共享"
    book["信息项"].append(["T_RK2", "bad", "坏项", "颜色", "一般", "也许", "否", "", "", ""])
    for row in book["信息项"].iter_rows(min_row=2):
        if row[0].value == "T_RK":
            row[0].value = "T_RK2"
    buffer = io.BytesIO()
    book.save(buffer)
    report = excel.import_workbook(actor=data_admin, content=buffer.getvalue())
    text = "\n".join(report.errors)
    assert "数据资源第 2 行" in text and "随便共享" in text
    assert "信息项第 6 行" in text and "颜色" in text and "也许" in text
    assert not Resource.objects.filter(code="T_RK2").exists()
    book["数据资源"]["E2"].value = "有条件共享"
    book["信息项"].delete_rows(6)
    buffer = io.BytesIO()
    book.save(buffer)
    report = excel.import_workbook(actor=data_admin, content=buffer.getvalue())
    assert report.ok, report.errors
    created = Resource.objects.get(code="T_RK2").versions.get()
    assert created.status == ResourceVersion.Status.DRAFT and created.items.count() == 4


def test_not_a_workbook_is_refused(data_admin):
    assert excel.import_workbook(actor=data_admin, content=b"hello").errors == [
        "文件不是有效的 Excel（.xlsx）工作簿"
    ]


def test_staff_pages_render(granted, data_admin):
    client = login(data_admin)
    for url in ["grants/", "loads/", "statistics/", "requests/?status=all", "import/"]:
        assert client.get(f"/workbench/exchange/{url}").status_code == 200, url
