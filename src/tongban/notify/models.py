"""Message templates, notifications, their per-channel deliveries, the inbox and the SMS outbox.

A Notification is one thing we tell one person ("your application was accepted"); it has one
Delivery per channel (SMS, e-mail, in-app), each with its own status, attempts and retry time. The
rendered text lives on the delivery, so a retry or a resend sends exactly what was first rendered.
Phone numbers and e-mail addresses are not copied here: they are read from the user when sending.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.template import TemplateSyntaxError, engines
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    INAPP = "inapp", _("站内消息")


class MessageTemplate(models.Model):
    """One text per (code, channel). Subject and body are Django template text."""

    code = models.CharField(
        "模板编码",
        max_length=60,
        validators=[RegexValidator(r"^[a-z0-9_.-]+$", "只能包含小写字母、数字和 _ . -")],
        help_text="如 application.accepted",
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    name = models.CharField("模板名称", max_length=60)
    subject = models.CharField(
        "标题", max_length=200, blank=True, help_text="邮件主题或站内消息标题；短信不用"
    )
    body = models.TextField(
        "正文",
        help_text="Django 模板语法，如 {{ recipient_name }}、{{ item_name }}。"
        "短信尽量不超过70字，且只可包含脱敏姓名，不得包含证件号、手机号等个人信息。",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息模板"
        ordering = ["code", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["code", "channel"], name="notify_template_code_channel")
        ]

    def __str__(self):
        return f"{self.name}（{self.get_channel_display()}）"

    def clean(self):
        engine = engines["django"]
        for field in ("subject", "body"):
            try:
                engine.from_string(getattr(self, field))
            except TemplateSyntaxError as exc:
                raise ValidationError({field: f"模板语法错误：{exc}"}) from exc


class Notification(models.Model):
    # Empty for a text to a phone without an account (a hall visitor): the delivery holds the number.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    template_code = models.CharField("模板编码", max_length=60, db_index=True)
    subject = models.CharField("标题", max_length=200)
    link = models.CharField("站内链接", max_length=300, blank=True)
    related_type = models.CharField("关联对象类型", max_length=60, blank=True)
    related_id = models.CharField("关联对象编号", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self):
        return f"{self.template_code} → {self.recipient_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败待重试")
        GIVEN_UP = "given_up", _("已放弃")
        SKIPPED = "skipped", _("未发送（无联系方式）")

    notification = models.ForeignKey(
        Notification, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("正文")
    # A number that belongs to no account (hall visitors), encrypted; pages show the masked form.
    to_phone = EncryptedTextField("手机号码", blank=True, editable=False)
    to_phone_masked = models.CharField("手机号码（脱敏）", max_length=20, blank=True)
    # The text of a message that must not be kept readable (a verification code): encrypted, sent
    # from here, and erased once the delivery is finished; `body` then shows it masked.
    secret_body = EncryptedTextField("保密正文", blank=True, editable=False)
    is_secret = models.BooleanField("保密短信", default=False, editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    provider = models.CharField("发送通道", max_length=40, blank=True)
    provider_message_id = models.CharField("通道消息编号", max_length=100, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    resent_from = models.ForeignKey(
        "self",
        verbose_name="重发自",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resends",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "发送记录"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk} {self.get_status_display()}"

    @property
    def recipient(self):
        return self.notification.recipient


class InboxMessage(models.Model):
    """An in-app message in the recipient's 消息中心. Written by the in-app channel's delivery."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="inbox_messages",
    )
    delivery = models.OneToOneField(
        Delivery,
        verbose_name="发送记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_message",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", help_text="已转义的 HTML 文本")
    link = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    created_at = models.DateTimeField("收到时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class SmsOutbox(models.Model):
    """What the demo "log" SMS plugin sent, so people and tests can see it. The phone is encrypted;
    pages and the admin show only the masked form."""

    phone = EncryptedTextField("手机号码")
    masked_phone = models.CharField("手机号码（脱敏）", max_length=20)
    text = models.TextField("短信内容")
    reference = models.CharField("发送记录编号", max_length=40, blank=True)
    created_at = models.DateTimeField("发送时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "短信发件箱（演示）"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.masked_phone} {self.text[:20]}"
