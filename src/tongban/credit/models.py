"""Credit records (信用记录) the platform itself produces or is told of.

A record is kept against an identity (公民身份号码 or 统一社会信用代码, stored encrypted with a blind
index), not an account: the same person applying from a second account, or as the subject of an
entrusted application, is still found. Records are written only through credit.actions; an
entry is never edited, only lifted by a later dated row (ended_on).
"""

from django.db import models

from tongban.core import pii
from tongban.core.fields import EncryptedTextField
from tongban.core.identifiers import id_blind_index


class CreditRecord(models.Model):
    class Kind(models.TextChoices):
        FALSE_COMMITMENT = "false_commitment", "虚假承诺"
        SERIOUS_DISHONESTY = "dishonest", "严重失信"

    kind = models.CharField("记录类型", max_length=20, choices=Kind.choices)
    subject_name = models.CharField("主体名称", max_length=200)
    subject_id_type = models.CharField(
        "证件类型", max_length=3, help_text="111 公民身份号码 · 001 统一社会信用代码"
    )
    subject_id_number = EncryptedTextField("证件号码")
    subject_id_index = models.CharField("证件号码索引", max_length=64, db_index=True)
    reason = models.TextField("事由")
    department = models.ForeignKey(
        "core.Department", verbose_name="认定部门", on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="关联办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name="记录人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ends_on = models.DateField("公示截止日期", help_text="到期后不再影响告知承诺和容缺受理的适用")

    class Meta:
        verbose_name = verbose_name_plural = "信用记录"
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {pii.mask_name(self.subject_name)}"

    @staticmethod
    def index_for(id_type: str, id_number: str) -> str:
        return id_blind_index(id_type, id_number)

    @property
    def masked_id_number(self) -> str:
        return pii.mask_id_number(self.subject_id_number)
