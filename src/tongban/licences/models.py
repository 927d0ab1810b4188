"""Electronic licences (电子证照, GB/T 36901…36906): types, issued licences with their versions,
every use of a licence (用证记录) and the expiry reminders sent. State changes go through
licences.actions; the signed PDF of each version is a seals.IssuedDocument."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tongban.core import pii
from tongban.core.fields import EncryptedTextField
from tongban.core.identifiers import ID_TYPES, IdType, id_blind_index
from tongban.licences import identifier


def _check_type_code(value: str) -> None:
    if not identifier.TYPE_CODE_RE.match(value or ""):
        raise ValidationError("证照类型代码应为定义机构的 18 位统一社会信用代码加 3 位数字")


def _check_reminder_days(value: str) -> None:
    try:
        days = [int(x) for x in (value or "").split(",") if x.strip()]
    except ValueError:
        raise ValidationError("提醒天数应为以逗号分隔的整数，例如 90,30,7") from None
    if any(d <= 0 or d > 3650 for d in days):
        raise ValidationError("提醒天数应在 1–3650 之间")


class LicenceType(models.Model):
    """证照类型 (证照目录): what a licence of this kind carries and how long it is valid."""

    class HolderKind(models.TextChoices):
        PERSON = "person", _("自然人")
        ENTERPRISE = "enterprise", _("法人")

    name = models.CharField("证照类型名称", max_length=100)
    type_code = models.CharField(
        "证照类型代码",
        max_length=21,
        unique=True,
        validators=[_check_type_code],
        help_text="定义机构统一社会信用代码（18 位）+ 3 位数字，GB/T 36904",
    )
    issuing_department = models.ForeignKey(
        "core.Department",
        verbose_name="颁发机构",
        on_delete=models.PROTECT,
        related_name="licence_types",
    )
    holder_kind = models.CharField("持证主体类型", max_length=10, choices=HolderKind.choices)
    validity_years = models.PositiveSmallIntegerField(
        "有效期（年）", default=0, help_text="0 表示长期有效"
    )
    reminder_days = models.CharField(
        "到期提醒（提前天数）",
        max_length=60,
        default="90,30,7",
        blank=True,
        validators=[_check_reminder_days],
    )
    fields = models.JSONField(
        "照面信息项",
        default=list,
        blank=True,
        help_text='[{"key": "business_scope", "label": "许可项目"}]；值取自申请表单同名字段',
    )
    pdf_notes = models.TextField("证照版式：告知事项", blank=True)
    renewal_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="延续办理事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_for_items = models.ManyToManyField(
        "catalog.ServiceItem",
        verbose_name="出证事项",
        blank=True,
        related_name="licence_types",
        help_text="这些事项出证办结时自动签发本类证照；未关联时按事项的结果名称匹配",
    )
    is_active = models.BooleanField("启用", default=True)
    last_serial = models.PositiveIntegerField("已用最大流水号", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证照类型"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.type_code}）"

    @property
    def reminder_day_list(self) -> list[int]:
        return sorted(
            {int(x) for x in (self.reminder_days or "").split(",") if x.strip().isdigit()},
            reverse=True,
        )

    def valid_until_for(self, issued_on: datetime.date) -> datetime.date | None:
        if not self.validity_years:
            return None
        try:
            end = issued_on.replace(year=issued_on.year + self.validity_years)
        except ValueError:  # 29 February
            end = issued_on.replace(year=issued_on.year + self.validity_years, day=28)
        return end - datetime.timedelta(days=1)


class Licence(models.Model):
    """One version of one licence. 变更/延续 create a new version (same serial, version + 1) and the
    previous version becomes `replaced`; 撤销 and 注销 end the current version (no new one). The
    allowed moves are in licences.states."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已撤销")
        CANCELLED = "cancelled", _("已注销")
        REPLACED = "replaced", _("已被新版本替代")

    class TrustLevel(models.TextChoices):
        A = "A", _("A 级（发证机关签章）")
        B = "B", _("B 级（窗口人员核验）")
        C = "C", _("C 级（用户上传）")
        D = "D", _("D 级（用户承诺）")

    identifier = models.CharField("证照标识", max_length=120, unique=True)
    licence_type = models.ForeignKey(
        LicenceType, verbose_name="证照类型", on_delete=models.PROTECT, related_name="licences"
    )
    number = models.CharField("证照编号", max_length=100, blank=True)
    serial = models.CharField("流水号", max_length=32)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    issuer = models.ForeignKey(
        "core.Department", verbose_name="颁发机构", on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("管辖属地编码", max_length=12, blank=True)
    holder_name = models.CharField("持证主体", max_length=200)
    holder_id_type = models.CharField(
        "持证主体代码类型", max_length=3, help_text="111 公民身份号码，001 统一社会信用代码"
    )
    holder_id_number = EncryptedTextField("持证主体代码")
    holder_id_index = models.CharField(max_length=64, db_index=True, editable=False)
    owner = models.ForeignKey(
        "accounts.User",
        verbose_name="持证账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="licences",
    )
    data = models.JSONField("照面信息", default=dict, blank=True)
    issued_on = models.DateField("颁发日期")
    valid_until = models.DateField("有效期至", null=True, blank=True, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.VALID, db_index=True
    )
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    status_basis = models.CharField("法律依据", max_length=300, blank=True)
    status_document = models.ForeignKey(
        "seals.IssuedDocument",
        verbose_name="撤销决定书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_kind = models.CharField("版本原因", max_length=10, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name="上一版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
    )
    document = models.ForeignKey(
        "seals.IssuedDocument",
        verbose_name="证照文件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="来源办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_licences",
    )
    trust_level = models.CharField(
        "可信等级", max_length=1, choices=TrustLevel.choices, default=TrustLevel.A
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子证照"
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["holder_id_index", "status"]),
            models.Index(fields=["licence_type", "serial"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "issuer", "serial", "version"],
                name="licence_unique_version",
            )
        ]

    def __str__(self):
        return f"{self.licence_type.name} {self.identifier}"

    @staticmethod
    def index_for(id_type: str, id_number: str) -> str:
        return id_blind_index(id_type, id_number)

    def set_holder(self, name: str, id_type: str, id_number: str) -> None:
        self.holder_name, self.holder_id_type = name, id_type
        self.holder_id_number = pii.normalise(id_number)
        self.holder_id_index = self.index_for(id_type, id_number)

    @property
    def effective_status(self) -> str:
        """Stored status, except that a valid licence past its end date already counts as expired."""
        if (
            self.status == self.Status.VALID
            and self.valid_until is not None
            and self.valid_until < timezone.localdate()
        ):
            return self.Status.EXPIRED
        return self.status

    @property
    def effective_status_label(self) -> str:
        return self.Status(self.effective_status).label

    @property
    def is_usable(self) -> bool:
        return self.effective_status == self.Status.VALID

    @property
    def masked_holder_name(self) -> str:
        return (
            self.holder_name
            if self.holder_id_type == IdType.USCC
            else pii.mask_name(self.holder_name)
        )

    @property
    def masked_holder_id(self) -> str:
        if self.holder_id_type == IdType.USCC:
            return self.holder_id_number
        return pii.mask_id_number(self.holder_id_number)

    @property
    def holder_id_type_label(self) -> str:
        return IdType(self.holder_id_type).label if self.holder_id_type in ID_TYPES else ""

    def metadata(self) -> dict:
        """GB/T 36903 directory metadata (证照目录信息), keys as the standard names them; values in
        the official language whatever the interface language."""
        with translation.override(settings.LANGUAGE_CODE):
            status = str(self.get_status_display())
        return {
            "证照名称": self.licence_type.name,
            "证照标识": self.identifier,
            "证照编号": self.number or self.identifier,
            "证照类型名称": self.licence_type.name,
            "证照类型代码": self.licence_type.type_code,
            "持证主体": self.holder_name,
            "持证主体代码": self.holder_id_number,
            "持证主体代码类型": self.holder_id_type,
            "颁发机构": self.issuer.name,
            "颁发机构代码": self.issuer.uscc,
            "颁发日期": self.issued_on.isoformat(),
            "有效期起始": self.issued_on.isoformat(),
            "有效期截止": self.valid_until.isoformat() if self.valid_until else "长期",
            "管辖属地编码": self.region_code,
            "版本号": f"{self.version:03d}",
            "证照状态": status,
            "可信等级": self.trust_level,
            "照面信息": {label: value for label, value in self.field_rows()},
        }

    def field_rows(self) -> list[tuple[str, str]]:
        return [
            (f.get("label", f.get("key", "")), str(self.data.get(f.get("key"), "") or ""))
            for f in self.licence_type.fields or []
        ]


