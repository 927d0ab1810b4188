"""Shared reference data: regions (GB/T 2260), organisations, the working-day calendar, the audit log."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core import identifiers


class Region(models.Model):
    """An administrative region. Province/city/county use 6-digit GB/T 2260 codes; township and
    village use the 12-digit statistical codes (county code + 3 digits + 3 digits)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省级"
        CITY = 2, "市级"
        COUNTY = 3, "县级"
        TOWNSHIP = 4, "乡镇（街道）级"
        VILLAGE = 5, "村（社区）级"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        problem = identifiers.region_code_shape_problem(self.code)
        if problem:
            raise ValidationError({"code": problem})
        level, parent_code = identifiers.region_level_and_parent(self.code)
        if level != self.level:
            raise ValidationError(
                {"level": f"代码 {self.code} 对应的层级是{self.Level(level).label}"}
            )
        if parent_code and (self.parent_id or "") != parent_code:
            raise ValidationError({"parent": f"上级区划应为 {parent_code}"})

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Department(models.Model):
    """A government department or other implementing body (实施主体)."""

    class ExerciseLevel(models.IntegerChoices):  # GB/T 39046 Table A.2 行使层级
        NATIONAL = 1, _("国家级")
        PROVINCIAL = 2, _("省级")
        CITY = 3, _("市级")
        COUNTY = 4, _("县级")
        TOWNSHIP = 5, _("镇（乡、街道）级")
        VILLAGE = 6, _("村（社区）级")
        TIERED = 7, _("分级管理")

    class Nature(models.IntegerChoices):  # Table A.3 实施主体性质
        STATUTORY = 1, _("法定机关")
        AUTHORISED = 2, _("授权组织")
        ENTRUSTED = 3, _("受委托组织")
        OTHER = 9, _("其他")

    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[identifiers.validate_uscc_field]
    )
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments"
    )
    level = models.PositiveSmallIntegerField("行使层级", choices=ExerciseLevel.choices)
    nature = models.PositiveSmallIntegerField(
        "实施主体性质", choices=Nature.choices, default=Nature.STATUTORY
    )
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=40, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name


class Office(models.Model):
    """An internal office of a department that handles cases (承办机构)."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.CASCADE, related_name="offices"
    )
    name = models.CharField("承办机构名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "承办机构"
        ordering = ["department_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="office_unique_name")
        ]

    def __str__(self):
        return f"{self.department.short_name or self.department.name}·{self.name}"


class ServiceHall(models.Model):
    """A place citizens visit: 政务服务中心 (city/county), 便民服务中心 (township), 便民服务站 (village)."""

    class Kind(models.TextChoices):
        CENTRE = "centre", "政务服务中心"
        TOWNSHIP_CENTRE = "township", "便民服务中心"
        VILLAGE_STATION = "village", "便民服务站"

    # Which region level each kind of hall serves; checked in clean().
    KIND_LEVELS = {
        Kind.CENTRE: {Region.Level.CITY, Region.Level.COUNTY},
        Kind.TOWNSHIP_CENTRE: {Region.Level.TOWNSHIP},
        Kind.VILLAGE_STATION: {Region.Level.VILLAGE},
    }

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="halls"
    )
    address = models.CharField("地址", max_length=200)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务大厅"
        ordering = ["region_id", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and self.region.level not in self.KIND_LEVELS[self.kind]:
            raise ValidationError(
                {
                    "region": f"{self.get_kind_display()}不能设在{self.region.get_level_display()}区划"
                }
            )


class Window(models.Model):
    """A service window in a hall; a comprehensive window (综合窗口) accepts for several departments."""

    hall = models.ForeignKey(
        ServiceHall, verbose_name="大厅", on_delete=models.CASCADE, related_name="windows"
    )
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("窗口名称", max_length=100)
    departments = models.ManyToManyField(
        Department, verbose_name="受理部门", blank=True, related_name="windows"
    )
    is_comprehensive = models.BooleanField("综合窗口", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_unique_number")
        ]

    def __str__(self):
        return f"{self.hall.name} {self.number} {self.name}"


class CalendarDay(models.Model):
    """A day whose status administrators set: a holiday or a make-up working day (调休).

    Rows here win over the `chinesecalendar` package and the statutory holidays. Rows alone never
    confirm a year: see CalendarYear. Written through core.calendar_actions.
    """

    date = models.DateField("日期", primary_key=True)
    is_working_day = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=60, help_text="例如：春节、国庆节调休上班")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'上班' if self.is_working_day else '休息'} {self.name}"


class CalendarYear(models.Model):
    """An administrator's statement that a year's holiday schedule (the State Council's notice,
    with its 调休 make-up working days) is completely entered. Until then the year's dates are
    unconfirmed: counted from the statutory holidays and flagged. Written through
    core.calendar_actions; withdrawing the statement deletes the row (the audit log keeps both)."""

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    basis = models.CharField(
        "依据", max_length=200, help_text="例如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="确认人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = verbose_name_plural = "年度节假日安排确认"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年节假日安排（已确认）"


class AuditRecord(models.Model):
    """One entry of the append-only, hash-chained audit log. Never updated, never deleted."""

    sequence = models.BigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField("操作人（记录时）", max_length=100)
    role = models.CharField("角色", max_length=40, blank=True)
    action = models.CharField("动作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象标识", max_length=80, blank=True)
    ip_address = models.CharField("来源地址", max_length=45, blank=True)
    purpose = models.CharField("用途", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    previous_hash = models.CharField("上一条哈希", max_length=64)
    record_hash = models.CharField("本条哈希", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"#{self.sequence} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditChainHead(models.Model):
    """A single row holding the chain's tip; locking it serialises appends across processes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self):
        return f"#{self.last_sequence} {self.last_hash[:12]}"
