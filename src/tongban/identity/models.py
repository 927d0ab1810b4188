"""Unified identity (统一身份认证): the department systems registered as OpenID Connect clients,
the keys that sign ID tokens, people's consents, their sessions and login history, SMS codes."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.fields import EncryptedTextField
from tongban.core.models import Department

# The scopes a department system may be granted, with what people see on the consent page.
SCOPES = {
    "openid": _("确认您的身份（登录）"),
    "profile": _("您的姓名、账户类型和经过遮挡的证件号码、手机号码"),
    "realname": _("您的实名认证等级"),
    "idcard": _("您完整的公民身份号码"),
    "enterprise": _("您所代表企业的统一社会信用代码及您的身份（法定代表人或经办人及授权范围）"),
}
# Scopes for system-to-system calls (client credentials): nobody's personal data.
SYSTEM_SCOPES = {
    "exchange": _("数据共享交换查询"),
    "intake": _("一次办理收件接口（自助终端、部门系统）"),
}


class SigningKey(models.Model):
    """An RSA key that signs ID tokens and logout tokens. One key is active; a rotated key stays in
    the JWKS (verifying tokens it signed) until `expires_at`, then it is dropped."""

    kid = models.CharField("密钥标识", max_length=64, unique=True)
    private_pem = EncryptedTextField("私钥", editable=False)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    retired_at = models.DateTimeField("停止签发时间", null=True, blank=True)
    expires_at = models.DateTimeField("停止验证时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "签名密钥"
        ordering = ["-created_at"]

    def __str__(self):
        return self.kid

    @property
    def state_label(self) -> str:
        if self.retired_at is None:
            return "签发中"
        if self.expires_at and self.expires_at <= timezone.now():
            return "已失效"
        return "仅用于验证"


class ClientRegistration(models.Model):
    """A department system that signs people in through Tongban (or calls its APIs as itself)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        SUSPENDED = "suspended", _("已停用")

    # Its moves: the transition table in identity/states.py (core.statemachine).

    application = models.OneToOneField(
        "oauth2_provider.Application",
        verbose_name="OAuth 客户端",
        on_delete=models.PROTECT,
        related_name="registration",
    )
    name = models.CharField("系统名称", max_length=100)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="+"
    )

    class Grant(models.TextChoices):
        SIGN_IN = "authorization-code", _("为群众和企业登录（授权码 + PKCE）")
        SYSTEM = "client-credentials", _("系统间接口调用（客户端凭证）")

    grant = models.CharField(
        "接入方式", max_length=32, choices=Grant.choices, default=Grant.SIGN_IN
    )
    confidential = models.BooleanField(
        "机密客户端",
        default=True,
        help_text="服务器端系统为机密客户端；手机应用、单页应用为公开客户端",
    )
    redirect_uris = models.TextField("登录回调地址", blank=True, help_text="每行一个")
    post_logout_redirect_uris = models.TextField("退出后跳转地址", blank=True, help_text="每行一个")
    backchannel_logout_uri = models.URLField("后台退出通知地址", blank=True)
    allowed_scopes = models.JSONField("允许的权限范围", default=list)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    secret_rotated_at = models.DateTimeField("密钥更新时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "接入系统"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class RegistrationChange(models.Model):
    """Append-only history of a registration: every status change and secret rotation."""

    registration = models.ForeignKey(
        ClientRegistration, on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField("操作", max_length=30)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "接入系统变更记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.registration} {self.action}"


class Consent(models.Model):
    """A person let a system have some of their data (scopes). Revoking ends it for good: the
    system's tokens for the person are deleted and the next sign-in asks again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    application = models.ForeignKey(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="consents"
    )
    scopes = models.JSONField("授权范围", default=list)
    granted_at = models.DateTimeField("授权时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户授权"
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "application"],
                condition=models.Q(revoked_at__isnull=True),
                name="consent_one_active",
            )
        ]

    def __str__(self):
        return f"{self.application} ← user:{self.user_id}"

    def covers(self, scopes) -> bool:
        return self.revoked_at is None and set(scopes) <= set(self.scopes)


def new_sid() -> str:
    return secrets.token_urlsafe(16)


class SignInSession(models.Model):
    """One browser session of a person: the `sid` in ID tokens (not the session cookie), the
    systems signed in through it (told by back-channel logout when it ends)."""

    sid = models.CharField(max_length=32, unique=True, default=new_sid, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signin_sessions"
    )
    session_key = models.CharField(max_length=64, db_index=True, editable=False)
    method = models.CharField("登录方式", max_length=20)
    device = models.CharField("设备", max_length=120, blank=True)
    address = models.CharField("登录地址（已遮挡）", max_length=64, blank=True)
    started_at = models.DateTimeField("登录时间", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    applications = models.ManyToManyField(
        "oauth2_provider.Application", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "登录会话"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.sid} ({self.method})"


class LoginEvent(models.Model):
    """Login history shown to the person: successes and failures on their account."""

    class Method(models.TextChoices):
        PASSWORD = "password", _("密码")
        SMS = "sms", _("短信验证码")
        REGISTER = "register", _("注册")
        RECOVERY = "recovery", _("找回密码")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_events"
    )
    method = models.CharField("方式", max_length=12, choices=Method.choices)
    succeeded = models.BooleanField("成功", default=True)
    device = models.CharField("设备", max_length=120, blank=True)
    address = models.CharField("地址（已遮挡）", max_length=64, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录记录"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_method_display()} {self.at:%Y-%m-%d %H:%M}"


class SmsCode(models.Model):
    """A one-time code sent to a phone. Only a keyed hash of the code is kept; the phone is kept
    as its blind index (never in clear), so a leaked table proves nothing."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("登录")
        REGISTER = "register", _("注册")
        RECOVER = "recover", _("找回密码")

    phone_index = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "短信验证码"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"
