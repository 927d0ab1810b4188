"""A recognition (材料识别) of one uploaded or scanned document, its history, and what people
corrected in what it offered."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.ocr import kinds


class Recognition(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("识别中")
        DONE = "done", _("已识别，待确认")
        FAILED = "failed", _("未能识别")
        CONFIRMED = "confirmed", _("已确认")

    # The moves are declared in ocr/states.py (core.statemachine).

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("证件种类", max_length=30, choices=kinds.choices())
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    source = models.FileField("识别的文件", upload_to="ocr/%Y/%m/")
    content_type = models.CharField("类型", max_length=40)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    fields = models.JSONField("识别结果", default=dict, blank=True)
    reason = models.CharField("未能识别的原因", max_length=200, blank=True)
    seconds = models.FloatField("识别耗时（秒）", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "材料识别"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_status_display()}"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def offered(self) -> dict[str, dict]:
        """Fields with a value the person may take: checked and confident enough."""
        return {n: f for n, f in self.fields.items() if f.get("value") and not f.get("problem")}


class RecognitionEvent(models.Model):
    """Append-only history of a recognition's status."""

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("原状态", max_length=10)
    to_status = models.CharField("新状态", max_length=10)
    at = models.DateTimeField("时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "识别状态记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class FieldCorrection(models.Model):
    """What a person kept or changed of one offered field: per-field accuracy over time."""

    recognition = models.ForeignKey(
        Recognition, on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField("证件种类", max_length=30, choices=kinds.choices(), db_index=True)
    field = models.CharField("字段", max_length=40)
    extracted = models.CharField("识别值", max_length=500, blank=True)
    corrected = models.CharField("确认值", max_length=500, blank=True)
    changed = models.BooleanField("被更正", default=False)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "识别更正记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "field"])]

    def __str__(self):
        return f"{self.kind}.{self.field}"
