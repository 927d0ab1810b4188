"""Review processes stored as data: versioned BPMN definitions, which process an item uses, and
the running instances (one per case review) with their serialized SpiffWorkflow state.

State changes go through `tongban.workflow.engine` (instances) and
`tongban.workflow.definitions` (definitions); nothing else writes these tables.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class ProcessDefinition(models.Model):
    """One version of a review process. Uploading a replacement adds a new version; instances
    already running keep the version they started with."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        RETIRED = "retired", "已停用"

    key = models.SlugField("流程标识", max_length=50, help_text="如 instant、promise、joint")
    name = models.CharField("流程名称", max_length=100)
    version = models.PositiveIntegerField("版本号")
    bpmn_xml = models.TextField("BPMN 2.0 XML")
    process_id = models.CharField("BPMN 流程 ID", max_length=100)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    uploaded_by = models.ForeignKey(
        "accounts.User",
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示平台随附的模板",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批流程定义"
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="processdefinition_unique_version"
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status="published"),
                name="processdefinition_one_published",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.key} v{self.version}）"


class ItemProcess(models.Model):
    """Which process an implementation item's cases are reviewed with. Without a row the
    default follows the item's 办件类型 (see `definitions.process_key_for_item`)."""

    item = models.OneToOneField(
        "catalog.ServiceItem",
        verbose_name="实施清单事项",
        on_delete=models.CASCADE,
        related_name="process_choice",
    )
    process_key = models.SlugField("审批流程标识", max_length=50)
    joint_departments = models.ManyToManyField(
        "core.Department",
        verbose_name="联办部门",
        blank=True,
        related_name="+",
        help_text="联办流程中并行审核的部门（作为 joint_departments 传给流程）",
    )
    separate_duties = models.BooleanField(
        "职责分离",
        default=True,
        help_text="同一工作人员不得在同一办件中承担受理、承办、审核、批准中的两项",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项审批流程"

    def __str__(self):
        return f"{self.item_id} → {self.process_key}"

    def clean(self):
        published = ProcessDefinition.objects.filter(
            key=self.process_key, status=ProcessDefinition.Status.PUBLISHED
        )
        if not published.exists():
            raise ValidationError({"process_key": f"没有已发布的审批流程「{self.process_key}」"})


class WorkflowInstance(models.Model):
    """One running (or finished) review of one subject, usually a case.

    `state` is the SpiffWorkflow serialization (it embeds the process spec, so a running
    instance is unaffected by later uploads); `ready` caches the ready user tasks so reading a
    待办 list needs no deserialization; `history` is the list of completed steps. `version` is
    the optimistic-lock counter: every save is `UPDATE … WHERE version = n`.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "办理中"
        FINISHED = "finished", "已结束"

    subject_type = models.CharField("业务对象类型", max_length=100, help_text="如 cases.case")
    subject_id = models.CharField("业务对象 ID", max_length=64)
    definition = models.ForeignKey(
        ProcessDefinition,
        verbose_name="流程定义",
        on_delete=models.PROTECT,
        related_name="instances",
    )
    state = models.TextField("流程状态（JSON 文本）")
    ready = models.JSONField("当前待办环节", default=list, blank=True)
    history = models.JSONField("已办环节", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True
    )
    outcome = models.CharField("结果", max_length=10, blank=True)
    version = models.PositiveIntegerField("版本计数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "审批流程实例"
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.subject_type}#{self.subject_id}（{self.definition.key}）"
