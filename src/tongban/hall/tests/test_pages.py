import datetime
import io
import time

import openpyxl
import pytest
from django.urls import reverse

from tongban.hall.actions import booking, queue
from tongban.hall.codes import TicketStatus
from tongban.hall.models import Appointment, HallSettings, Ticket
from tongban.hall.tests.conftest import MONDAY, at
from tongban.testing.builders import submit_application

TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def stream_first_event(client, settings, monkeypatch):
    """Reads a stream that ends after its first event, as one does at HALL_STREAM_SECONDS, so the
    test client closes it as a server would (a half-read stream left to the garbage collector ran
    Django's request_finished at a random moment of a later request and crashed the interpreter).
    The stream hands its database connection back between events; here that connection is the
    test's own transaction, so it is kept."""
    from tongban.hall import stream

    settings.HALL_STREAM_SECONDS = 0
    monkeypatch.setattr(stream, "close_old_connections", lambda: None)

    def first_event(url) -> str:
        response = client.get(url)
        assert response["Content-Type"] == "text/event-stream"
        events = list(response.streaming_content)
        assert len(events) == 1
        return events[0].decode()

    return first_event


def test_visitor_books_on_the_phone(client, groups, citizen, clock):
    client.force_login(citizen)
    hall = groups["A"].hall
    page = client.get(
        reverse("hall:book", args=[hall.pk]), {"group": groups["A"].pk, "day": TUESDAY.isoformat()}
    )
    assert "09:00-09:30" in page.content.decode()
    response = client.post(
        reverse("hall:book", args=[hall.pk]),
        {"group": groups["A"].pk, "day": TUESDAY.isoformat(), "slot": f"{TUESDAY}T09:00"},
    )
    appointment = Appointment.objects.get()
    assert response.url == reverse("hall:booking", args=[appointment.reference])
    detail = client.get(response.url).content.decode()
    assert appointment.reference in detail and "09:00" in detail


def test_booking_errors_are_shown_and_nothing_is_booked(client, groups, citizen, clock):
    client.force_login(citizen)
    hall = groups["A"].hall
    response = client.post(
        reverse("hall:book", args=[hall.pk]),
        {"group": groups["A"].pk, "slot": f"{MONDAY}T09:00"},
    )
    assert response.status_code == 400 and "该时段已过" in response.content.decode()
    response = client.post(
        reverse("hall:book", args=[hall.pk]),
        {"group": groups["A"].pk, "slot": f"{TUESDAY}T09:00", "case_number": "NOPE"},
    )
    assert "未找到您名下该办件编号的申请" in response.content.decode()
    assert not Appointment.objects.exists()


def test_someone_elses_booking_is_not_found(client, groups, citizen, second_citizen, clock):
    appointment = booking.book(
        visitor=citizen, group=groups["A"], day=TUESDAY, start=datetime.time(9)
    )
    client.force_login(second_citizen)
    assert client.get(reverse("hall:booking", args=[appointment.reference])).status_code == 404


def test_phone_ticket_page_shows_people_ahead_and_streams(
    client, groups, citizen, clock, stream_first_event
):
    queue.take_ticket(group=groups["A"], source="kiosk", visitor=citizen)
    hall = groups["A"].hall
    response = client.post(
        reverse("hall:take", args=[hall.pk]), {"group": groups["A"].pk, "phone": "13900000007"}
    )
    ticket = Ticket.objects.get(visitor_phone_index__gt="")
    assert response.url == reverse("hall:ticket", args=[ticket.token])
    page = client.get(response.url).content.decode()
    assert "A002" in page and "前面还有" in page
    event = stream_first_event(reverse("hall:stream", args=[hall.pk]) + f"?ticket={ticket.token}")
    assert event.startswith("retry: 1000") and '"ahead": 1' in event
    assert client.get(reverse("hall:stream", args=[hall.pk]) + "?ticket=wrong").status_code == 404


def test_display_shows_and_streams_the_calls(
    client,
    groups,
    clerk,
    windows,
    citizen,
    clock,
    django_capture_on_commit_callbacks,
    stream_first_event,
):
    with django_capture_on_commit_callbacks(execute=True):
        queue.take_ticket(group=groups["A"], source="kiosk", visitor=citizen)
        queue.call_next(actor=clerk, window=windows["5"])
    hall = groups["A"].hall
    page = client.get(reverse("hall:display", args=[hall.pk])).content.decode()
    assert "请 A001 号到 5 号窗口办理" in page and "<script>" not in page
    event = stream_first_event(reverse("hall:stream", args=[hall.pk]))
    assert '"code": "A001"' in event and '"window": "5"' in event


def test_streams_beyond_the_limit_close_at_once(client, settings, groups, clock):
    from tongban.hall import live

    hall = groups["A"].hall
    held = []
    while live.hub.streams.acquire(blocking=False):
        held.append(1)
    try:
        response = client.get(reverse("hall:stream", args=[hall.pk]))
        assert len(list(response.streaming_content)) == 1  # state, then closed: client retries
    finally:
        for _ in held:
            live.hub.streams.release()


