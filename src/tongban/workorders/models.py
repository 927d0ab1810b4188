"""12345 接诉即办 and 一网统管 work orders: one record for every channel, shaped for Open311 GeoReport v2.

A WorkOrder keeps a pointer to its current status; every move is a WorkOrderHistory row (append-only).
Deadlines follow the cases pattern: the due time is fixed at 派单 from the category's limits; 退单
pauses the clock (paused_at, paused_seconds) and 延期 adds approved time, so the effective due time is
derived, not overwritten.
"""

import secrets

from django.db import models
from django.db.models import Q

from tongban.core import pii
from tongban.core.fields import EncryptedTextField
from tongban.workorders import sensors as sensor_cache
from tongban.workorders.codes import (
    ON_CLOCK,
    Channel,
    Kind,
    RequestStatus,
    Satisfaction,
    Status,
    Urgency,
    Warning,
)


class Category(models.Model):
    """A node of the configurable category tree (城市管理 → 井盖); leaves are what orders carry."""

    code = models.CharField("分类代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name="默认承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urgent_hours = models.PositiveIntegerField("紧急时限（小时）", default=2)
    pressing_hours = models.PositiveIntegerField("较急时限（小时）", default=24)
    normal_working_days = models.PositiveIntegerField("一般时限（工作日）", default=5)
    is_active = models.BooleanField("启用", default=True)
    ordering = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "诉求分类"
        ordering = ["ordering", "code"]

    def __str__(self):
        return self.name

    @property
    def path(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name


class GridCell(models.Model):
    """A cell of the city's management grid (网格), a rectangle in WGS-84 degrees."""

    code = models.CharField("网格编码", max_length=20, unique=True)
    name = models.CharField("网格名称", max_length=60)
    region = models.ForeignKey(
        "core.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+"
    )
    min_lng = models.DecimalField(max_digits=9, decimal_places=6)
    min_lat = models.DecimalField(max_digits=9, decimal_places=6)
    max_lng = models.DecimalField(max_digits=9, decimal_places=6)
    max_lat = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = verbose_name_plural = "网格"
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"])]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class RoutingRule(models.Model):
    """派单规则: ordered, the first active rule that matches category and place names the department.
    An empty condition matches everything; a region matches itself and everything below it."""

    position = models.PositiveIntegerField("顺序", unique=True)
    name = models.CharField("规则名称", max_length=80)
    category = models.ForeignKey(
        Category,
        verbose_name="分类（含下级）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name="区划（含下级）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    grid_cell = models.ForeignKey(
        GridCell, verbose_name="网格", null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "core.Department", verbose_name="承办部门", on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        ordering = ["position"]

    def __str__(self):
        return f"{self.position}. {self.name}"


class Sensor(models.Model):
    """An IoT sensor (积水、井盖位移、烟感 …); its alerts are signed with its own secret."""

    code = models.CharField("设备编码", max_length=40, unique=True)
    name = models.CharField("设备名称", max_length=80)
    alert_text = models.CharField("告警描述", max_length=200)
    category = models.ForeignKey(
        Category, verbose_name="告警分类", on_delete=models.PROTECT, related_name="+"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    address = models.CharField("安装地址", max_length=200)
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    secret = EncryptedTextField("签名密钥")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "物联感知设备"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        sensor_cache.clear()  # alerts are verified against the sensor as it is now

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        sensor_cache.clear()
        return result


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WorkOrder(models.Model):
    number = models.CharField("工单编号", max_length=20, unique=True)
    kind = models.CharField("诉求类型", max_length=12, choices=Kind.choices)
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices, db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT
    )
    text = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    lat = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    grid_cell = models.ForeignKey(
        GridCell, verbose_name="网格", null=True, blank=True, on_delete=models.PROTECT
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name="区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # reporter (personal data encrypted, found by the phone's blind index)
    reporter_name = EncryptedTextField("诉求人姓名", blank=True)
    reporter_phone = EncryptedTextField("诉求人电话", blank=True)
    reporter_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    reporter = models.ForeignKey(
        "accounts.User",
        verbose_name="诉求人账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # classifier suggestion and routing decision
    suggested_category = models.ForeignKey(
        Category,
        verbose_name="智能分类建议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField("分类置信度", null=True, blank=True)
    model_version = models.CharField("分类模型版本", max_length=20, blank=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name="承办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    routing_rule = models.ForeignKey(
        RoutingRule,
        verbose_name="派单规则",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    routing_note = models.CharField("派单依据", max_length=200, blank=True)
    handed_down_to = models.ForeignKey(
        "core.Region",
        verbose_name="下派至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # deadlines: fixed at 派单, moved by pauses (退单) and approved extensions (延期)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    base_due_at = models.DateTimeField("办理时限（派单时）", null=True, blank=True)
    paused_at = models.DateTimeField("暂停计时自", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField("累计暂停（秒）", default=0)
    extension_hours = models.PositiveIntegerField("延期（小时）", default=0)
    due_at = models.DateTimeField("办理时限", null=True, blank=True, db_index=True)
    warning = models.CharField("预警", max_length=6, choices=Warning.choices, blank=True)
    supervised_at = models.DateTimeField("督办时间", null=True, blank=True)
    # closure
    reply = models.TextField("办理结果", blank=True)
    replied_at = models.DateTimeField("办结时间", null=True, blank=True)
    replied_on_time = models.BooleanField("按时办结", null=True, blank=True)
    # 回访 within N working days of 办结 (settings.WORKORDER_CALLBACK_WORKING_DAYS)
    callback_due_at = models.DateTimeField("回访时限", null=True, blank=True, db_index=True)
    callback_warning = models.CharField(
        "回访预警", max_length=6, choices=Warning.choices, blank=True
    )
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    called_back_on_time = models.BooleanField("按时回访", null=True, blank=True)
    satisfaction = models.CharField(
        "回访结果", max_length=12, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    # IoT: while open, alert_key holds "sensor code"; the unique constraint folds repeats into
    # one order even when two alerts arrive at the same moment on two workers.
    sensor = models.ForeignKey(
        Sensor, verbose_name="感知设备", null=True, blank=True, on_delete=models.PROTECT
    )
    alert_key = models.CharField(max_length=60, null=True, blank=True, editable=False)
    alert_count = models.PositiveIntegerField("告警次数", default=0)
    last_alert_at = models.DateTimeField("最近告警", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert_key"],
                condition=Q(alert_key__isnull=False),
                name="workorder_one_open_order_per_sensor",
            )
        ]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self):
        return self.number

    def set_reporter_phone(self, phone: str) -> None:
        self.reporter_phone = pii.normalise(phone)
        self.reporter_phone_index = pii.blind_index(phone, "phone") if phone else ""

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.reporter_phone) if self.reporter_phone else ""

    @property
    def masked_name(self) -> str:
        return pii.mask_name(self.reporter_name)

    @property
    def on_clock(self) -> bool:
        """Whether the deadline runs: dispatched and in hand, not returned (paused), replied or
        closed. Pages show the reporter the 时限 only then."""
        return self.status in ON_CLOCK and self.due_at is not None


class WorkOrderHistory(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="history")
    move = models.CharField("动作", max_length=24)
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=12)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    public = models.BooleanField("诉求人可见", default=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单流转记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.order} {self.move}"


class Photo(models.Model):
    class Stage(models.TextChoices):
        REPORT = "report", "诉求照片"
        REPLY = "reply", "办结照片"

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    file = models.FileField(upload_to="workorders/%Y/%m/")
    content_type = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单照片"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.order} {self.get_stage_display()}"


class Extension(models.Model):
    """延期申请: the department asks, the dispatcher decides; approved hours move the due time."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    hours = models.PositiveIntegerField("延期（小时）")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="pending"),
                name="workorder_one_pending_extension",
            )
        ]

    def __str__(self):
        return f"{self.order} 延期{self.hours}小时"


class Assist(models.Model):
    """协办: another department asked to help; it answers, the lead department replies to the citizen."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assists")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    request = models.TextField("协办事项")
    answer = models.TextField("协办意见", blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "协办"
        ordering = ["requested_at"]

    def __str__(self):
        return f"{self.order} 协办 {self.department}"


class Callback(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    result = models.CharField(max_length=12, choices=Satisfaction.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_reporter = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "回访记录"
        ordering = ["at"]

    def __str__(self):
        return f"{self.order} 回访 {self.get_result_display()}"


class KnowledgeArticle(models.Model):
    """知识库: answers call-takers read out to close a 咨询 on the call."""

    title = models.CharField("标题", max_length=100)
    keywords = models.CharField("关键词", max_length=200, help_text="以空格分隔")
    answer = models.TextField("答复口径")
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "知识库"
        ordering = ["title"]

    def __str__(self):
        return self.title


class Correction(models.Model):
    """A dispatcher's correction of the classifier; `tongban workorders retrain` learns from them."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "分类纠正"
        ordering = ["at"]

    def __str__(self):
        return f"{self.order} → {self.category}"


class NumberSequence(models.Model):
    """One row per day: the next serial of that day's work-order numbers (locked while taken)."""

    day = models.DateField("日期", primary_key=True)
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "工单编号序列"

    def __str__(self):
        return f"{self.day} {self.last}"