class LicenceStatusChange(models.Model):
    """History of a licence version's status (append-only): who moved it, from what to what, why,
    on which legal basis and with which document (撤销决定书)."""

    licence = models.ForeignKey(
        Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField("原状态", max_length=10, choices=Licence.Status.choices)
    to_status = models.CharField("新状态", max_length=10, choices=Licence.Status.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    legal_basis = models.CharField("法律依据", max_length=300, blank=True)
    document = models.ForeignKey(
        "seals.IssuedDocument",
        verbose_name="决定书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "证照状态变更"
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.licence.identifier} {self.from_status}→{self.to_status}"


class LicenceUse(models.Model):
    """用证记录: every use of a licence — to waive a material, a lookup, a 亮证 scan. Append-only,
    shown to the holder."""

    class Purpose(models.TextChoices):
        MATERIAL = "material", _("免提交申请材料")
        LOOKUP = "lookup", _("部门查询")
        SHOW = "show", _("亮证核验")

    licence = models.ForeignKey(
        Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="uses"
    )
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="licence_uses",
    )
    material = models.ForeignKey(
        "catalog.Material",
        verbose_name="替代材料",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name="用证部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_by = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent = models.BooleanField("持证人已授权", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    used_at = models.DateTimeField("用证时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "用证记录"
        ordering = ["-used_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material"],
                condition=models.Q(purpose="material"),
                name="licenceuse_one_per_material",
            )
        ]

    def __str__(self):
        return f"{self.licence.identifier} {self.get_purpose_display()}"


class ReminderSent(models.Model):
    """One expiry reminder per licence version and lead time, never twice."""

    licence = models.ForeignKey(
        Licence, verbose_name="证照", on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField("提前天数")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "到期提醒"
        constraints = [
            models.UniqueConstraint(fields=["licence", "days_before"], name="reminder_once")
        ]

    def __str__(self):
        return f"{self.licence.identifier} 提前 {self.days_before} 天"
