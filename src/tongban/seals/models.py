"""Department e-seals, the platform CA that certifies them, their use log and the documents issued.

Private keys (of the CA and of every seal) are stored encrypted with core.pii (AES-GCM, rotating
keys); nothing here ever holds a key in the clear. State changes go through seals.actions.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlatformCA(models.Model):
    """The platform's own certification authority. Normally one row; older rows stay as trust roots
    so documents signed under a replaced CA can still be verified."""

    name = models.CharField("名称", max_length=200)
    certificate_pem = models.TextField("根证书（PEM）")
    private_key_encrypted = models.TextField("私钥（加密存储）", blank=True)
    serial_hex = models.CharField("证书序列号", max_length=64, unique=True)
    fingerprint_sha256 = models.CharField("证书指纹（SHA-256）", max_length=64)
    valid_from = models.DateTimeField("生效时间")
    valid_until = models.DateTimeField("失效时间")
    is_current = models.BooleanField("当前签发", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "平台根证书"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name}（{self.serial_hex[:16]}）"


class Seal(models.Model):
    """One e-seal: picture, key pair and certificate. Rotation creates a new row and marks this one
    rotated (it still verifies old documents, but can no longer sign)."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "公章"
        BUSINESS = "business", "业务专用章"
        LICENCE = "licence", "电子证照专用章"

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        ROTATED = "rotated", _("已更换")
        REVOKED = "revoked", _("已注销")
        EXPIRED = "expired", _("已过期")

    department = models.ForeignKey(
        "core.Department", verbose_name="所属部门", on_delete=models.PROTECT, related_name="seals"
    )
    name = models.CharField("印章名称", max_length=100)
    kind = models.CharField("印章类型", max_length=10, choices=Kind.choices)
    image_png = models.BinaryField("印模图片（PNG）", editable=False)
    certificate_pem = models.TextField("印章证书（PEM）")
    private_key_encrypted = models.TextField("私钥（加密存储）")
    serial_hex = models.CharField("证书序列号", max_length=64, unique=True)
    fingerprint_sha256 = models.CharField("证书指纹（SHA-256）", max_length=64)
    issuer_ca = models.ForeignKey(
        PlatformCA, verbose_name="签发根证书", on_delete=models.PROTECT, related_name="seals"
    )
    valid_from = models.DateTimeField("生效时间")
    valid_until = models.DateTimeField("失效时间")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    revocation_reason = models.CharField("注销原因", max_length=200, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="更换后的印章",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子印章"
        ordering = ["department_id", "kind", "-created_at"]
        indexes = [models.Index(fields=["department", "kind", "status"])]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}，{self.effective_status_label}）"

    @property
    def effective_status(self) -> str:
        """The stored status, except that an active seal past its end date counts as expired."""
        if (
            self.status == self.Status.ACTIVE
            and self.valid_until is not None
            and self.valid_until <= timezone.now()
        ):
            return self.Status.EXPIRED
        return self.status

    @property
    def effective_status_label(self) -> str:
        return self.Status(self.effective_status).label

    @property
    def can_sign(self) -> bool:
        return self.effective_status == self.Status.ACTIVE and self.valid_from <= timezone.now()


class SealUse(models.Model):
    """Every use of a seal, append-only: which document, which bytes (hash), who, for what."""

    seal = models.ForeignKey(
        Seal, verbose_name="印章", on_delete=models.PROTECT, related_name="uses"
    )
    used_at = models.DateTimeField("用印时间", default=timezone.now, db_index=True)
    document_type = models.CharField("文书类型", max_length=40)
    document_number = models.CharField("文书编号", max_length=100, db_index=True)
    sha256 = models.CharField("签章后文件 SHA-256", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    related_type = models.CharField("关联对象类型", max_length=80, blank=True)
    related_id = models.CharField("关联对象标识", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用印记录"
        ordering = ["-used_at"]
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self):
        return f"{self.seal.name} {self.document_number} {self.used_at:%Y-%m-%d %H:%M}"


class DocumentNumberCounter(models.Model):
    """Per department, per year, per prefix (文号代字): the last number handed out. The row is
    locked with select_for_update while a number is taken."""

    department = models.ForeignKey(
        "core.Department", verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    prefix = models.CharField("文号代字", max_length=30)
    last_number = models.PositiveIntegerField("已用最大号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "文书编号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "prefix"], name="seals_counter_unique"
            )
        ]

    def __str__(self):
        return f"{self.prefix}〔{self.year}〕{self.last_number}号"


class IssuedDocument(models.Model):
    """A signed PDF the platform issued, stored under PRIVATE_FILES_ROOT with a random file name."""

    class Type(models.TextChoices):
        ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"
        CORRECTION_NOTICE = "correction_notice", "补正告知书"
        REJECTION_DECISION = "rejection_decision", "不予受理决定书"
        DECISION = "decision", "决定书"
        LICENCE = "licence", "证照"
        RECEIPT = "receipt", "申请回执"
        REVIEW_REPORT = "review_report", "审查报告"
        SUPERVISION_REPORT = "supervision_report", "效能监察月度报告"
        OTHER = "other", "其他文书"

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("文书编号", max_length=100, unique=True)
    document_type = models.CharField("文书类型", max_length=30, choices=Type.choices)
    title = models.CharField("标题", max_length=200)
    department = models.ForeignKey(
        "core.Department",
        verbose_name="签发部门",
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    seal = models.ForeignKey(
        Seal, verbose_name="印章", on_delete=models.PROTECT, related_name="documents"
    )
    file = models.FileField("文件", upload_to="issued/", max_length=200)
    sha256 = models.CharField("文件 SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("文件大小（字节）")
    issued_on = models.DateField("签发日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    related_type = models.CharField("关联对象类型", max_length=80, blank=True)
    related_id = models.CharField("关联对象标识", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "已签发文书"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self):
        return f"{self.get_document_type_display()} {self.number}"

    def read_bytes(self) -> bytes:
        with self.file.open("rb") as handle:
            return handle.read()
