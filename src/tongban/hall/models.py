"""智慧大厅: window groups and their appointment slots, bookings, queue tickets, and the state of
each window. Status changes are rows (AppointmentEvent, TicketEvent); the booking and the ticket keep
a pointer to their current status for fast reads. The ticket's timestamps (booked, arrived, called,
started, finished) are what the hall monitoring measures."""

import datetime
import secrets

from django.db import models
from django.db.models import Q

from tongban.core.fields import EncryptedTextField
from tongban.hall.codes import (
    ACTIVE_TICKET,
    AppointmentStatus,
    Priority,
    Source,
    TicketStatus,
    WindowStatus,
)


def new_token() -> str:
    return secrets.token_urlsafe(18)


class HallSettings(models.Model):
    """How one hall runs its day: hours, slot length, booking horizon, alert and target times."""

    hall = models.OneToOneField(
        "core.ServiceHall", verbose_name="大厅", on_delete=models.CASCADE, related_name="hall_setup"
    )
    morning_start = models.TimeField("上午开始", default=datetime.time(9, 0))
    morning_end = models.TimeField("上午结束", default=datetime.time(12, 0))
    afternoon_start = models.TimeField("下午开始", default=datetime.time(13, 30))
    afternoon_end = models.TimeField("下午结束", default=datetime.time(17, 0))
    slot_minutes = models.PositiveSmallIntegerField("预约时段（分钟）", default=30)
    booking_days = models.PositiveSmallIntegerField("可提前预约天数", default=7)
    wait_alert_minutes = models.PositiveSmallIntegerField("等候预警（分钟）", default=30)
    target_minutes = models.PositiveSmallIntegerField("在厅时长目标（分钟）", default=20)
    managers = models.ManyToManyField(
        "accounts.User", verbose_name="大厅管理员", blank=True, related_name="managed_halls"
    )
    kiosk_key = models.CharField(
        "自助终端密钥", max_length=40, default=new_token, unique=True, editable=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "大厅运行设置"

    def __str__(self):
        return str(self.hall)


class WindowGroup(models.Model):
    """Windows that serve the same items and share one queue, with its ticket prefix (A, B …)."""

    hall = models.ForeignKey(
        "core.ServiceHall", verbose_name="大厅", on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("号码前缀", max_length=1)
    items = models.ManyToManyField(
        "catalog.ServiceItem", verbose_name="办理事项", blank=True, related_name="hall_groups"
    )
    windows = models.ManyToManyField(
        "core.Window", verbose_name="窗口", blank=True, related_name="hall_groups"
    )
    slot_capacity = models.PositiveSmallIntegerField("每时段可预约人数", default=4)
    is_active = models.BooleanField("启用", default=True)
    ordering = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "窗口分组"
        ordering = ["hall_id", "ordering", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "prefix"], name="hall_group_unique_prefix"),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[A-Z]$"), name="hall_group_prefix_letter"
            ),
        ]

    def __str__(self):
        return f"{self.prefix} {self.name}"


