"""Data sharing and exchange (数据共享交换): the data-resource catalogue, consumers, grants, access
requests, the call log with its sealed checkpoints, bulk-loaded copies and their loads.

Only exchange.actions writes these rows. A published resource version is never edited: editing a
resource creates a new draft that copies the published one (the same discipline as service items).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import Department

# Room for the national case number (43 characters) and a department system's own references.
CASE_REF_LENGTH = 64


class ResourceClass(models.Model):
    """A node of the configurable class tree (基础库 / 主题库 / 部门库 and the city's own)."""

    code = models.CharField("分类代码", max_length=20, unique=True)
    name = models.CharField("分类名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "数据资源分类"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def path(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class ShareCondition(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NOT_SHARED = "not_shared", _("不予共享")


class Sensitivity(models.TextChoices):
    GENERAL = "general", _("一般")
    SENSITIVE = "sensitive", _("敏感")
    IMPORTANT = "important", _("重要")


class ItemType(models.TextChoices):
    STRING = "string", _("字符")
    DATE = "date", _("日期")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    BOOLEAN = "boolean", _("布尔")


class Resource(models.Model):
    """A data resource (政务数据资源) held by one providing department."""

    code = models.CharField("资源代码", max_length=40, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="提供部门", on_delete=models.PROTECT, related_name="+"
    )
    current_version = models.ForeignKey(
        "ResourceVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据资源"
        ordering = ["code"]

    def __str__(self):
        version = self.current_version
        return f"{version.name if version else self.code}（{self.code}）"


class ResourceVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        SUPERSEDED = "superseded", _("已被新版本替代")
        WITHDRAWN = "withdrawn", _("已停用")

    class Delivery(models.TextChoices):
        QUERY = "query", _("查询接口")
        BULK = "bulk", _("批量文件")
        BOTH = "both", _("查询接口和批量文件")

    ELEMENT_FIELDS = [
        "name",
        "resource_class",
        "description",
        "subject_kind",
        "update_frequency",
        "share_condition",
        "share_basis",
        "open_condition",
        "delivery",
        "provider_plugin",
        "provider_options",
        "provider_label",
    ]

    resource = models.ForeignKey(
        Resource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    change_note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    ended_at = models.DateTimeField("停用或替代时间", null=True, blank=True)

    name = models.CharField("资源名称", max_length=100)
    resource_class = models.ForeignKey(
        ResourceClass, verbose_name="资源分类", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("资源摘要", blank=True)
    subject_kind = models.CharField(
        "查询主体",
        max_length=12,
        choices=[("citizen_id", "公民身份号码"), ("uscc", "统一社会信用代码")],
        default="citizen_id",
    )
    update_frequency = models.CharField("更新周期", max_length=20, default="实时")
    share_condition = models.CharField("共享属性", max_length=16, choices=ShareCondition.choices)
    share_basis = models.TextField("共享条件与依据", blank=True)
    open_condition = models.CharField("开放属性", max_length=100, default="不予开放")
    delivery = models.CharField(
        "共享方式", max_length=8, choices=Delivery.choices, default=Delivery.QUERY
    )
    provider_plugin = models.CharField(
        "提供方插件", max_length=40, default="local_table", help_text="exchange_provider 插件名"
    )
    provider_options = models.JSONField("提供方插件配置", default=dict, blank=True)
    provider_label = models.CharField(
        "核验来源名称", max_length=60, blank=True, help_text="如：公安人口库，显示给工作人员"
    )

    class Meta:
        verbose_name = verbose_name_plural = "数据资源版本"
        ordering = ["resource_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="resourceversion_number")
        ]

    def __str__(self):
        return f"{self.name} 第{self.number}版（{self.get_status_display()}）"


class DataItem(models.Model):
    """A data item (信息项) of a resource version, with its validation rule."""

    class Rule(models.TextChoices):
        NONE = "", _("无")
        CITIZEN_ID = "citizen_id", _("公民身份号码校验位")
        USCC = "uscc", _("统一社会信用代码校验位")
        CODE_TABLE = "code_table", _("代码表取值")
        DATE = "date", _("日期")

    version = models.ForeignKey(
        ResourceVersion, verbose_name="资源版本", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    code = models.CharField("信息项代码", max_length=40)
    name = models.CharField("信息项名称", max_length=60)
    item_type = models.CharField("数据类型", max_length=8, choices=ItemType.choices)
    code_table = models.CharField(
        "代码表", max_length=300, blank=True, help_text="允许的取值，以 | 分隔"
    )
    description = models.CharField("说明", max_length=200, blank=True)
    sensitivity = models.CharField(
        "敏感级别", max_length=10, choices=Sensitivity.choices, default=Sensitivity.GENERAL
    )
    personal = models.BooleanField("是否个人信息", default=False)
    required = models.BooleanField("是否必填", default=False)
    rule = models.CharField("校验规则", max_length=12, choices=Rule.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息项"
        ordering = ["version_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="dataitem_code_per_version")
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ResourceChange(models.Model):
    """Append-only history of a resource's versions."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="changes")
    version = models.ForeignKey(ResourceVersion, on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    note = models.CharField("说明", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据资源变更记录"
        ordering = ["resource_id", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class Consumer(models.Model):
    """Who reads shared data: a department system (OAuth client) or a platform function."""

    class Kind(models.TextChoices):
        SYSTEM = "system", _("部门业务系统")
        PLATFORM = "platform", _("平台功能")

    code = models.CharField("使用方代码", max_length=40, unique=True)
    name = models.CharField("使用方名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="平台功能不属于某个部门",
    )
    application = models.OneToOneField(
        "oauth2_provider.Application",
        verbose_name="OAuth 客户端",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exchange_consumer",
    )
    rate_limit_per_minute = models.PositiveIntegerField("每分钟调用上限", default=600)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据使用方"
        ordering = ["code"]

    def __str__(self):
        return self.name


class AccessRequest(models.Model):
    """A consumer's request to use items of a 有条件共享 resource, decided by the provider."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已拒绝")
        CANCELLED = "cancelled", _("已撤回")

    consumer = models.ForeignKey(
        Consumer, verbose_name="使用方", on_delete=models.PROTECT, related_name="requests"
    )
    resource = models.ForeignKey(
        Resource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="requests"
    )
    items = models.JSONField("申请信息项", default=list)
    purpose = models.CharField("用途", max_length=200)
    legal_basis = models.CharField("法律依据", max_length=300)
    valid_until = models.DateField("申请使用期限")
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField("审核意见", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享申请"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.consumer} → {self.resource}"


class AccessRequestChange(models.Model):
    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享申请变更记录"
        ordering = ["request_id", "id"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class Grant(models.Model):
    """Permission for a consumer to read some items of a resource, for a purpose, until a date."""

    consumer = models.ForeignKey(
        Consumer, verbose_name="使用方", on_delete=models.PROTECT, related_name="grants"
    )
    resource = models.ForeignKey(
        Resource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="grants"
    )
    items = models.JSONField("授权信息项", default=list)
    purpose = models.CharField("用途", max_length=200)
    legal_basis = models.CharField("法律依据", max_length=300)
    valid_until = models.DateField("有效期至")
    request = models.OneToOneField(
        AccessRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="grant"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享授权"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["consumer", "resource"])]

    def __str__(self):
        return f"{self.consumer} · {self.resource}"


class CallRecord(models.Model):
    """One call or bulk delivery, metadata only. Appended freely (no lock); the seal task later
    puts it into a signed checkpoint whose leaf list covers its hash."""

    class Kind(models.TextChoices):
        QUERY = "query", _("查询")
        BULK = "bulk", _("批量交换")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("已返回")
        NOT_FOUND = "not_found", _("无此记录")
        DENIED = "denied", _("拒绝")
        FAILED = "failed", _("提供方故障")

    occurred_at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("类型", max_length=6, choices=Kind.choices, default=Kind.QUERY)
    consumer_code = models.CharField("使用方", max_length=40, db_index=True)
    consumer_name = models.CharField("使用方名称", max_length=100)
    resource_code = models.CharField("资源", max_length=40, db_index=True)
    provider_department = models.CharField("提供部门", max_length=100, blank=True)
    items = models.CharField("信息项", max_length=500, blank=True)
    subject_index = models.CharField("主体（盲索引）", max_length=64, blank=True, db_index=True)
    subject_count = models.PositiveIntegerField("主体数", default=0)
    purpose = models.CharField("用途", max_length=200, blank=True)
    case_ref = models.CharField("办件", max_length=CASE_REF_LENGTH, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    latency_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    rows = models.PositiveIntegerField("行数", default=0)
    record_hash = models.CharField(max_length=64)
    checkpoint = models.ForeignKey(
        "Checkpoint", null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用数记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["checkpoint", "id"])]

    def __str__(self):
        return f"{self.consumer_name} → {self.resource_code}（{self.get_outcome_display()}）"


class Checkpoint(models.Model):
    """A sealed batch of call records: their (id, hash) leaves, chained to the previous checkpoint
    and signed by the platform CA."""

    number = models.PositiveIntegerField("序号", unique=True)
    sealed_at = models.DateTimeField("封存时间")
    record_count = models.PositiveIntegerField("记录数")
    first_record = models.BigIntegerField("首条记录")
    last_record = models.BigIntegerField("末条记录")
    leaves = models.BinaryField("叶子（记录号与哈希）")
    previous_hash = models.CharField(max_length=64)
    checkpoint_hash = models.CharField(max_length=64)
    signature = models.TextField("签名（base64）")
    ca_serial = models.CharField("签名证书序列号", max_length=40)

    class Meta:
        verbose_name = verbose_name_plural = "用数记录封存点"
        ordering = ["number"]

    def __str__(self):
        return f"封存点 {self.number}"


class LocalRecord(models.Model):
    """A row of a bulk-loaded copy of a resource, found by the subject's blind index. The values
    are personal data, so the whole row is stored encrypted."""

    # No database-level foreign keys here: a bulk load writes 100,000s of rows, and the database
    # would check both keys of every row at commit (two thirds of a load's time on PostgreSQL).
    # The rows are written only by actions/bulk.py, with the ids of the resource and the load it
    # has just read in the same transaction; Django still cascades and nulls on delete. The
    # resource needs no index of its own: the unique constraint below starts with it.
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    subject_index = models.CharField(max_length=64)
    data = models.TextField("数据（加密）")
    load = models.ForeignKey(
        "BulkLoad", null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = verbose_name_plural = "共享数据本地副本"
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "subject_index"], name="localrecord_one_per_subject"
            )
        ]

    def __str__(self):
        return f"{self.resource_id}:{self.subject_index[:8]}"


class BulkLoad(models.Model):
    """One bulk file delivered for a resource: checked by row count and checksum, loaded in one
    transaction, with its data-quality report. Loading the same file again does nothing."""

    class Status(models.TextChoices):
        LOADED = "loaded", _("已装载")
        REJECTED = "rejected", _("已拒绝")

    class Mode(models.TextChoices):
        FULL = "full", _("全量")
        INCREMENTAL = "incremental", _("增量")

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="loads")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("校验和", max_length=64)
    mode = models.CharField("方式", max_length=12, choices=Mode.choices)
    declared_rows = models.PositiveIntegerField("声明行数")
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    loaded_rows = models.PositiveIntegerField("装载行数", default=0)
    report = models.JSONField("质量报告", default=dict)
    reason = models.CharField("拒绝原因", max_length=300, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量装载"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "sha256"],
                condition=models.Q(status="loaded"),
                name="bulkload_once_per_file",
            )
        ]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"


class MaterialSubstitute(models.Model):
    """A material (by name, across item versions) that shared data can stand in for."""

    material_name = models.CharField("材料名称", max_length=200, unique=True)
    resource = models.ForeignKey(Resource, verbose_name="数据资源", on_delete=models.PROTECT)
    items = models.JSONField("核验信息项", default=list)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "可由共享数据替代的材料"
        ordering = ["material_name"]

    def __str__(self):
        return self.material_name


class MaterialVerification(models.Model):
    """Shared data standing in for a material of an application (免证可办), with its provenance:
    which resource and provider answered, when, and the call record (whose checkpoint seals it).
    The application lives in a domain to the right, so it is referred to by id and number."""

    application_ref = models.BigIntegerField("申请", db_index=True)
    case_ref = models.CharField("办件编号", max_length=CASE_REF_LENGTH, blank=True)
    material = models.ForeignKey(
        "catalog.Material", verbose_name="材料", on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(Resource, verbose_name="数据资源", on_delete=models.PROTECT)
    resource_name = models.CharField("资源名称", max_length=100)
    provider_department = models.CharField("提供部门", max_length=100)
    provider_label = models.CharField("核验来源", max_length=60)
    items = models.JSONField("核验信息项", default=list)
    values = models.TextField("核验结果（加密）")
    call_record = models.ForeignKey(CallRecord, on_delete=models.PROTECT, related_name="+")
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField("核验时间")
    released_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享数据核验（免提交材料）"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.material_id} ← {self.provider_label}"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    PARQUET = "parquet", "Parquet"


class Subscription(models.Model):
    """A consumer's standing order for bulk files of a resource (批量交付/订阅): the granted items
    it receives, in one file format, as full and incremental extracts on a schedule or on demand."""

    consumer = models.ForeignKey(
        Consumer, verbose_name="使用方", on_delete=models.PROTECT, related_name="subscriptions"
    )
    resource = models.ForeignKey(
        Resource, verbose_name="数据资源", on_delete=models.PROTECT, related_name="subscriptions"
    )
    items = models.JSONField("订阅信息项", default=list)
    file_format = models.CharField("文件格式", max_length=8, choices=FileFormat.choices)
    purpose = models.CharField("用途", max_length=200)
    full_every_days = models.PositiveSmallIntegerField(
        "全量间隔（天）",
        default=7,
        help_text="按计划交付时，距上次全量满这么多天再出全量，其余出增量",
    )
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("订阅时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量交付订阅"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "resource"], name="subscription_one_per_resource"
            )
        ]

    def __str__(self):
        return f"{self.consumer} · {self.resource}"


class Extract(models.Model):
    """One file produced for a subscription, with its manifest: the resource version, the items
    delivered, the row count, the period it covers and the file's SHA-256."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("按计划")
        DEMAND = "demand", _("按需")

    subscription = models.ForeignKey(
        Subscription, verbose_name="订阅", on_delete=models.PROTECT, related_name="extracts"
    )
    number = models.PositiveIntegerField("序号")
    mode = models.CharField("方式", max_length=12, choices=BulkLoad.Mode.choices)
    trigger = models.CharField("生成方式", max_length=8, choices=Trigger.choices)
    file_format = models.CharField("文件格式", max_length=8, choices=FileFormat.choices)
    resource_version = models.PositiveIntegerField("资源版本号")
    items = models.JSONField("交付信息项", default=list)
    rows = models.PositiveIntegerField("行数")
    sha256 = models.CharField("校验和", max_length=64)
    size = models.PositiveBigIntegerField("字节数")
    file = models.FileField("文件", max_length=200)
    period_start = models.DateTimeField("起始（不含）", null=True, blank=True)
    period_end = models.DateTimeField("截至")
    through_load = models.BigIntegerField("包含的最后一次装载", default=0)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量交付文件"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "number"], name="extract_number")
        ]

    def __str__(self):
        return f"{self.subscription} #{self.number}"
