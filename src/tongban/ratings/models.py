"""好差评: ratings of online cases (一事一评) and hall visits (一次一评), SMS invitations for the
second rating (短信二次评价), and the handling of bad ratings (差评核实、回访、整改、申诉).

Statistics read Rating rows only; item, department, hall, window and staff member are copied onto
each rating when it is made, so the figures stay as they were even if a case is later reassigned.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField
from tongban.ratings.codes import BadStatus, Channel, Classification, Level, is_bad


def new_token() -> str:
    return secrets.token_urlsafe(24)


class HallVisit(models.Model):
    """One service at a hall window (一次一评): the clerk creates it and shows a one-time QR code."""

    hall = models.ForeignKey(
        "core.ServiceHall", verbose_name="大厅", on_delete=models.PROTECT, related_name="+"
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
        "accounts.User", verbose_name="窗口人员", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name="窗口人员所属部门",
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="办理事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor = models.ForeignKey(
        "accounts.User",
        verbose_name="服务对象账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visitor_phone = EncryptedTextField("服务对象手机号码", blank=True)
    visitor_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    served_at = models.DateTimeField("服务时间", db_index=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    token_used_at = models.DateTimeField("评价码使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "窗口服务记录"
        ordering = ["-served_at"]

    def __str__(self):
        return f"{self.hall} {self.window.number if self.window else ''} {self.served_at:%Y-%m-%d %H:%M}"


class RatingInvitation(models.Model):
    """An SMS invitation awaiting a 1–5 reply; the reply is matched by the phone's blind index."""

    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rating_invitations",
    )
    visit = models.ForeignKey(
        HallVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    rater = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone_index = models.CharField(max_length=64, db_index=True)
    sent_at = models.DateTimeField("邀请时间", db_index=True)
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    rating = models.ForeignKey(
        "Rating", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "短信评价邀请"
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["phone_index", "answered_at", "-sent_at"])]

    def __str__(self):
        return f"邀请 {self.application or self.visit}"


class Rating(models.Model):
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    visit = models.ForeignKey(
        HallVisit,
        verbose_name="窗口服务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    level = models.PositiveSmallIntegerField("满意度", choices=Level.choices)
    scores = models.JSONField("分项评价", default=dict, blank=True)
    text = models.TextField("文字评价", blank=True)  # plain text; templates escape it
    channel = models.CharField("评价渠道", max_length=8, choices=Channel.choices)
    rater = models.ForeignKey(
        "accounts.User",
        verbose_name="评价人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_given",
    )
    real_name = models.BooleanField("实名评价", default=False)
    # denormalised for statistics
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "core.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    hall = models.ForeignKey(
        "core.ServiceHall",
        verbose_name="大厅",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window = models.ForeignKey(
        "core.Window",
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        "accounts.User",
        verbose_name="办理人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    is_follow_up = models.BooleanField("追评", default=False)
    about_rectification = models.BooleanField("对整改结果的评价", default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name="原评价",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    voided = models.BooleanField(
        "不计入统计", default=False, help_text="恶意或错误差评经监察裁定申诉成立"
    )
    created_at = models.DateTimeField("评价时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "评价"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "channel"],
                condition=Q(is_follow_up=False, application__isnull=False),
                name="rating_once_per_case_and_channel",
            ),
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(is_follow_up=False, visit__isnull=False),
                name="rating_once_per_visit",
            ),
            models.UniqueConstraint(
                fields=["parent", "about_rectification"],
                condition=Q(is_follow_up=True),
                name="rating_one_follow_up_of_each_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "created_at"]),
            models.Index(fields=["item", "created_at"]),
            models.Index(fields=["staff", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_level_display()}（{self.get_channel_display()}）"

    @property
    def is_bad(self) -> bool:
        return is_bad(self.level)

    @property
    def subject(self) -> str:
        if self.application_id:
            return self.application.case_number or ""
        return "窗口服务"


class BadRatingCase(models.Model):
    """A 差评 assigned to the department that handled the case (谁办理谁负责)."""

    class Warning(models.TextChoices):
        NONE = "", _("正常")
        YELLOW = "yellow", _("黄色预警")
        RED = "red", _("红色预警（已超期）")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="bad_case")
    department = models.ForeignKey(
        "core.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=BadStatus.choices,
        default=BadStatus.ASSIGNED,
        db_index=True,
    )
    assigned_at = models.DateTimeField("分派时间", auto_now_add=True)
    deadline = models.DateField("整改期限", db_index=True)
    warning = models.CharField(
        "预警", max_length=6, choices=Warning.choices, default="", blank=True, db_index=True
    )
    verification = models.TextField("核实情况", blank=True)
    classification = models.CharField(
        "处理类型", max_length=10, choices=Classification.choices, blank=True
    )
    plan = models.TextField("整改措施或申诉理由", blank=True)
    result = models.TextField("处理结果（告知评价人）", blank=True)
    appeal_opinion = models.TextField("监察裁定意见", blank=True)
    first_callback_at = models.DateTimeField("首次回访时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    rectification_rating = models.OneToOneField(
        Rating,
        verbose_name="评价人对整改的评价",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectification_of",
    )

    class Meta:
        verbose_name = verbose_name_plural = "差评整改"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self):
        return f"差评 {self.rating_id}（{self.get_status_display()}）"


class RatingCallback(models.Model):
    """回访: when, by whom, what was said."""

    bad_case = models.ForeignKey(BadRatingCase, on_delete=models.CASCADE, related_name="callbacks")
    called_at = models.DateTimeField("回访时间")
    called_by = models.ForeignKey(
        "accounts.User", verbose_name="回访人", on_delete=models.PROTECT, related_name="+"
    )
    reached = models.BooleanField("已联系上评价人", default=True)
    summary = models.TextField("回访内容")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评回访"
        ordering = ["called_at", "id"]

    def __str__(self):
        return f"回访 {self.called_at:%Y-%m-%d}"


class BadRatingHistory(models.Model):
    """Append-only: one row per status move or warning."""

    bad_case = models.ForeignKey(BadRatingCase, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    event = models.CharField("事件", max_length=40)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "差评处理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return self.event

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("差评处理记录只能追加，不能修改")
        super().save(*args, **kwargs)