def test_window_console_calls_and_finishes_to_the_rating_code(
    client, groups, clerk, windows, citizen, clock
):
    queue.take_ticket(group=groups["A"], source="kiosk", visitor=citizen)
    client.force_login(clerk)
    client.post(reverse("hall_staff:window", args=["next"]), {"window": windows["5"].pk})
    page = client.get(reverse("hall_staff:console")).content.decode()
    assert "当前：A001" in page
    ticket = Ticket.objects.get()
    client.post(reverse("hall_staff:ticket", args=[ticket.pk, "start"]))
    response = client.post(reverse("hall_staff:ticket", args=[ticket.pk, "finish"]))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    assert response.url == reverse("ratings_staff:visit", args=[ticket.visit_id])
    mine = client.get(reverse("hall:ticket", args=[ticket.token])).content.decode()
    assert reverse("ratings:visit", args=[ticket.visit.token]) in mine


def test_console_errors_are_messages(client, groups, clerk, windows, clock):
    client.force_login(clerk)
    response = client.post(
        reverse("hall_staff:window", args=["next"]), {"window": windows["5"].pk}, follow=True
    )
    assert "当前没有等候的号" in response.content.decode()


def test_window_sees_the_online_application_from_the_booking(
    client, groups, clerk, windows, citizen, promise_item, department
):
    with at(MONDAY, 9):
        application = submit_application(citizen, promise_item)
    groups["A"].items.add(promise_item)
    with at(MONDAY, 9, 5):
        appointment = booking.book(
            visitor=citizen,
            group=groups["A"],
            day=MONDAY,
            start=datetime.time(10),
            application=application,
        )
    with at(MONDAY, 9, 50):
        queue.set_window(actor=clerk, window=windows["5"], status="open")
        queue.check_in(appointment=appointment, actor=citizen)
        queue.call_next(actor=clerk, window=windows["5"])
        client.force_login(clerk)
        page = client.get(reverse("hall_staff:console")).content.decode()
    assert application.case_number in page
    assert reverse("cases:detail", args=[application.public_id]) in page


def test_proxy_application_starts_from_the_ticket(
    client, groups, clerk, windows, citizen, promise_item
):
    groups["A"].items.add(promise_item)
    with at(MONDAY, 10):
        ticket = queue.take_ticket(group=groups["A"], source="kiosk", visitor=citizen)
        queue.call_next(actor=clerk, window=windows["5"])
        queue.start_service(actor=clerk, ticket=ticket)
        client.force_login(clerk)
        response = client.post(
            reverse("hall_staff:proxy", args=[ticket.pk]), {"item": promise_item.pk}
        )
    ticket.refresh_from_db()
    assert ticket.application is not None
    assert ticket.application.owner == citizen and ticket.application.channel == "window"
    assert response.url == reverse("applications:draft", args=[ticket.application.public_id])


def test_manager_board_and_reports(
    client, groups, clerk, windows, citizen, second_citizen, platform_admin, clock
):
    first = queue.take_ticket(group=groups["A"], source="kiosk", visitor=citizen)
    queue.take_ticket(group=groups["A"], source="kiosk", visitor=second_citizen)
    clock.shift(datetime.timedelta(minutes=40))
    queue.call_next(actor=clerk, window=windows["5"])
    queue.start_service(actor=clerk, ticket=first)
    clock.shift(datetime.timedelta(minutes=5))
    queue.finish_service(actor=clerk, ticket=first)
    hall = groups["A"].hall
    client.force_login(platform_admin)
    board = client.get(reverse("hall_staff:board", args=[hall.pk])).content.decode()
    assert "A002（综合受理）已等候 45 分钟" in board
    assert "已办结 1 人" in board and "平均在厅 45.0 分钟" in board
    response = client.get(
        reverse("hall_staff:report", args=[hall.pk, "daily"]), {"day": MONDAY.isoformat()}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0].value: row[1].value for row in book["汇总"].iter_rows()}
    assert summary["取号总数"] == 2 and summary["平均在厅(分)"] == 45.0
    assert summary["是否达标"] == "未达标"
    assert book["明细"]["A2"].value == "A001"
    monthly = client.get(
        reverse("hall_staff:report", args=[hall.pk, "monthly"]), {"month": "2026-11"}
    )
    assert monthly.status_code == 200


def test_board_is_for_managers_only(client, groups, clerk, clock):
    client.force_login(clerk)
    assert client.get(reverse("hall_staff:board", args=[groups["A"].hall.pk])).status_code == 403


@pytest.fixture
def kiosk_key(hall):
    return HallSettings.objects.get(hall=hall).kiosk_key


