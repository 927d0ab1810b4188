import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.notify.models import SmsOutbox
from tongban.workorders.actions import handling, intake
from tongban.workorders.codes import Status
from tongban.workorders.models import GridCell, WorkOrder
from tongban.workorders.tests.conftest import IN_CITY, OUTSIDE, jpeg_bytes
from tongban.workorders.tests.test_lifecycle import report


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_a_citizen_reports_on_the_portal_and_rates_the_result(city, client, staff):
    photo = SimpleUploadedFile("m.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(
        "/workorders/report/",
        {
            "kind": "complaint",
            "text": "建安大道井盖丢了，路上一个大洞",
            "phone": "17000000005",
            "lng": IN_CITY[0],
            "lat": IN_CITY[1],
            "photos": [photo],
        },
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.department.short_name == "市城管局"
    assert order.number in client.get("/workorders/submitted/").content.decode()
    handling.accept(order, actor=staff["cghandler"])
    page = client.post(
        "/workorders/track/", {"number": order.number, "phone_tail": "0005"}
    ).content.decode()
    due = timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M")
    assert "办理时限" in page and due in page  # in hand: the reporter sees by when
    handling.reply(order, actor=staff["cghandler"], text="已更换井盖")
    page = client.post(
        "/workorders/track/", {"number": order.number, "phone_tail": "0005"}
    ).content.decode()
    assert "已更换井盖" in page and 'name="result"' in page
    assert "办理时限" not in page  # replied: no deadline any more
    client.post(
        "/workorders/track/",
        {
            "number": order.number,
            "phone_tail": "0005",
            "result": "dissatisfied",
            "note": "还是松动",
        },
    )
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.reopen_count == 1


def test_the_portal_form_keeps_what_was_typed_and_explains_the_problems(city, client):
    fake = SimpleUploadedFile("m.jpg", b"GIF89a not a jpeg", content_type="image/jpeg")
    response = client.post(
        "/workorders/report/",
        {
            "kind": "complaint",
            "text": "路灯不亮了很久",
            "phone": "123",
            "lng": OUTSIDE[0],
            "lat": OUTSIDE[1],
            "photos": [fake],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "路灯不亮了很久" in page  # nothing lost
    assert "本市范围" in page and "联系电话格式不正确" in page and "改扩展名无效" in page
    assert not WorkOrder.objects.exists()


def test_the_operator_finds_earlier_orders_and_answers_from_the_knowledge_base(
    city, signed_in, staff
):
    intake.submit(report(reporter_phone="17000000007"))
    client = signed_in(staff["operator"])
    page = client.get(
        "/workbench/workorders/hotline/", {"phone": "17000000007", "q": "高龄津贴"}
    ).content.decode()
    assert "170****0007" in page and "1 件历史工单" in page
    assert "高龄津贴申领条件和材料" in page
    response = client.post(
        "/workbench/workorders/hotline/",
        {
            "kind": "consult",
            "text": "老人高龄津贴怎么申领",
            "phone": "17000000007",
            "urgency": "normal",
        },
    )
    order = WorkOrder.objects.get(kind="consult")
    assert response.url.endswith(f"/{order.number}/")
    detail = client.get(response.url).content.decode()
    assert "高龄津贴申领条件和材料" in detail
    client.post(f"/workbench/workorders/{order.number}/answer/", {"answer": "持身份证到社区申请"})
    order.refresh_from_db()
    assert order.status == Status.CLOSED and order.channel == "hotline"


def test_a_grid_worker_reports_from_the_phone_page(city, signed_in, staff):
    client = signed_in(staff["gridworker"])
    client.post(
        "/workbench/workorders/grid/",
        {
            "kind": "report",
            "text": "西大街垃圾堆满了没人清运",
            "lng": IN_CITY[0],
            "lat": IN_CITY[1],
            "photos": [SimpleUploadedFile("g.png", jpeg_bytes(), content_type="image/png")],
        },
    )
    order = WorkOrder.objects.get()
    assert order.channel == "grid" and order.grid_cell.region_id == "411002001000"


def test_department_staff_see_their_orders_and_get_clear_errors(city, signed_in, staff):
    order = intake.submit(report())
    other = signed_in(staff["swhandler"])
    assert other.get(f"/workbench/workorders/{order.number}/").status_code == 404
    client = signed_in(staff["cghandler"])
    assert order.number in client.get("/workbench/workorders/").content.decode()
    response = client.post(
        f"/workbench/workorders/{order.number}/return/", {"reason": ""}, follow=True
    )
    assert "退单必须填写理由" in response.content.decode()
    client.post(f"/workbench/workorders/{order.number}/accept/")
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED


def test_the_dispatcher_merges_two_reports_and_both_reporters_get_the_result(
    city, signed_in, staff, django_capture_on_commit_callbacks
):
    first = intake.submit(report(reporter_phone="17000000011"))
    second = intake.submit(
        report(text="魏文路七一路口井盖丢了，路上一个大洞，很危险。", reporter_phone="17000000012")
    )
    client = signed_in(staff["dispatcher"])
    page = client.get(f"/workbench/workorders/{first.number}/").content.decode()
    assert second.number in page
    client.post(f"/workbench/workorders/{first.number}/merge/", {"duplicates": [second.number]})
    second.refresh_from_db()
    assert second.status == Status.MERGED
    handling.accept(first, actor=staff["cghandler"])
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(staff["cghandler"]).post(
            f"/workbench/workorders/{first.number}/reply/", {"reply": "已更换新井盖"}
        )
    phones = {row.phone for row in SmsOutbox.objects.filter(text__contains="已更换新井盖")}
    assert phones == {"17000000011", "17000000012"}


def test_statistics_show_the_rates_and_the_hot_spot_map(city, signed_in, staff):
    for _ in range(3):
        intake.submit(report())
    page = signed_in(staff["dispatcher"]).get("/workbench/workorders/stats/").content.decode()
    assert page.count("<rect") == GridCell.objects.count()
    assert "wo-heat-4" in page  # the busiest cell
    assert "按时办结率" in page and "许昌市城市管理局" in page


def test_the_order_list_reads_a_fixed_number_of_queries(
    city, signed_in, staff, django_assert_max_num_queries
):
    for _ in range(12):
        intake.submit(report())
    client = signed_in(staff["dispatcher"])
    client.get("/workbench/workorders/")  # warm the session and the caches
    with django_assert_max_num_queries(14):
        page = client.get("/workbench/workorders/").content.decode()
    assert page.count("data-order=") == 12


@pytest.mark.parametrize(
    ("login", "links", "absent"),
    [
        ("gridworker", ["/workbench/workorders/grid/"], ["/workbench/workorders/patrol/"]),
        ("patroller", ["/workbench/workorders/patrol/"], ["/workbench/workorders/grid/"]),
        ("cghandler", [], ["/workbench/workorders/grid/", "/workbench/workorders/patrol/"]),
    ],
)
def test_the_workbench_navigation_leads_field_staff_to_their_report_pages(
    city, signed_in, staff, login, links, absent
):
    client = signed_in(staff[login])
    page = client.get("/workbench/workorders/").content.decode()
    nav = page[page.index('class="wb-nav"') : page.index("</nav>")]
    for link in links:
        assert f'href="{link}"' in nav
        assert client.get(link).status_code == 200
    for link in absent:
        assert f'href="{link}"' not in nav


def test_the_demo_logins_list_the_work_order_staff(city):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    printed = out.getvalue()
    for login in ["dispatcher", "operator", "gridworker", "patroller", "cghandler", "swhandler"]:
        assert f"账号 {login} " in printed
    assert "12345派单员（12345派单）" in printed and "西大街道网格员（网格员）" in printed