class Appointment(models.Model):
    """A booked slot (预约) for a window group on a working day."""

    reference = models.CharField("预约号", max_length=12, unique=True)
    group = models.ForeignKey(
        WindowGroup, verbose_name="窗口分组", on_delete=models.PROTECT, related_name="appointments"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="办理事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor = models.ForeignKey(
        "accounts.User",
        verbose_name="预约人",
        on_delete=models.PROTECT,
        related_name="hall_bookings",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="网上申请",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_bookings",
    )
    day = models.DateField("预约日期")
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    status = models.CharField(
        "状态", max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "预约"
        ordering = ["day", "start"]
        indexes = [models.Index(fields=["group", "day", "start", "status"])]

    def __str__(self):
        return f"{self.reference} {self.day} {self.start:%H:%M}"


class HistoryRow(models.Model):
    """One move of a booking or a ticket: never updated, never deleted."""

    event = models.CharField("事件", max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.event} {self.from_status}→{self.to_status}"


class AppointmentEvent(HistoryRow):
    """Append-only history of a booking."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta(HistoryRow.Meta):
        verbose_name = verbose_name_plural = "预约记录"


class TicketCounter(models.Model):
    """The last number given for one prefix in one hall on one day; locked while numbering."""

    hall = models.ForeignKey("core.ServiceHall", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    last = models.PositiveIntegerField("已发号码", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "排队号计数"
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "prefix"], name="hall_counter_unique")
        ]

    def __str__(self):
        return f"{self.day} {self.prefix}{self.last:03d}"


class Ticket(models.Model):
    """A queue ticket (排队号). Its code (A023) is unique per hall and day."""

    hall = models.ForeignKey(
        "core.ServiceHall", verbose_name="大厅", on_delete=models.PROTECT, related_name="tickets"
    )
    group = models.ForeignKey(
        WindowGroup, verbose_name="窗口分组", on_delete=models.PROTECT, related_name="tickets"
    )
    day = models.DateField("日期")
    prefix = models.CharField("前缀", max_length=1)
    number = models.PositiveIntegerField("序号")
    status = models.CharField(
        "状态", max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    priority = models.PositiveSmallIntegerField(
        "优先级", choices=Priority.choices, default=Priority.NORMAL
    )
    source = models.CharField("取号方式", max_length=12, choices=Source.choices)
    visitor = models.ForeignKey(
        "accounts.User",
        verbose_name="办事人账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hall_tickets",
    )
    visitor_phone = EncryptedTextField("办事人手机号码", blank=True)
    visitor_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="办理事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointment = models.OneToOneField(
        Appointment,
        verbose_name="预约",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ticket",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="网上申请",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_tickets",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name="转自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    window = models.ForeignKey(
        "core.Window",
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clerk = models.ForeignKey(
        "accounts.User",
        verbose_name="窗口人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit = models.OneToOneField(
        "ratings.HallVisit",
        verbose_name="一次一评记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hall_ticket",
    )
    # Queue order: higher priority first, then by arrival (a transferred ticket keeps its arrival).
    queued_at = models.DateTimeField("排队时间")
    booked_at = models.DateTimeField("预约时间", null=True, blank=True)
    issued_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("首次叫号时间", null=True, blank=True)
    last_called_at = models.DateTimeField("最近叫号时间", null=True, blank=True)
    started_at = models.DateTimeField("开始办理时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    call_count = models.PositiveSmallIntegerField("叫号次数", default=0)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "排队号"
        ordering = ["-day", "prefix", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "prefix", "number"], name="hall_ticket_unique_code"
            ),
            # One active ticket per person and group: the database says no to a second one even
            # when two requests race.
            models.UniqueConstraint(
                fields=["group", "visitor"],
                condition=Q(status__in=ACTIVE_TICKET, visitor__isnull=False),
                name="hall_ticket_one_active_per_visitor",
            ),
            models.UniqueConstraint(
                fields=["group", "visitor_phone_index"],
                condition=Q(status__in=ACTIVE_TICKET) & ~Q(visitor_phone_index=""),
                name="hall_ticket_one_active_per_phone",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "day", "status"]),
            models.Index(fields=["group", "status", "priority", "queued_at"]),
        ]

    def __str__(self):
        return self.code

    @property
    def code(self) -> str:
        return f"{self.prefix}{self.number:03d}"


class TicketEvent(HistoryRow):
    """Append-only history of a ticket: every call, recall, start, finish, no-show, transfer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    window = models.ForeignKey(
        "core.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta(HistoryRow.Meta):
        verbose_name = verbose_name_plural = "排队号记录"
        indexes = [models.Index(fields=["event", "at"])]


class WindowDesk(models.Model):
    """The live state of one window: open or closed, who sits there, the ticket at the counter."""

    window = models.OneToOneField(
        "core.Window", verbose_name="窗口", on_delete=models.CASCADE, related_name="desk"
    )
    status = models.CharField(
        "状态", max_length=8, choices=WindowStatus.choices, default=WindowStatus.CLOSED
    )
    clerk = models.ForeignKey(
        "accounts.User",
        verbose_name="当前人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current = models.ForeignKey(
        Ticket,
        verbose_name="当前号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField("变更时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口状态"

    def __str__(self):
        return f"{self.window} {self.get_status_display()}"
