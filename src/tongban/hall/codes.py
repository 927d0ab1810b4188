"""智慧大厅 status codes and the transition tables: which moves are allowed, and who may make them.

Actors: VISITOR (the person, on the phone or at the kiosk), WINDOW (the clerk at a window), SYSTEM
(the scheduler: no-shows after the slot, nothing else)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

VISITOR, WINDOW, SYSTEM = "visitor", "window", "system"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到取号")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    NO_SHOW = "no_show", _("过号")
    TRANSFERRED = "transferred", _("已转窗口")
    CANCELLED = "cancelled", _("已取消")


class Priority(models.IntegerChoices):
    NORMAL = 0, _("普通")
    APPOINTMENT = 1, _("预约优先")
    GREEN = 2, _("绿色通道")


class Source(models.TextChoices):
    KIOSK = "kiosk", _("自助终端")
    PHONE = "phone", _("手机扫码")
    APPOINTMENT = "appointment", _("预约签到")
    TRANSFER = "transfer", _("转窗口")


class WindowStatus(models.TextChoices):
    OPEN = "open", _("开放")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("关闭")


# (from, to) → the actors allowed to make the move
# A window: the clerk signs in (开放), pauses and resumes, closes; signing in again at an open
# window keeps it open. A closed window is signed in before it can be paused.
WINDOW_MOVES = {
    (WindowStatus.CLOSED, WindowStatus.OPEN): {WINDOW},
    (WindowStatus.OPEN, WindowStatus.OPEN): {WINDOW},  # signing in again (a repeated click)
    (WindowStatus.OPEN, WindowStatus.PAUSED): {WINDOW},
    (WindowStatus.PAUSED, WindowStatus.OPEN): {WINDOW},
    (WindowStatus.OPEN, WindowStatus.CLOSED): {WINDOW},
    (WindowStatus.PAUSED, WindowStatus.CLOSED): {WINDOW},
}
APPOINTMENT_MOVES = {
    (AppointmentStatus.BOOKED, AppointmentStatus.BOOKED): {VISITOR},  # reschedule
    (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED): {VISITOR, WINDOW},
    (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN): {VISITOR, WINDOW},
    (AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW): {SYSTEM},
}

TICKET_MOVES = {
    (TicketStatus.WAITING, TicketStatus.CALLED): {WINDOW},
    (TicketStatus.WAITING, TicketStatus.CANCELLED): {VISITOR},
    (TicketStatus.WAITING, TicketStatus.TRANSFERRED): {WINDOW},
    (TicketStatus.CALLED, TicketStatus.CALLED): {WINDOW},  # recall
    (TicketStatus.CALLED, TicketStatus.SERVING): {WINDOW},
    (TicketStatus.CALLED, TicketStatus.NO_SHOW): {WINDOW},
    (TicketStatus.CALLED, TicketStatus.TRANSFERRED): {WINDOW},
    (TicketStatus.SERVING, TicketStatus.DONE): {WINDOW},
    (TicketStatus.SERVING, TicketStatus.TRANSFERRED): {WINDOW},
}

ACTIVE_TICKET = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)
AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)