def test_kiosk_card_sign_in_ticket_and_idle_sign_out(
    client, settings, groups, kiosk_key, citizen, clock
):
    home = reverse("hall:kiosk", args=[kiosk_key])
    client.post(
        reverse("hall:kiosk-sign-in", args=[kiosk_key]), {"id_number": citizen.citizen.id_number}
    )
    page = client.get(home).content.decode()
    assert "示***，您好" in page and "老年人绿色通道" in page
    response = client.post(
        reverse("hall:kiosk-ticket", args=[kiosk_key]),
        {"group": groups["A"].pk, "green": "elderly"},
    )
    ticket = Ticket.objects.get()
    assert ticket.priority == 2 and ticket.source == "kiosk"
    assert "A001" in client.get(response.url).content.decode()
    # signed out after the ticket; sign in again and stay idle
    client.post(
        reverse("hall:kiosk-sign-in", args=[kiosk_key]), {"id_number": citizen.citizen.id_number}
    )
    session = client.session
    session["hall_kiosk"]["at"] = time.time() - settings.HALL_KIOSK_IDLE_SECONDS - 1
    session.save()
    page = client.get(home).content.decode()
    assert "长时间未操作，已自动退出" in page and "您好" not in page


def test_kiosk_refuses_a_bad_card_and_an_unknown_terminal(client, kiosk_key, clock):
    response = client.post(
        reverse("hall:kiosk-sign-in", args=[kiosk_key]),
        {"id_number": "411002194005060010"},
        follow=True,
    )
    assert (
        "读卡失败" in response.content.decode()
        or "尚未在本平台实名注册" in response.content.decode()
    )
    assert client.get(reverse("hall:kiosk", args=["nope"])).status_code == 404


def test_kiosk_check_in_of_a_booking(client, groups, kiosk_key, citizen, clock):
    appointment = booking.book(
        visitor=citizen, group=groups["A"], day=MONDAY, start=datetime.time(10, 30)
    )
    client.post(
        reverse("hall:kiosk-sign-in", args=[kiosk_key]), {"id_number": citizen.citizen.id_number}
    )
    assert (
        appointment.reference
        in client.get(reverse("hall:kiosk", args=[kiosk_key])).content.decode()
    )
    client.post(reverse("hall:kiosk-check-in", args=[kiosk_key, appointment.reference]))
    assert Ticket.objects.get().priority == 1


def test_kiosk_sign_in_by_scanning_its_qr_code_with_the_phone(
    client, groups, kiosk_key, citizen, clock
):
    from django.test import Client

    home = reverse("hall:kiosk", args=[kiosk_key])
    assert "手机扫码登录" in client.get(home).content.decode()
    status = reverse("hall:kiosk-pair-status", args=[kiosk_key])
    assert client.get(status).json() == {"signed_in": False, "expired": False}
    code = client.session["hall_kiosk_pair"]
    phone = Client()
    confirm = reverse("hall:pair", args=[code])
    assert phone.get(confirm).status_code == 302  # to the login page first
    phone.force_login(citizen)
    assert "确认登录" in phone.get(confirm).content.decode()
    phone.post(confirm)
    assert client.get(status).json() == {"signed_in": True}
    assert "示***，您好" in client.get(home).content.decode()
    # the code is used up
    assert "二维码已过期" in phone.post(confirm).content.decode()


def test_a_closed_window_is_signed_in_before_it_is_paused(client, clerk, windows):
    """hall.states.WINDOW_DESK: 暂停 at a closed window is refused on the console, the window
    stays closed; signing in and then pausing works as before."""
    window = windows["5"]
    queue.set_window(actor=clerk, window=window, status="closed")
    client.force_login(clerk)
    url = reverse("hall_staff:window", args=["paused"])
    page = client.post(url, {"window": window.pk}, follow=True).content.decode()
    assert "窗口当前状态为“关闭”，不能变为“暂停”" in page
    window.desk.refresh_from_db()
    assert (window.desk.status, window.desk.clerk) == ("closed", None)

    client.post(reverse("hall_staff:window", args=["open"]), {"window": window.pk})
    client.post(url, {"window": window.pk})
    window.desk.refresh_from_db()
    assert (window.desk.status, window.desk.clerk) == ("paused", clerk)


def test_the_console_offers_only_the_switches_the_window_can_make(client, clerk, windows):
    """The buttons follow hall.states.WINDOW_DESK, the same table the service layer checks: a
    closed window offers 签到开窗 only, an open one 暂停 and 关窗, a paused one 恢复叫号 and 关窗."""
    window = windows["5"]
    queue.set_window(actor=clerk, window=window, status="closed")
    client.force_login(clerk)
    console = reverse("hall_staff:console") + f"?window={window.pk}"

    def offered() -> set[str]:
        page = client.get(console).content.decode()
        return {
            label
            for label in ("签到开窗", "恢复叫号", "暂停", "关窗")
            if f'type="submit">{label}</button>' in page
        }

    assert offered() == {"签到开窗"}
    queue.set_window(actor=clerk, window=window, status="open")
    assert offered() == {"暂停", "关窗"}
    queue.set_window(actor=clerk, window=window, status="paused")
    assert offered() == {"恢复叫号", "关窗"}
