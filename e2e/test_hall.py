"""智慧大厅 in a browser. 张示例 (the demo's elderly citizen) books a slot on his phone with the case
number of his 高龄津贴 application, checks in at the kiosk by ID card, hears and sees his number
called on the hall's display, is served at window A01 by the demo clerk — who opens his online
application from the ticket — and rates the visit on his phone. A walk-in elderly visitor takes a
green-channel ticket at the kiosk, and the hall manager's board shows the waits. All on a Monday
in office hours (the server's clock travels; the pages update live without reloading)."""

from journeys import elderly_citizen_application, follow, on

from tongban.hall.codes import Priority, TicketStatus
from tongban.hall.demo import KIOSK_KEY
from tongban.hall.models import Appointment, Ticket, WindowGroup
from tongban.ratings.models import Rating

MONDAY = "2026-12-07"
KIOSK = f"/hall/kiosk/{KIOSK_KEY}/"


def test_booked_visitor_checked_in_called_served_and_rating(journey, settings):
    settings.HALL_STREAM_SECONDS = 20
    with on(MONDAY, 9):
        application = elderly_citizen_application()
        hall_id = WindowGroup.objects.get(prefix="A").hall_id

        phone = journey("phone", "citizen")
        phone.login("17000000001")
        phone.go(f"/hall/{hall_id}/book/?case={application.case_number}")
        phone.shot("book-slots")
        phone.page.locator("label.hall-slot", has_text="10:00-10:30").locator("input").check()
        follow(phone, phone.page.get_by_role("button", name="确认预约"))
        booking = Appointment.objects.get(visitor__citizen__real_name="张示例")
        assert booking.application == application
        assert booking.reference in phone.text() and "10:00" in phone.text()
        phone.shot("booked")

        kiosk = journey("pc", "kiosk")
        kiosk.go(KIOSK)
        kiosk.shot("kiosk-start")
        follow(kiosk, kiosk.page.get_by_role("button", name="刷 张** 的身份证"))
        assert "张**，您好" in kiosk.text()
        kiosk.shot("kiosk-signed-in")
        follow(kiosk, kiosk.page.get_by_role("button", name="预约签到：10:00 综合受理（优先叫号）"))
        ticket = Ticket.objects.get(appointment=booking)
        assert ticket.priority == Priority.APPOINTMENT
        assert ticket.code in kiosk.text() and "前面还有 0 人" in kiosk.text()
        kiosk.shot("kiosk-ticket-printed")

        phone.go(f"/hall/t/{ticket.token}/")
        assert "等候中" in phone.text()
        phone.shot("ticket-waiting")

        display = journey("pc", "display")
        display.go(f"/hall/{hall_id}/display/")
        display.page.get_by_role("button", name="开启语音播报").click()
        display.shot("display-before")

        clerk = journey("pc", "clerk")
        clerk.login("clerk")
        clerk.go("/workbench/hall/")
        follow(clerk, clerk.page.get_by_role("button", name="签到开窗"))
        follow(clerk, clerk.page.get_by_role("button", name="呼叫下一位"))
        said = f"请 {ticket.code} 号到 A01 号窗口办理"
        assert said in clerk.text()
        clerk.shot("called")

        # Both pages change without a reload: the display and the phone listen on the stream.
        display.page.locator("[data-current]", has_text=said).wait_for(timeout=5000)
        display.shot("display-called")
        phone.page.locator("[data-when=called]:not([hidden])").wait_for(timeout=5000)
        assert "请到 A01 号窗口办理" in phone.text()
        phone.shot("ticket-called")

        assert application.case_number in clerk.text()
        follow(clerk, clerk.page.locator("[data-open-application]"))
        assert application.case_number in clerk.text()
        clerk.shot("application-from-ticket")
        clerk.go("/workbench/hall/")
        follow(clerk, clerk.page.get_by_role("button", name="开始办理"))
        follow(clerk, clerk.page.get_by_role("button", name="办结并邀请评价"))
        assert "请服务对象扫码评价" in clerk.text()
        clerk.shot("rating-code")
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.DONE

        phone.page.get_by_role("link", name="评价本次服务").wait_for(timeout=8000)
        follow(phone, phone.page.get_by_role("link", name="评价本次服务"))
        phone.page.check("input[name=level][value='1']")
        follow(phone, phone.page.get_by_role("button", name="提交评价"))
        rating = Rating.objects.get(visit=ticket.visit)
        assert rating.level == 1 and rating.window.number == "A01"
        phone.shot("rated")


def test_walk_in_elderly_priority_ticket_and_the_managers_board(journey):
    with on(MONDAY, 10):
        from tongban.hall.actions import queue

        group_b = WindowGroup.objects.get(prefix="B")
        early = queue.take_ticket(group=group_b, source="phone", phone="13900000001")

        kiosk = journey("pc", "kiosk")
        kiosk.go(KIOSK)
        follow(kiosk, kiosk.page.get_by_role("button", name="刷 张** 的身份证"))
        assert kiosk.page.get_by_label("老年人绿色通道").is_checked()
        kiosk.page.get_by_label("B · 不动产登记与公积金").check()
        kiosk.shot("kiosk-green-channel")
        follow(kiosk, kiosk.page.get_by_role("button", name="取号并打印"))
        ticket = Ticket.objects.get(visitor__citizen__real_name="张示例")
        assert ticket.priority == Priority.GREEN and "绿色通道" in kiosk.text()
        assert "前面还有 0 人" in kiosk.text()  # ahead of the earlier walk-in
        kiosk.shot("kiosk-green-ticket")
        assert list(queue.waiting_queue([group_b])) == [ticket, early]

        manager = journey("pc", "supervisor")
        manager.login("supervisor")
        manager.go("/workbench/hall/board/")
        board = manager.text()
        assert "各分组等候" in board and "不动产登记与公积金" in board
        row = manager.page.locator("[data-group=B] [data-waiting-count]")
        assert row.inner_text() == "2"
        manager.shot("board")
        queue.take_ticket(group=group_b, source="phone", phone="13900000002")
        row.filter(has_text="3").wait_for(timeout=5000)  # the board follows without a reload
        manager.shot("board-updated")
